import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests talk to real servers on port 0; a few spawn child processes.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});

import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type Home, json, makeHome } from '../fixtures/cli/posting.js';
import { useEmulator } from '../helpers/emulator.js';

const emulator = useEmulator();
const homes: Home[] = [];

afterEach(async () => {
  await Promise.all(homes.splice(0).map((h) => h.remove()));
});

async function home(options: { login?: boolean } = {}): Promise<Home> {
  const h = await makeHome(emulator(), options);
  homes.push(h);
  return h;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('xpost post: exit codes when it cannot post', () => {
  it('exits AUTH with the fix when the account has no credentials', async () => {
    const h = await home({ login: false });
    const run = await h.run(['post', 'hello']);
    expect(run.code).toBe(EXIT.AUTH);
    expect(run.stderr).toMatch(/no credentials for account "default"/);
    expect(run.stderr).toMatch(/xpost login/);
    expect(emulator().requestCounts()['POST /2/tweets']).toBeUndefined();
  });

  it('exits RATE_LIMIT and says when the limit resets', async () => {
    emulator().rateLimits.set('POST /2/tweets', [{ scope: 'user', windowSecs: 86_400, limit: 1 }]);
    const h = await home();
    expect((await h.run(['post', 'the one allowed today'])).code).toBe(0);
    const run = await h.run(['post', 'one too many', '--json']);
    expect(run.code).toBe(EXIT.RATE_LIMIT);
    expect(json<{ error: { code: string; resetAt: string } }>(run).error).toMatchObject({
      code: 'rate_limit',
      resetAt: expect.any(String),
    });
    expect(emulator().store.posts.size).toBe(1);
  });

  it('exits NETWORK when nothing answers at --api-base', async () => {
    const h = await home();
    const run = await h.run([
      '--api-base',
      `http://127.0.0.1:${await closedPort()}`,
      'post',
      'into the void',
    ]);
    expect(run.code).toBe(EXIT.NETWORK);
    expect(run.stderr).toMatch(/--api-base/);
  });

  it('exits FORBIDDEN with X reason when X refuses the post', async () => {
    const h = await home();
    expect((await h.run(['post', 'same words'])).code).toBe(0);
    const run = await h.run(['post', 'same words']);
    expect(run.code).toBe(EXIT.FORBIDDEN);
    expect(run.stderr).toMatch(/duplicate/i);
  });
});

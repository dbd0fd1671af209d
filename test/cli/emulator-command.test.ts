import { describe, expect, it } from 'vitest';
import { runXpost, startXpost } from '../helpers/cli.js';

describe('xpost emulator', () => {
  it('prints its URL, the ready-made app and a user whose token works, and stops on SIGTERM', async () => {
    const run = startXpost(['emulator', '--port', '0', '--quiet']);
    try {
      const [, url] = await run.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const [, token] = await run.waitFor(/access token\s+(\S+)/);
      expect(run.output()).toMatch(/client id\s+sandbox-client-id/);
      expect(run.output()).toMatch(/client secret\s+sandbox-client-secret/);
      expect(run.output()).toMatch(/redirect URIs\s+http:\/\/127\.0\.0\.1:8976\/callback/);
      const res = await fetch(`${url}/2/users/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { username: string } }).data.username).toBe('sandbox');
    } finally {
      expect(await run.stop()).toBe(0);
    }
  });

  it('marks the user premium with --premium', async () => {
    const run = startXpost(['emulator', '--port', '0', '--quiet', '--premium']);
    try {
      await run.waitFor(/Premium\)/);
    } finally {
      await run.stop();
    }
  });

  it('rejects a bad port with a one-line usage error and no stack trace', async () => {
    const { code, output } = await runXpost(['emulator', '--port', 'eighty']);
    expect(code).not.toBe(0);
    expect(output).toMatch(/--port.*must be a whole number from 0 to 65535/);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('explains itself with --help, examples included', async () => {
    const { code, output } = await runXpost(['emulator', '--help']);
    expect(code).toBe(0);
    expect(output).toMatch(/Examples:/);
    expect(output).toMatch(/--rate-limits <preset>/);
  });
});

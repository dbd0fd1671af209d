import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useHomes, useLoginEmulator, xpost } from './login-flow.js';

const { emulator } = useLoginEmulator(1);
const newHome = useHomes();

function importArgs(user: { accessToken: string; refreshToken: string }): string[] {
  return ['auth', 'import', '--access-token', user.accessToken, '--refresh-token', user.refreshToken];
}

describe('configuration', () => {
  it('creates $XPOST_HOME 0700 and its files 0600', async () => {
    const emu = emulator();
    const home = join(await newHome(), 'nested', 'xpost');
    const { code } = await xpost(
      ['--api-base', emu.url, ...importArgs(emu.user), '--client-id', 'sandbox-client-id'],
      {
        XPOST_HOME: home,
        XPOST_CLIENT_SECRET: 'sandbox-client-secret',
      },
    );
    expect(code).toBe(0);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect((await stat(join(home, 'tokens'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(home, 'config.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'tokens', 'default.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'accounts', 'default', 'rate-limits.json'))).mode & 0o777).toBe(0o600);
  });

  it('lets XPOST_API_BASE, XPOST_CLIENT_ID and XPOST_CLIENT_SECRET override the config file', async () => {
    const emu = emulator();
    const home = await newHome();
    await writeFile(
      join(home, 'config.json'),
      JSON.stringify({ clientId: 'wrong-id', clientSecret: 'wrong-secret', apiBase: 'http://127.0.0.1:1' }),
      { mode: 0o600 },
    );
    const env = {
      XPOST_HOME: home,
      XPOST_API_BASE: emu.url,
      XPOST_CLIENT_ID: 'sandbox-client-id',
      XPOST_CLIENT_SECRET: 'sandbox-client-secret',
    };
    const imported = await xpost(
      [
        'auth',
        'import',
        '--access-token',
        emu.user.accessToken,
        '--refresh-token',
        emu.user.refreshToken,
        '--expires-in',
        '1',
      ],
      env,
    );
    expect(imported.code).toBe(0);
    // The token is (nearly) expired: status must refresh it with the app from the environment, at the emulator.
    await new Promise((r) => setTimeout(r, 1100));
    const status = await xpost(['auth', 'status', '--json'], env);
    expect(status.code).toBe(0);
    const [a] = JSON.parse(status.stdout).accounts;
    expect(a).toMatchObject({ apiBase: emu.url, user: { username: 'sandbox' } });
    expect(emu.store.refreshTokens.get(emu.user.refreshToken)?.status).toBe('used');
    // Login and import remember the API base the tokens came from, and the environment still beats it.
    const remembered = await xpost(['auth', 'status', '--json'], {
      XPOST_HOME: home,
      XPOST_CLIENT_ID: 'sandbox-client-id',
    });
    expect(JSON.parse(remembered.stdout).accounts[0].apiBase).toBe(emu.url);
    const offline = await xpost(['auth', 'status', '--json'], {
      ...env,
      XPOST_API_BASE: 'http://127.0.0.1:1',
    });
    expect(offline.code).toBe(6);
    expect(JSON.parse(offline.stdout).accounts[0]).toMatchObject({
      apiBase: 'http://127.0.0.1:1',
      error: { code: 'network', exitCode: 6 },
    });
  });

  it('reads the premium setting of an account', async () => {
    const emu = emulator();
    const home = await newHome();
    await writeFile(
      join(home, 'config.json'),
      JSON.stringify({ accounts: { default: { premium: true, apiBase: emu.url } } }),
    );
    await xpost(importArgs(emu.user), { XPOST_HOME: home });
    const { stdout } = await xpost(['auth', 'status', '--json'], { XPOST_HOME: home });
    expect(JSON.parse(stdout).accounts[0]).toMatchObject({ premium: true, apiBase: emu.url });
  });

  it.each([
    ['{"clientId": 42}', /config\.json: "clientId" must be a string/],
    [
      '{"colour": "blue"}',
      /config\.json: unknown key "colour": known keys: clientId, clientSecret, defaultAccount, apiBase, accounts/,
    ],
    [
      '{"accounts": {"work": {"premium": "yes"}}}',
      /config\.json: "accounts\.work\.premium" must be a boolean/,
    ],
    ['{"apiBase": "ftp://x"}', /config\.json: "apiBase" "ftp:\/\/x" must be an http\(s\) URL/],
    ['{not json', /config\.json is not valid JSON .*: fix or delete the file/],
  ])('refuses an invalid config file (%s), naming the file and the key', async (content, message) => {
    const home = await newHome();
    await mkdir(home, { recursive: true });
    await writeFile(join(home, 'config.json'), content);
    const { code, stderr } = await xpost(['auth', 'status'], { XPOST_HOME: home });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain(join(home, 'config.json'));
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a bad --api-base and a bad XPOST_API_BASE as usage errors', async () => {
    const home = await newHome();
    const flag = await xpost(['--api-base', 'not a url', 'auth', 'status'], { XPOST_HOME: home });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--api-base <url>' argument 'not a url' is invalid/);
    const env = await xpost(['auth', 'status'], { XPOST_HOME: home, XPOST_API_BASE: 'api.x.com' });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/XPOST_API_BASE "api\.x\.com" is not a URL/);
  });

  it('never writes the secret from the environment into the config', async () => {
    const emu = emulator();
    const home = await newHome();
    await xpost(['--api-base', emu.url, ...importArgs(emu.user)], {
      XPOST_HOME: home,
      XPOST_CLIENT_ID: 'sandbox-client-id',
      XPOST_CLIENT_SECRET: 'sandbox-client-secret',
    });
    expect(await readFile(join(home, 'config.json'), 'utf8')).not.toContain('sandbox-client-secret');
  });
});

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useHomes, useLoginEmulator, xpost } from './login-flow.js';

const { emulator } = useLoginEmulator(1);
const newHome = useHomes();

function oauth2Import(emuUrl: string, user: { accessToken: string; refreshToken: string }): string[] {
  return [
    '--api-base',
    emuUrl,
    'auth',
    'import',
    '--access-token',
    user.accessToken,
    '--refresh-token',
    user.refreshToken,
    '--expires-in',
    '3600',
    '--client-id',
    'sandbox-client-id',
    '--client-secret',
    'sandbox-client-secret',
  ];
}

describe('xpost auth import', () => {
  it('stores an OAuth 2.0 token pair after checking it with users/me', async () => {
    const emu = emulator();
    const home = await newHome();
    const { code, stdout } = await xpost(oauth2Import(emu.url, emu.user), { XPOST_HOME: home });
    expect(code).toBe(0);
    expect(stdout).toBe('Imported an OAuth 2.0 token for account default (@sandbox)\n');
    const file = JSON.parse(await readFile(join(home, 'tokens', 'default.json'), 'utf8'));
    expect(file.tokens.refreshToken).toBe(emu.user.refreshToken);
    expect((await stat(join(home, 'tokens', 'default.json'))).mode & 0o777).toBe(0o600);
  });

  it('stores OAuth 1.0a keys 0600 and signs requests with them', async () => {
    const emu = emulator();
    const home = await newHome();
    const args = [
      '--api-base',
      emu.url,
      '--account',
      'bot',
      'auth',
      'import',
      '--consumer-key',
      emu.app.consumerKey,
      '--consumer-secret',
      emu.app.consumerSecret,
      '--token',
      emu.user.oauth1.token,
      '--token-secret',
      emu.user.oauth1.tokenSecret,
    ];
    const imported = await xpost(args, { XPOST_HOME: home });
    expect(imported.stdout).toBe('Imported OAuth 1.0a credentials for account bot (@sandbox)\n');
    expect(imported.code).toBe(0);
    expect((await stat(join(home, 'accounts', 'bot', 'oauth1.json'))).mode & 0o777).toBe(0o600);
    const status = await xpost(['--account', 'bot', 'auth', 'status', '--json'], { XPOST_HOME: home });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).accounts[0]).toMatchObject({
      account: 'bot',
      auth: 'oauth1',
      user: { username: 'sandbox' },
    });
  });

  it.each([
    [
      ['--token', 't', '--token-secret', 's'],
      /OAuth 1\.0a needs all four keys; missing --consumer-key, --consumer-secret/,
    ],
    [
      ['--access-token', 'a', '--consumer-key', 'k'],
      /--access-token \(OAuth 2\.0\) cannot be combined with --consumer-key/,
    ],
    [['--refresh-token', 'r'], /--refresh-token need --access-token/],
    [[], /nothing to import: pass --access-token/],
    [['--access-token', 'a', '--client-secret', 's'], /--client-secret needs --client-id/],
    [
      [
        '--consumer-key',
        'k',
        '--consumer-secret',
        's',
        '--token',
        't',
        '--token-secret',
        'u',
        '--expires-in',
        '60',
      ],
      /--expires-in apply to OAuth 2\.0 tokens only/,
    ],
    [['--access-token', 'a', '--expires-in', 'soon'], /--expires-in <seconds>' argument 'soon' is invalid/],
  ])('refuses %j with a usage error', async (flags, message) => {
    const home = await newHome();
    const { code, stderr } = await xpost(['auth', 'import', ...flags], { XPOST_HOME: home });
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  });

  it('does not store a token X refuses', async () => {
    const emu = emulator();
    const home = await newHome();
    const { code, stderr } = await xpost(
      ['--api-base', emu.url, 'auth', 'import', '--access-token', 'not-a-token'],
      {
        XPOST_HOME: home,
      },
    );
    expect(code).toBe(3);
    expect(stderr).toMatch(/^xpost: .*401/);
    await expect(stat(join(home, 'tokens', 'default.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe('xpost auth status', () => {
  it('shows user, auth kind, scopes, expiry and the rate limits last seen, as JSON', async () => {
    const emu = emulator();
    const home = await newHome();
    expect((await xpost(oauth2Import(emu.url, emu.user), { XPOST_HOME: home })).code).toBe(0);
    const { code, stdout, stderr } = await xpost(['auth', 'status', '--json'], { XPOST_HOME: home });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { accounts } = JSON.parse(stdout);
    expect(accounts).toHaveLength(1);
    const [a] = accounts;
    expect(a).toMatchObject({
      account: 'default',
      default: true,
      auth: 'oauth2',
      apiBase: emu.url,
      premium: false,
      refreshToken: true,
      user: { id: emu.user.id, username: 'sandbox', name: 'Sandbox User' },
    });
    expect(Date.parse(a.expiresAt)).toBeGreaterThan(Date.now());
    const me = a.rateLimits.find((l: { endpoint: string }) => l.endpoint === 'GET /2/users/me');
    expect(me).toMatchObject({ kind: 'window' });
    expect(me.remaining).toBeLessThan(me.limit);
  });

  it('prints a readable summary without --json', async () => {
    const emu = emulator();
    const home = await newHome();
    await xpost(oauth2Import(emu.url, emu.user), { XPOST_HOME: home });
    const { code, stdout } = await xpost(['auth', 'status'], { XPOST_HOME: home });
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^default \(default\)\n {2}user {8}@sandbox \(Sandbox User, id \d+\)\n {2}auth {8}OAuth 2\.0 user token/,
    );
    expect(stdout).toMatch(/GET \/2\/users\/me: \d+\/\d+ left, resets /);
  });

  it('exits 3 for an account with no credentials', async () => {
    const home = await newHome();
    const { code, stdout } = await xpost(['--account', 'ghost', 'auth', 'status', '--json'], {
      XPOST_HOME: home,
    });
    expect(code).toBe(3);
    const [a] = JSON.parse(stdout).accounts;
    expect(a).toMatchObject({
      account: 'ghost',
      auth: 'none',
      error: { code: 'no_credentials', exitCode: 3 },
    });
    expect(a.error.message).toBe(
      'no credentials for account "ghost": run `xpost login --account ghost` (or `xpost auth import`)',
    );
  });
});

describe('xpost logout', () => {
  it('revokes the refresh and access tokens at X and forgets the account', async () => {
    const emu = emulator();
    const home = await newHome();
    const { accessToken, refreshToken } = emu.user;
    await xpost(oauth2Import(emu.url, emu.user), { XPOST_HOME: home });
    const { code, stdout } = await xpost(['logout'], { XPOST_HOME: home });
    expect(code).toBe(0);
    expect(stdout).toBe('Logged out account default (tokens revoked at X)\n');
    expect(emu.store.refreshTokens.get(refreshToken)?.status).toBe('revoked');
    expect(emu.store.accessTokens.get(accessToken)?.revoked).toBe(true);
    await expect(stat(join(home, 'tokens', 'default.json'))).rejects.toThrow(/ENOENT/);
    const status = await xpost(['auth', 'status'], { XPOST_HOME: home });
    expect(status.code).toBe(3);
    expect(status.stderr).toMatch(/no accounts are logged in: run `xpost login`/);
  });

  it('forgets the tokens with a warning when X cannot be reached', async () => {
    const emu = emulator();
    const home = await newHome();
    await xpost(oauth2Import(emu.url, emu.user), { XPOST_HOME: home });
    const { code, stderr, stdout } = await xpost(['--api-base', 'http://127.0.0.1:1', 'logout'], {
      XPOST_HOME: home,
    });
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning: X could not be reached, so the tokens were not revoked/);
    expect(stdout).toBe('Logged out account default\n');
    await expect(stat(join(home, 'tokens', 'default.json'))).rejects.toThrow(/ENOENT/);
  });

  it('is a no-op for an account that is not logged in', async () => {
    const home = await newHome();
    const { code, stdout } = await xpost(['--account', 'nobody', 'logout'], { XPOST_HOME: home });
    expect(code).toBe(0);
    expect(stdout).toMatch(/Account nobody was not logged in; nothing to do/);
  });
});

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTHORIZE_URL, actInBrowser, spawnXpost, useHomes, useLoginEmulator, xpost } from './login-flow.js';

const { emulator, port: takePort } = useLoginEmulator();
const newHome = useHomes();

function app(emuUrl: string, port: number): string[] {
  return [
    '--api-base',
    emuUrl,
    'login',
    '--client-id',
    'sandbox-client-id',
    '--client-secret',
    'sandbox-client-secret',
    '--port',
    String(port),
  ];
}

describe('xpost login (browser, loopback redirect)', () => {
  it('logs in through the consent page, stores the tokens 0600 and says who is logged in', async () => {
    const emu = emulator();
    const home = await newHome();
    const run = spawnXpost(app(emu.url, takePort()), { XPOST_HOME: home });
    const [, url] = await run.waitForStderr(AUTHORIZE_URL);
    const { page } = await actInBrowser(emu, url as string);
    expect(page?.status).toBe(200);
    expect(page?.text).toMatch(/You can close this tab/);
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toBe('Logged in as @sandbox (account default)\n');
    expect((await stat(join(home, 'tokens', 'default.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'config.json'))).mode & 0o777).toBe(0o600);

    const status = await xpost(['auth', 'status', '--json'], { XPOST_HOME: home });
    expect(status.code).toBe(0);
    const [account] = JSON.parse(status.stdout).accounts;
    expect(account).toMatchObject({
      account: 'default',
      auth: 'oauth2',
      apiBase: emu.url,
      user: { username: 'sandbox' },
    });
  });

  it('asks for the scopes given with --scopes', async () => {
    const emu = emulator();
    const home = await newHome();
    const run = spawnXpost([...app(emu.url, takePort()), '--scopes', 'tweet.read,users.read', '--json'], {
      XPOST_HOME: home,
    });
    const [, url] = await run.waitForStderr(AUTHORIZE_URL);
    expect(new URL(url as string).searchParams.get('scope')).toBe('tweet.read users.read');
    await actInBrowser(emu, url as string);
    expect(await run.exit).toBe(0);
    const result = JSON.parse(run.stdout());
    expect(result).toMatchObject({ account: 'default', user: { username: 'sandbox' }, refreshToken: false });
    expect(result.scopes.sort()).toEqual(['tweet.read', 'users.read']);
  });

  it('refuses a callback whose state does not match, and stores nothing', async () => {
    const emu = emulator();
    const home = await newHome();
    const run = spawnXpost(app(emu.url, takePort()), { XPOST_HOME: home });
    const [, url] = await run.waitForStderr(AUTHORIZE_URL);
    const { page } = await actInBrowser(emu, url as string, {
      tamper: (loc) => loc.searchParams.set('state', 'forged'),
    });
    expect(page?.status).toBe(400);
    expect(await run.exit).toBe(3);
    expect(run.stderr()).toMatch(/xpost: .*state does not match/);
    expect(run.stdout()).toBe('');
    await expect(stat(join(home, 'tokens', 'default.json'))).rejects.toThrow(/ENOENT/);
  });

  it('reports a denial on the consent page with exit code 3', async () => {
    const emu = emulator();
    const home = await newHome();
    const run = spawnXpost(app(emu.url, takePort()), { XPOST_HOME: home });
    const [, url] = await run.waitForStderr(AUTHORIZE_URL);
    await actInBrowser(emu, url as string, { decision: 'deny' });
    expect(await run.exit).toBe(3);
    expect(run.stderr()).toMatch(/xpost: Access was denied/);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  it('gives up after --timeout with a clear error', async () => {
    const emu = emulator();
    const home = await newHome();
    const { code, stderr } = await xpost([...app(emu.url, takePort()), '--timeout', '1'], {
      XPOST_HOME: home,
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(/no answer from the browser within 1 s: run `xpost login` again/);
  });

  it('prints the authorize URL even with --json, on stderr only', async () => {
    const emu = emulator();
    const home = await newHome();
    const run = spawnXpost([...app(emu.url, takePort()), '--json'], { XPOST_HOME: home });
    const [, url] = await run.waitForStderr(AUTHORIZE_URL);
    expect(url).toContain(`${emu.url}/i/oauth2/authorize?`);
    expect(run.stdout()).toBe('');
    await actInBrowser(emu, url as string);
    expect(await run.exit).toBe(0);
    expect(JSON.parse(run.stdout()).user.username).toBe('sandbox');
  });
});

describe('xpost login --no-browser', () => {
  it('takes the redirect URL pasted on stdin', async () => {
    const emu = emulator();
    const home = await newHome();
    const run = spawnXpost([...app(emu.url, takePort()), '--no-browser'], { XPOST_HOME: home });
    const [, url] = await run.waitForStderr(AUTHORIZE_URL);
    await run.waitForStderr(/Paste that whole address/);
    const { location } = await actInBrowser(emu, url as string, { follow: false });
    run.write(`${location.toString()}\n`);
    run.child.stdin?.end();
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toMatch(/Logged in as @sandbox \(account default\)/);
  });

  it('refuses a pasted URL whose state does not match', async () => {
    const emu = emulator();
    const home = await newHome();
    const run = spawnXpost([...app(emu.url, takePort()), '--no-browser'], { XPOST_HOME: home });
    const [, url] = await run.waitForStderr(AUTHORIZE_URL);
    const { location } = await actInBrowser(emu, url as string, { follow: false });
    location.searchParams.set('state', 'not-ours');
    run.child.stdin?.end(`${location.toString()}\n`);
    expect(await run.exit).toBe(3);
    expect(run.stderr()).toMatch(/state does not match/);
  });

  it('says so when stdin ends before anything is pasted', async () => {
    const emu = emulator();
    const home = await newHome();
    const { code, stderr } = await xpost(
      [...app(emu.url, takePort()), '--no-browser'],
      { XPOST_HOME: home },
      '',
    );
    expect(code).toBe(3);
    expect(stderr).toMatch(/standard input ended before a redirect URL or code was pasted/);
  });
});

describe('xpost login: usage errors', () => {
  it('needs a client id', async () => {
    const home = await newHome();
    const { code, stderr } = await xpost(['login', '--no-browser'], { XPOST_HOME: home });
    expect(code).toBe(2);
    expect(stderr).toMatch(/no client id to log in with: pass --client-id .* or set XPOST_CLIENT_ID/);
  });

  it('refuses a redirect URI it cannot receive', async () => {
    const home = await newHome();
    const { code, stderr } = await xpost(
      ['login', '--client-id', 'x', '--redirect-uri', 'https://example.com/cb'],
      {
        XPOST_HOME: home,
      },
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/--redirect-uri "https:\/\/example.com\/cb" must be http:\/\/127\.0\.0\.1/);
  });

  it("uses X's own consent page for the real API", async () => {
    const home = await newHome();
    const run = spawnXpost(['login', '--client-id', 'abc', '--no-browser', '--timeout', '1'], {
      XPOST_HOME: home,
    });
    const [, url] = await run.waitForStderr(/(https:\/\/x\.com\/i\/oauth2\/authorize\?\S+)/);
    const parsed = new URL(url as string);
    expect(parsed.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:8976/callback');
    expect(parsed.searchParams.get('code_challenge_method')).toBe('S256');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(130);
  });
});

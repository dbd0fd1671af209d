import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTHORIZE_URL, actInBrowser, spawnXpost, useHomes, useLoginEmulator, xpost } from './login-flow.js';

const { emulator, port } = useLoginEmulator(2);
const newHome = useHomes();

async function loginAs(emuUrl: string, home: string, account: string, userId: string): Promise<void> {
  const emu = emulator();
  const run = spawnXpost(
    [
      '--api-base',
      emuUrl,
      '--account',
      account,
      'login',
      '--client-id',
      'sandbox-client-id',
      '--client-secret',
      'sandbox-client-secret',
      '--port',
      String(port()),
    ],
    { XPOST_HOME: home },
  );
  const [, url] = await run.waitForStderr(AUTHORIZE_URL);
  await actInBrowser(emu, url as string, { userId });
  expect(await run.exit).toBe(0);
  expect(run.stdout()).toMatch(new RegExp(`account ${account}\\)`));
}

describe('several accounts side by side', () => {
  it("keeps each account's tokens apart and acts as the right user", async () => {
    const emu = emulator();
    const home = await newHome();
    await loginAs(emu.url, home, 'work', emu.user.id);
    await loginAs(emu.url, home, 'personal', emu.otherUser.id);

    const work = JSON.parse(await readFile(join(home, 'tokens', 'work.json'), 'utf8'));
    const personal = JSON.parse(await readFile(join(home, 'tokens', 'personal.json'), 'utf8'));
    expect(work.tokens.accessToken).not.toBe(personal.tokens.accessToken);

    const all = await xpost(['auth', 'status', '--json'], { XPOST_HOME: home });
    expect(all.code).toBe(0);
    const byName = Object.fromEntries(
      JSON.parse(all.stdout).accounts.map((a: { account: string; user: { username: string } }) => [
        a.account,
        a,
      ]),
    );
    expect(byName.work).toMatchObject({ default: true, user: { username: 'sandbox' } });
    expect(byName.personal).toMatchObject({ default: false, user: { username: 'sandbox_friend' } });

    const one = await xpost(['--account', 'personal', 'auth', 'status', '--json'], { XPOST_HOME: home });
    expect(JSON.parse(one.stdout).accounts.map((a: { account: string }) => a.account)).toEqual(['personal']);

    // XPOST_ACCOUNT picks the account when --account is not given.
    const viaEnv = await xpost(['auth', 'status', '--json'], { XPOST_HOME: home, XPOST_ACCOUNT: 'personal' });
    expect(JSON.parse(viaEnv.stdout).accounts[0].user.username).toBe('sandbox_friend');

    // Logging one out leaves the other logged in.
    expect((await xpost(['--account', 'work', 'logout'], { XPOST_HOME: home })).code).toBe(0);
    const after = await xpost(['auth', 'status', '--json'], { XPOST_HOME: home });
    expect(JSON.parse(after.stdout).accounts.map((a: { account: string }) => a.account)).toEqual([
      'personal',
    ]);
  });

  it('remembers the API base and app each account logged in with', async () => {
    const emu = emulator();
    const home = await newHome();
    await loginAs(emu.url, home, 'work', emu.user.id);
    const config = JSON.parse(await readFile(join(home, 'config.json'), 'utf8'));
    expect(config).toEqual({
      accounts: {
        work: { apiBase: emu.url, clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret' },
      },
      defaultAccount: 'work',
    });
  });

  it('refuses an account name that cannot be a file name', async () => {
    const home = await newHome();
    const { code, stderr } = await xpost(['--account', '../etc', 'auth', 'status'], { XPOST_HOME: home });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /--account <name>' argument '\.\.\/etc' is invalid\. "\.\.\/etc" is not valid: use 1–64 letters/,
    );
  });
});

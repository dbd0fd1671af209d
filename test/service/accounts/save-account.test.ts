import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { saveOAuth1Account } from '../../../src/service/accounts/save-account.js';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import { type AccountRow, rateLimits } from '../../../src/service/store/sql.js';
import { clientForAccount } from '../../../src/service/worker/account-client.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import { connectEmulatorUser, emulatorAccess } from '../../helpers/service-app.js';

const emulator = useEmulator({ rateLimits: { preset: 'basic' } });
const box = new SecretBox(randomBytes(32));

describeDatabases('connected accounts', ({ db }) => {
  const clock = { now: () => new Date() };

  it('saves an OAuth 2.0 account sealed, reconnects it under the same id, and posts through it', async () => {
    const emu = emulator();
    const first = await connectEmulatorUser(db(), box, emu, { premium: true });
    expect(first.post_length_limit).toBe(25_000);
    const again = await connectEmulatorUser(db(), box, emu);
    expect(again.id).toBe(first.id);
    expect(again.post_length_limit).toBe(280);
    // The database never holds a token in clear text.
    const dump = JSON.stringify((await db().query({ text: 'SELECT * FROM xpost.accounts' })).rows, (_k, v) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    expect(dump).not.toContain(emu.user.accessToken);
    expect(dump).not.toContain(emu.user.refreshToken);

    const client = clientForAccount({ db: db(), box, clock, x: () => emulatorAccess(emu) }, again);
    const post = await client.posts.create({ text: 'through the service account client' });
    expect(emu.store.posts.get(post.id)?.text).toBe('through the service account client');
    // The rate-limit headers of the 201 were stored for pacing, and the call counted.
    const { rows } = await db().query<{ remaining: number }>(rateLimits.get(again.id, 'POST /2/tweets'));
    expect(rows[0]?.remaining).toEqual(expect.any(Number));
    const counted = await db().query<{ labels: string; value: number }>({
      text: `SELECT labels, value FROM xpost.metric_counters WHERE name = 'xpost_x_api_calls_total'`,
    });
    expect(counted.rows).toContainEqual({ labels: 'endpoint="POST /2/tweets",status="201"', value: 1 });
  });

  it('saves an OAuth 1.0a account and signs with its sealed keys', async () => {
    const emu = emulator();
    const account: AccountRow = await saveOAuth1Account(db(), box, {
      user: { id: emu.user.id, username: emu.user.username },
      credentials: {
        consumerKey: emu.app.consumerKey,
        consumerSecret: emu.app.consumerSecret,
        accessToken: emu.user.oauth1.token,
        accessTokenSecret: emu.user.oauth1.tokenSecret,
      },
    });
    expect(account.auth_kind).toBe('oauth1');
    const client = clientForAccount({ db: db(), box, clock, x: () => emulatorAccess(emu) }, account);
    const me = await client.users.me();
    expect(me.id).toBe(emu.user.id);
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { saveOAuth1Account, saveOAuth2Account } from '../../src/service/accounts/save-account.js';
import { resealAll } from '../../src/service/crypto/reseal.js';
import { SecretBox } from '../../src/service/crypto/secret-box.js';
import { type AccountRow, accounts } from '../../src/service/store/sql.js';
import { webhooksApi } from '../../src/service/store/webhooks-api.js';
import { openWebhookSecret, sealWebhookSecret } from '../../src/service/webhooks/secret.js';
import { openTokens, tokenAad } from '../../src/service/worker/db-token-store.js';
import { describeDatabases } from '../helpers/database.js';

describeDatabases('resealAll: finishing a secret-key rotation', ({ db }) => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new SecretBox(oldKey);
  const tokens = {
    accessToken: 'access-1',
    refreshToken: 'refresh-1',
    expiresAt: Date.now() + 3_600_000,
    scopes: ['tweet.write'],
    tokenType: 'bearer' as const,
  };

  async function seed(box: SecretBox) {
    const oauth2 = await saveOAuth2Account(db(), box, { user: { id: '101', username: 'a' }, tokens });
    const oauth1 = await saveOAuth1Account(db(), box, {
      user: { id: '102', username: 'b' },
      credentials: {
        consumerKey: 'ck',
        consumerSecret: 'cs',
        accessToken: '102-at',
        accessTokenSecret: 'ats',
      },
    });
    const webhookId = randomUUID();
    await db().query(
      webhooksApi.insert({
        id: webhookId,
        apiKeyId: null,
        url: 'https://example.com/hook',
        sealedSecret: sealWebhookSecret(box, webhookId, 'whsec_rotate-me'),
        events: ['post.published'],
        now: new Date(),
      }),
    );
    return { oauth2, oauth1, webhookId };
  }

  const account = async (id: string) => (await db().query<AccountRow>(accounts.get(id))).rows[0]!;

  it('moves every stored secret to the current key; afterwards the old key is not needed', async () => {
    const { oauth2, oauth1, webhookId } = await seed(before);
    const rotating = new SecretBox(newKey, [oldKey]);
    expect(await resealAll(db(), rotating)).toEqual({ resealed: 7, unreadable: 0 });
    // Nothing left to do on the next start.
    expect(await resealAll(db(), rotating)).toEqual({ resealed: 0, unreadable: 0 });

    const after = new SecretBox(newKey); // the old key dropped
    expect(openTokens(after, await account(oauth2.id))).toMatchObject({
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
    });
    const one = await account(oauth1.id);
    expect(after.openText(Buffer.from(one.consumer_secret!), tokenAad(one.id, 'consumer_secret'))).toBe('cs');
    expect(after.openText(Buffer.from(one.token_secret!), tokenAad(one.id, 'token_secret'))).toBe('ats');
    const { rows } = await db().query<{ id: string; secret: Uint8Array }>(
      webhooksApi.getForDelivery(webhookId),
    );
    expect(openWebhookSecret(after, rows[0]!)).toBe('whsec_rotate-me');
  });

  it('counts what no configured key opens and leaves it untouched', async () => {
    const { oauth2 } = await seed(before);
    const original = Buffer.from((await account(oauth2.id)).access_token);
    expect(await resealAll(db(), new SecretBox(newKey))).toEqual({ resealed: 0, unreadable: 7 });
    expect(Buffer.from((await account(oauth2.id)).access_token)).toEqual(original);
  });
});

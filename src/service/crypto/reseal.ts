import { stateAad } from '../accounts/connect-flow.js';
import type { Db } from '../db/types.js';
import { sql } from '../store/sql.js';
import { webhookSecretAad } from '../webhooks/secret.js';
import { type SealedAccountColumn, tokenAad } from '../worker/db-token-store.js';
import type { SecretBox } from './secret-box.js';
import { SecretBoxError } from './secret-box-error.js';

/** What `resealAll` did: values moved to the current key, and values no configured key opens. */
export interface ResealResult {
  resealed: number;
  unreadable: number;
}

const ACCOUNT_COLUMNS: readonly SealedAccountColumn[] = [
  'access_token',
  'refresh_token',
  'token_secret',
  'consumer_key',
  'consumer_secret',
];

/**
 * Finishes a secret-key rotation (docs/operations.md): every stored secret sealed with a key other
 * than the current one (`XPOST_SECRET_KEY_OLD`, or the data folder's `secret.key` once
 * `XPOST_SECRET_KEY` is set) is opened and sealed again with the current key. Run at every start;
 * rows are picked by the key-id byte of the sealed format, so with nothing to do it is one cheap
 * query per table. Each account is resealed under its row lock, the one token refreshes take, so a
 * refresh in another process never races it. A value no configured key opens is counted, left as
 * it is, and reported: its account or webhook fails until it is connected or registered again.
 */
export async function resealAll(db: Db, box: SecretBox): Promise<ResealResult> {
  const result: ResealResult = { resealed: 0, unreadable: 0 };
  const current = box.currentKeyId;
  const stale = (column: string) =>
    `(${column} IS NOT NULL AND length(${column}) > 1 AND get_byte(${column}, 1) <> $1)`;

  const { rows: accountIds } = await db.query<{ id: string }>(
    sql(
      `SELECT id FROM xpost.accounts WHERE deleted_at IS NULL AND (${ACCOUNT_COLUMNS.map(stale).join(' OR ')})`,
      [current],
    ),
  );
  for (const { id } of accountIds) {
    await db.transaction(async (tx) => {
      const { rows } = await tx.query<Record<SealedAccountColumn, Uint8Array | null>>(
        sql(`SELECT ${ACCOUNT_COLUMNS.join(', ')} FROM xpost.accounts WHERE id = $1 FOR UPDATE`, [id]),
      );
      const row = rows[0];
      if (!row) return;
      const updates: [SealedAccountColumn, Buffer][] = [];
      for (const column of ACCOUNT_COLUMNS) {
        const moved = reseal(box, row[column], tokenAad(id, column), result);
        if (moved) updates.push([column, moved]);
      }
      if (updates.length === 0) return;
      await tx.query(
        sql(
          `UPDATE xpost.accounts SET ${updates.map(([column], i) => `${column} = $${i + 2}`).join(', ')} WHERE id = $1`,
          [id, ...updates.map(([, value]) => value)],
        ),
      );
    });
  }

  const { rows: webhooks } = await db.query<{ id: string; secret: Uint8Array }>(
    sql(`SELECT id, secret FROM xpost.webhooks WHERE deleted_at IS NULL AND ${stale('secret')}`, [current]),
  );
  for (const webhook of webhooks) {
    const moved = reseal(box, webhook.secret, webhookSecretAad(webhook.id), result);
    if (moved) {
      await db.query(sql('UPDATE xpost.webhooks SET secret = $2 WHERE id = $1', [webhook.id, moved]));
    }
  }

  const { rows: states } = await db.query<{ state: string; code_verifier: Uint8Array }>(
    sql(`SELECT state, code_verifier FROM xpost.oauth_states WHERE ${stale('code_verifier')}`, [current]),
  );
  for (const row of states) {
    const moved = reseal(box, row.code_verifier, stateAad(row.state), result);
    if (moved) {
      await db.query(
        sql('UPDATE xpost.oauth_states SET code_verifier = $2 WHERE state = $1', [row.state, moved]),
      );
    }
  }
  return result;
}

function reseal(
  box: SecretBox,
  sealed: Uint8Array | null,
  aad: string,
  result: ResealResult,
): Buffer | undefined {
  if (!sealed || sealed.length <= 1) return undefined;
  const buffer = Buffer.from(sealed);
  try {
    if (!box.needsRotation(buffer, aad)) return undefined;
    const moved = box.seal(box.open(buffer, aad), aad);
    result.resealed++;
    return moved;
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    result.unreadable++;
    return undefined;
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { TokenSet, TokenStore } from '../../x/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db, Queryable, Transaction } from '../db/types.js';
import { type AccountRow, accounts } from '../store/sql.js';

/** The AAD a sealed token column is bound to: a value copied into another row or column fails to open. */
export type SealedAccountColumn =
  | 'access_token'
  | 'refresh_token'
  | 'token_secret'
  | 'consumer_key'
  | 'consumer_secret';

export const tokenAad = (accountId: string, column: SealedAccountColumn): string =>
  `account:${accountId}:${column}`;

/** An access token without a known expiry is used until X refuses it (then the SDK refreshes once). */
const NO_EXPIRY = Number.MAX_SAFE_INTEGER;

/** Opens an account row's sealed OAuth 2.0 columns. */
export function openTokens(box: SecretBox, row: AccountRow): TokenSet {
  const tokens: TokenSet = {
    accessToken: box.openText(Buffer.from(row.access_token), tokenAad(row.id, 'access_token')),
    expiresAt: row.expires_at?.getTime() ?? NO_EXPIRY,
    scopes: [...row.scopes],
    tokenType: 'bearer',
  };
  if (row.refresh_token && row.refresh_token.length > 0) {
    tokens.refreshToken = box.openText(Buffer.from(row.refresh_token), tokenAad(row.id, 'refresh_token'));
  }
  return tokens;
}

/** Seals a pair for `accounts.updateTokens`. */
export function sealTokens(
  box: SecretBox,
  accountId: string,
  tokens: TokenSet,
): { accessToken: Buffer; refreshToken: Buffer | null; expiresAt: Date | null } {
  return {
    accessToken: box.seal(tokens.accessToken, tokenAad(accountId, 'access_token')),
    refreshToken:
      tokens.refreshToken === undefined
        ? null
        : box.seal(tokens.refreshToken, tokenAad(accountId, 'refresh_token')),
    expiresAt: tokens.expiresAt >= NO_EXPIRY ? null : new Date(tokens.expiresAt),
  };
}

/**
 * The SDK's `TokenStore` over `xpost.accounts`: the key is the account id. `withLock` holds the row
 * lock (`accounts.lockForRefresh`) in a transaction, so two workers (in any process) never spend one
 * refresh token; `get`/`set` called inside it run on that transaction (a statement on the database
 * itself would be refused there, `db/scope.ts`).
 */
export class DbTokenStore implements TokenStore {
  readonly #db: Db;
  readonly #box: SecretBox;
  readonly #tx = new AsyncLocalStorage<Transaction>();

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  #q(): Queryable {
    return this.#tx.getStore() ?? this.#db;
  }

  async get(key: string): Promise<TokenSet | undefined> {
    const { rows } = await this.#q().query<AccountRow>(accounts.get(key));
    const row = rows[0];
    if (!row || row.needs_reconnect || row.auth_kind !== 'oauth2' || row.access_token.length === 0)
      return undefined;
    return openTokens(this.#box, row);
  }

  async set(key: string, tokens: TokenSet): Promise<void> {
    const { rowCount } = await this.#q().query(
      accounts.updateTokens(key, sealTokens(this.#box, key, tokens)),
    );
    if (rowCount === 0) throw new Error(`account ${key} is gone: the rotated tokens could not be stored`);
  }

  /** The service never drops a pair silently: the account is marked as needing a reconnect. */
  async delete(key: string): Promise<void> {
    await this.#q().query(accounts.markNeedsReconnect(key, 'tokens_deleted'));
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#db.transaction(async (tx) => {
      await tx.query(accounts.lockForRefresh(key));
      return this.#tx.run(tx, fn);
    });
  }
}

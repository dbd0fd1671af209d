import type { EmulatorStore, IssuedTokens } from '../state/store.js';

/**
 * Which tokens came from which authorization code, through every refresh since. RFC 6749 §4.1.2 says
 * a reused code SHOULD revoke the tokens issued from it, and RFC 7009 §2.1 says revoking a refresh
 * token SHOULD invalidate the access tokens of the same grant; both need this lineage.
 */
interface Grant {
  accessTokens: Set<string>;
  refreshTokens: Set<string>;
}

export class GrantLedger {
  readonly #byCode = new Map<string, Grant>();
  readonly #byToken = new Map<string, Grant>();

  /** Record tokens issued from `code`, or from a refresh token of an earlier grant. */
  record(issued: IssuedTokens, from: { code: string } | { refreshToken: string }): void {
    let grant = 'code' in from ? this.#byCode.get(from.code) : this.#byToken.get(from.refreshToken);
    if (!grant) {
      grant = { accessTokens: new Set(), refreshTokens: new Set() };
      if ('code' in from) this.#byCode.set(from.code, grant);
    }
    grant.accessTokens.add(issued.access_token);
    this.#byToken.set(issued.access_token, grant);
    if (issued.refresh_token) {
      grant.refreshTokens.add(issued.refresh_token);
      this.#byToken.set(issued.refresh_token, grant);
    }
  }

  /** Revoke every token of the grant that `code` started; returns how many were still live. */
  revokeCodeGrant(code: string, store: EmulatorStore): number {
    const grant = this.#byCode.get(code);
    return grant ? revokeGrant(grant, store) : 0;
  }

  /** Revoke the access tokens that share a grant with `refreshToken` (not other refresh tokens). */
  revokeAccessTokensOf(refreshToken: string, store: EmulatorStore): void {
    const grant = this.#byToken.get(refreshToken);
    if (!grant) return;
    for (const token of grant.accessTokens) {
      const record = store.accessTokens.get(token);
      if (record) record.revoked = true;
    }
  }

  clear(): void {
    this.#byCode.clear();
    this.#byToken.clear();
  }
}

function revokeGrant(grant: Grant, store: EmulatorStore): number {
  let live = 0;
  for (const token of grant.accessTokens) {
    const record = store.accessTokens.get(token);
    if (record && !record.revoked) {
      record.revoked = true;
      live++;
    }
  }
  for (const token of grant.refreshTokens) {
    const record = store.refreshTokens.get(token);
    if (record && record.status === 'active') {
      record.status = 'revoked';
      live++;
    }
  }
  return live;
}

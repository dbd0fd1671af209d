import type { EmulatorContext } from '../context.js';
import type { IssuedTokens } from '../state/store.js';
import type { EmulatorApp } from '../state/types.js';
import type { GrantLedger } from './grants.js';
import { verifierMatches } from './pkce.js';
import { invalidCode, invalidToken, missingParameter, unsupportedGrantType } from './token-errors.js';

/**
 * The grants of `POST /2/oauth2/token` (REFERENCE §1.3, §1.4) and `POST /2/oauth2/revoke` (§1.6),
 * for a client already authenticated by `client-auth.ts`. Errors are thrown as `TokenEndpointError`.
 */
export function grantTokens(
  ctx: EmulatorContext,
  ledger: GrantLedger,
  app: EmulatorApp,
  params: Map<string, string>,
): IssuedTokens {
  const grantType = params.get('grant_type');
  if (grantType === undefined) throw missingParameter('grant_type');
  // X supports only these two here (REFERENCE §1.2); client_credentials lives at POST /oauth2/token.
  if (grantType === 'authorization_code') return exchangeCode(ctx, ledger, app, params);
  if (grantType === 'refresh_token') return rotateRefreshToken(ctx, ledger, app, params);
  throw unsupportedGrantType(grantType);
}

function exchangeCode(
  ctx: EmulatorContext,
  ledger: GrantLedger,
  app: EmulatorApp,
  params: Map<string, string>,
): IssuedTokens {
  const code = required(params, 'code');
  const redirectUri = required(params, 'redirect_uri');
  const verifier = required(params, 'code_verifier');
  const record = ctx.store.authCodes.get(code);
  if (!record || record.clientId !== app.clientId) throw invalidCode();
  if (record.used) {
    // A code seen twice may have been stolen: revoke what it already bought (RFC 6749 §4.1.2).
    ledger.revokeCodeGrant(code, ctx.store);
    throw invalidCode();
  }
  // Codes live 30 seconds (REFERENCE §1.2).
  if (ctx.clock.now() >= record.expiresAt) throw invalidCode();
  // The same redirect_uri as at authorize, exactly (RFC 6749 §4.1.3).
  if (record.redirectUri !== redirectUri) throw invalidCode();
  if (!verifierMatches(verifier, record.codeChallenge, record.codeChallengeMethod)) throw invalidCode();

  record.used = true;
  const issued = ctx.store.issueTokens(
    app.clientId,
    record.userId,
    record.scopes,
    ctx.settings.oauth.accessTokenTtlSecs,
  );
  ledger.record(issued, { code });
  return issued;
}

/**
 * Rotation: the presented refresh token is spent before the new pair exists, so two concurrent
 * refreshes with the same token cannot both win (REFERENCE §1.4). The old access token lives on until
 * it expires, as at X.
 */
function rotateRefreshToken(
  ctx: EmulatorContext,
  ledger: GrantLedger,
  app: EmulatorApp,
  params: Map<string, string>,
): IssuedTokens {
  const token = required(params, 'refresh_token');
  const record = ctx.store.refreshTokens.get(token);
  if (record?.status !== 'active' || record.clientId !== app.clientId) throw invalidToken();
  if (!ctx.store.users.has(record.userId)) throw invalidToken();
  record.status = 'used';
  record.usedAt = ctx.clock.now();
  const issued = ctx.store.issueTokens(
    app.clientId,
    record.userId,
    record.scopes,
    ctx.settings.oauth.accessTokenTtlSecs,
  );
  ledger.record(issued, { refreshToken: token });
  return issued;
}

/**
 * Revoke an access or refresh token of this client. Unknown tokens, and tokens of another client,
 * get the same 200 (RFC 7009 §2.2): the answer must not tell a caller which tokens exist.
 */
export function revokeToken(
  ctx: EmulatorContext,
  ledger: GrantLedger,
  app: EmulatorApp,
  params: Map<string, string>,
): { revoked: true } {
  const token = required(params, 'token');
  const access = ctx.store.accessTokens.get(token);
  if (access && access.clientId === app.clientId) access.revoked = true;
  const refresh = ctx.store.refreshTokens.get(token);
  if (refresh && refresh.clientId === app.clientId) {
    if (refresh.status === 'active') refresh.status = 'revoked';
    // Access tokens of the same grant go too (RFC 7009 §2.1).
    ledger.revokeAccessTokensOf(token, ctx.store);
  }
  return { revoked: true };
}

function required(params: Map<string, string>, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw missingParameter(name);
  return value;
}

import { oauth1UserAuth, staticBearer } from '../../x/index.js';
import type { RouteDeps } from '../deps.js';
import { type FieldProblem, validationError } from '../errors.js';
import type { AccountRow } from '../store/sql.js';
import { type OAuth1Credentials, saveOAuth1Account, saveOAuth2Account } from './save-account.js';
import { whoIs } from './verify-with-x.js';
import { nowClock } from './x-calls.js';

/**
 * `POST /api/accounts`: an account from credentials made elsewhere, checked with X before they are
 * stored. Either the four OAuth 1.0a values (from the app's "Keys and tokens" page in the X developer
 * portal), or an OAuth 2.0 pair under `oauth2` (issued to this service's X app, or it will not
 * refresh). Adding the same X user again updates that account and keeps its id.
 */

export const OAUTH1_FIELDS = [
  'consumer_key',
  'consumer_secret',
  'access_token',
  'access_token_secret',
] as const;

export interface AddAccountBody {
  consumer_key?: string;
  consumer_secret?: string;
  access_token?: string;
  access_token_secret?: string;
  oauth2?: { access_token: string; refresh_token: string; expires_in?: number; scope?: string };
}

/** X's access tokens live two hours when `expires_in` is not given (REFERENCE §1.3). */
const DEFAULT_EXPIRES_IN_SECS = 7200;

const OAUTH1_REFUSED =
  'X did not accept these OAuth 1.0a credentials (401). Check that consumer_key and consumer_secret are ' +
  'the app’s API Key and API Key Secret, and that access_token and access_token_secret were generated ' +
  'for the same app (regenerate them after changing the app’s permissions to Read and write).';

const OAUTH2_REFUSED =
  'X did not accept oauth2.access_token (401): it is expired, revoked, or not an OAuth 2.0 user access ' +
  'token. Connect the account with GET /connect/x instead, or send a fresh token.';

export async function addAccount(deps: RouteDeps, body: AddAccountBody): Promise<AccountRow> {
  const problems = checkBody(body);
  if (problems.length > 0) throw validationError(problems);
  const sandbox = deps.xApp.sandbox;

  if (body.oauth2) {
    const o = body.oauth2;
    const user = await whoIs(deps, staticBearer(o.access_token), {
      fields: ['oauth2.access_token'],
      message: OAUTH2_REFUSED,
    });
    const expiresIn = o.expires_in ?? DEFAULT_EXPIRES_IN_SECS;
    return saveOAuth2Account(deps.db, deps.box, {
      user,
      tokens: {
        accessToken: o.access_token,
        refreshToken: o.refresh_token,
        expiresAt: deps.clock().getTime() + expiresIn * 1000,
        scopes: (o.scope ?? '').split(/\s+/).filter(Boolean),
        tokenType: 'bearer',
      },
      sandbox,
    });
  }

  const credentials: OAuth1Credentials = {
    consumerKey: body.consumer_key!,
    consumerSecret: body.consumer_secret!,
    accessToken: body.access_token!,
    accessTokenSecret: body.access_token_secret!,
  };
  const auth = oauth1UserAuth({
    consumerKey: credentials.consumerKey,
    consumerSecret: credentials.consumerSecret,
    token: credentials.accessToken,
    tokenSecret: credentials.accessTokenSecret,
    clock: nowClock(deps.clock),
  });
  const user = await whoIs(deps, auth, { fields: OAUTH1_FIELDS, message: OAUTH1_REFUSED });
  return saveOAuth1Account(deps.db, deps.box, { user, credentials, sandbox });
}

/** Every problem at once, by field (the schema has checked the types). */
function checkBody(body: AddAccountBody): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const oauth1Given = OAUTH1_FIELDS.filter((f) => body[f] !== undefined);
  if (body.oauth2) {
    if (oauth1Given.length > 0) {
      problems.push({
        field: 'oauth2',
        code: 'conflict',
        message: `send either the four OAuth 1.0a values or oauth2, not both (remove ${oauth1Given.join(', ')} or oauth2)`,
      });
    }
    for (const field of ['access_token', 'refresh_token'] as const) {
      if (body.oauth2[field].trim() === '')
        problems.push({ field: `oauth2.${field}`, code: 'empty', message: 'must not be empty' });
    }
    return problems;
  }
  for (const field of OAUTH1_FIELDS) {
    const value = body[field];
    if (value === undefined) {
      problems.push({
        field,
        code: 'required',
        message:
          oauth1Given.length === 0
            ? 'is required: send consumer_key, consumer_secret, access_token and access_token_secret (OAuth 1.0a), or oauth2 with an access and a refresh token'
            : 'is required with the other OAuth 1.0a values',
      });
    } else if (value.trim() === '' || value !== value.trim()) {
      problems.push({
        field,
        code: value.trim() === '' ? 'empty' : 'whitespace',
        message:
          value.trim() === ''
            ? 'must not be empty'
            : 'has spaces or line breaks around it; copy the value again without them',
      });
    }
  }
  return problems;
}

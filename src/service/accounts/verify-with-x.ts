import type { AuthProvider } from '../../x/index.js';
import type { RouteDeps } from '../deps.js';
import { type FieldProblem, ServiceError } from '../errors.js';
import type { ConnectedUser } from './save-account.js';
import { accountsXClient, classifyXFailure, xSays } from './x-calls.js';

/**
 * Asks X who these credentials belong to (`GET /2/users/me` with `subscription_type`, which decides
 * the post length limit), before anything is stored: keys that do not work are refused now, with
 * what to check, rather than failing the first post later.
 */
export async function whoIs(
  deps: RouteDeps,
  auth: AuthProvider,
  refused: { fields: readonly string[]; message: string },
): Promise<ConnectedUser> {
  const target = { apiBase: deps.xApp.apiBase, ...(deps.xApp.fetch ? { fetch: deps.xApp.fetch } : {}) };
  try {
    const me = await accountsXClient(deps.db, target, auth).users.me({ fields: ['subscription_type'] });
    return {
      id: me.id,
      username: me.username,
      ...(me.subscriptionType ? { subscription_type: me.subscriptionType } : {}),
    };
  } catch (error) {
    const failure = classifyXFailure(error);
    if (failure === 'refused') {
      const errors: FieldProblem[] = refused.fields.map((field) => ({
        field,
        code: 'invalid_credentials',
        message: 'X did not accept the credentials; check this value',
      }));
      throw new ServiceError(422, 'invalid_credentials', refused.message, { cause: error, errors });
    }
    if (failure === 'unavailable') {
      throw new ServiceError(
        503,
        'service_unavailable',
        `X could not be reached to check the credentials (${xSays(error)}); nothing was stored, try again`,
        { cause: error },
      );
    }
    throw new ServiceError(
      422,
      'x_refused',
      `X refused to say who these credentials belong to (${xSays(error)}); nothing was stored`,
      { cause: error },
    );
  }
}

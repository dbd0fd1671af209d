import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type AddAccountBody, addAccount } from '../accounts/add-account.js';
import { type ForgetResult, forgetAccount } from '../accounts/forget-account.js';
import { getAccountView, isAccountId, listAccountViews } from '../accounts/load-views.js';
import { AccountList, AccountView } from '../accounts/views.js';
import type { RouteDeps } from '../deps.js';
import { ServiceError } from '../errors.js';

/**
 * Connected X accounts: add one from credentials (`POST`), list and read them with their token
 * health and the rate limits X last reported (`GET`), and remove one (`DELETE`: revoked at X, its
 * unstarted posts cancelled, its secrets wiped). OAuth 2.0 accounts are connected in the browser
 * through `GET /connect/x` (routes/connect.ts).
 */

const TAGS = ['accounts'];

const Secret = (description: string) => Type.String({ maxLength: 2000, description });

const AddAccountSchema = Type.Object(
  {
    consumer_key: Type.Optional(Secret('OAuth 1.0a: the app’s API Key (consumer key).')),
    consumer_secret: Type.Optional(Secret('OAuth 1.0a: the app’s API Key Secret.')),
    access_token: Type.Optional(Secret('OAuth 1.0a: the user’s Access Token.')),
    access_token_secret: Type.Optional(Secret('OAuth 1.0a: the user’s Access Token Secret.')),
    oauth2: Type.Optional(
      Type.Object(
        {
          access_token: Secret('An OAuth 2.0 user access token issued to this service’s X app.'),
          refresh_token: Secret('Its refresh token (needs the offline.access scope).'),
          expires_in: Type.Optional(
            Type.Integer({ minimum: 1, description: 'Seconds the access token has left; default 7200.' }),
          ),
          scope: Type.Optional(
            Type.String({ maxLength: 1000, description: 'Granted scopes, space-separated.' }),
          ),
        },
        {
          additionalProperties: false,
          description: 'Instead of the four OAuth 1.0a values: an OAuth 2.0 pair.',
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'The four OAuth 1.0a values from the app’s “Keys and tokens” page, or `oauth2` with an access and refresh token.',
  },
);

const IdParams = Type.Object(
  { id: Type.String({ description: 'The account id (a UUID), as listed by GET /api/accounts.' }) },
  { additionalProperties: false },
);

const ForgetAnswer = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    revoked: Type.Boolean({ description: 'The tokens were revoked at X.' }),
    revoke_error: Type.Optional(
      Type.String({ description: 'Why they were not, and how to revoke them by hand.' }),
    ),
    targets_cancelled: Type.Integer({
      description: 'Posts to this account that had not started and were cancelled.',
    }),
    targets_in_progress: Type.Integer({
      description: 'Posts a worker was publishing to it: they fail, as the account is gone.',
    }),
  },
  { additionalProperties: false },
);

function notFound(id: string): ServiceError {
  const shown = id.length > 64 ? `${id.slice(0, 64)}…` : id;
  return new ServiceError(
    404,
    'not_found',
    `no connected account with id ${shown}; GET /api/accounts lists them`,
  );
}

export function registerAccountRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post(
    '/api/accounts',
    {
      schema: {
        tags: TAGS,
        summary: 'Add an account from OAuth 1.0a keys (or an OAuth 2.0 pair)',
        description:
          'Checks the credentials with X (GET /2/users/me) and stores them encrypted. A 401 from X is a 422 `invalid_credentials` naming the fields to check. Adding the same X user again updates that account and keeps its id.',
        body: AddAccountSchema,
        response: { 201: AccountView },
      },
    },
    async (request, reply) => {
      const row = await addAccount(deps, request.body as AddAccountBody);
      const view = await getAccountView(deps.db, row.id, deps.clock());
      return reply.code(201).header('location', `/api/accounts/${row.id}`).send(view);
    },
  );

  app.get(
    '/api/accounts',
    {
      schema: {
        tags: TAGS,
        summary: 'List connected accounts',
        description: 'Every connected account with its token health and the rate limits X last reported.',
        response: { 200: AccountList },
      },
    },
    async () => ({ data: await listAccountViews(deps.db, deps.clock()) }),
  );

  app.get(
    '/api/accounts/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read one account',
        params: IdParams,
        response: { 200: AccountView },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const view = await getAccountView(deps.db, id, deps.clock());
      if (!view) throw notFound(id);
      return view;
    },
  );

  app.delete(
    '/api/accounts/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Remove an account: revoke at X and forget',
        description:
          'Revokes the OAuth 2.0 tokens at X (a failure is reported in `revoke_error`, not fatal), cancels the account’s posts that have not started, and wipes its stored secrets. Posts a worker is publishing at that moment fail.',
        params: IdParams,
        response: { 200: ForgetAnswer },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const result: ForgetResult | undefined = isAccountId(id) ? await forgetAccount(deps, id) : undefined;
      if (!result) throw notFound(id);
      if (result.revoke_error) request.log.warn({ account: id }, `account removed; ${result.revoke_error}`);
      return result;
    },
  );
}

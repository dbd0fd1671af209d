import type { FastifyInstance } from 'fastify';
import { hashApiKey, parseBearer } from '../auth/api-keys.js';
import type { Db } from '../db/types.js';
import { ServiceError } from '../errors.js';
import { type ApiKeyRow, apiKeys } from '../store/sql.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route anyone may call without an API key (`/health`). Every other route needs one. */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The id of the API key that authenticated this request (null on public routes). */
    apiKeyId: string | null;
  }
}

export interface ApiKeyAuthOptions {
  db: Db;
  clock: () => Date;
}

/**
 * `Authorization: Bearer <api key>` on every route but those with `config.public` (issue 6, "Auth"),
 * unknown paths included, so a 404 tells nothing to a caller without a key. The key is looked up by
 * its SHA-256 (`apiKeys.authenticate`, which also records its last use); a missing, malformed,
 * unknown or revoked key is a 401 with the reason's code.
 */
export function registerApiKeyAuth(app: FastifyInstance, options: ApiKeyAuthOptions): void {
  app.decorateRequest('apiKeyId', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public === true) return;
    const key = parseBearer(request.headers.authorization);
    const { rows } = await options.db.query<ApiKeyRow>(
      apiKeys.authenticate(hashApiKey(key), options.clock()),
    );
    const row = rows[0];
    if (!row) {
      throw new ServiceError(
        401,
        'invalid_api_key',
        'the API key is unknown or has been revoked; create one with `xpost keys create`',
      );
    }
    request.apiKeyId = row.id;
  });
}

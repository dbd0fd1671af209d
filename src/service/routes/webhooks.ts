import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { RouteDeps } from '../deps.js';
import { type FieldProblem, ServiceError, toProblem, validationError } from '../errors.js';
import { DELIVERY_STATES, type DeliveryState, WEBHOOK_EVENTS, type WebhookEvent } from '../states.js';
import { type DeliveryRow, deliveriesApi, type WebhookRow, webhooksApi } from '../store/webhooks-api.js';
import { generateWebhookSecret, sealWebhookSecret } from '../webhooks/secret.js';
import { webhookUrlProblems } from '../webhooks/url.js';
import {
  CreatedWebhookSchema,
  DeliveryViewSchema,
  deliveryView,
  stringEnum,
  WebhookEventSchema,
  WebhookViewSchema,
  webhookView,
} from '../webhooks/views.js';
import { ProblemSchema } from './problem-schema.js';

/**
 * Webhooks (issue 6): register a URL for `post.published`, `post.failed`, `post.retrying`; list,
 * show and delete them; list a webhook's deliveries with their outcomes and redeliver a failed one.
 * The signing secret is answered once, by `POST /api/webhooks`, and stored sealed.
 *
 * Webhooks are not scoped to an API key: any key of this service sees and manages all of them, and
 * they receive the events of every post (`api_key_id` records which key registered one).
 */

const TAGS = ['webhooks'];
export const DEFAULT_DELIVERIES_PAGE = 20;
export const MAX_DELIVERIES_PAGE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_LIST = WEBHOOK_EVENTS.join(', ');

const CreateBody = Type.Object(
  {
    url: Type.String({
      description:
        'Where to POST deliveries: https, or http to a loopback, private-address or single-label host',
      examples: ['https://example.com/hooks/xpost'],
    }),
    events: Type.Array(WebhookEventSchema, {
      minItems: 1,
      description: `The events to deliver, at least one of: ${EVENT_LIST}`,
    }),
  },
  { additionalProperties: false },
);
interface CreateBodyType {
  url: unknown;
  events: unknown;
}

const WebhookParams = Type.Object({ id: Type.String({ description: "The webhook's id" }) });
const DeliveryParams = Type.Object({
  id: Type.String({ description: "The webhook's id" }),
  deliveryId: Type.String({ description: "The delivery's id" }),
});
const DeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_DELIVERIES_PAGE,
        description: `Deliveries per page, 1 to ${MAX_DELIVERIES_PAGE} (default ${DEFAULT_DELIVERIES_PAGE})`,
      }),
    ),
    cursor: Type.Optional(Type.String({ description: '`next_cursor` of the previous page' })),
    status: Type.Optional(stringEnum(DELIVERY_STATES, 'Only deliveries in this status')),
  },
  { additionalProperties: false },
);

export function registerWebhookRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post<{ Body: CreateBodyType }>(
    '/api/webhooks',
    {
      // Validated here as well as by the schema, so a bad URL and an unknown event are reported together.
      attachValidation: true,
      schema: {
        tags: TAGS,
        summary: 'Register a webhook',
        description:
          'Registers a URL for post events. The answer carries the signing secret, shown this once: every delivery is signed with it (`xpost-signature`).',
        body: CreateBody,
        response: { 201: CreatedWebhookSchema, 422: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { url, events } = checkCreateBody(request);
      const id = randomUUID();
      const secret = generateWebhookSecret();
      const { rows } = await deps.db.query<WebhookRow>(
        webhooksApi.insert({
          id,
          apiKeyId: request.apiKeyId,
          url,
          sealedSecret: sealWebhookSecret(deps.box, id, secret),
          events,
          now: deps.clock(),
        }),
      );
      return reply.status(201).send({ ...webhookView(rows[0]!), secret });
    },
  );

  app.get(
    '/api/webhooks',
    {
      schema: {
        tags: TAGS,
        summary: 'List webhooks',
        description: 'The registered webhooks, oldest first. Secrets are never shown.',
        response: { 200: Type.Object({ data: Type.Array(WebhookViewSchema) }) },
      },
    },
    async () => {
      const { rows } = await deps.db.query<WebhookRow>(webhooksApi.list());
      return { data: rows.map(webhookView) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/webhooks/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Show a webhook',
        params: WebhookParams,
        response: { 200: WebhookViewSchema, 404: ProblemSchema },
      },
    },
    async (request) => webhookView(await liveWebhook(deps, request.params.id)),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/webhooks/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a webhook',
        description:
          'Stops deliveries to it: pending ones are not sent (they are marked failed). Its deliveries are no longer listed.',
        params: WebhookParams,
        response: { 204: Type.Null({ description: 'Deleted' }), 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      if (!UUID.test(id)) throw webhookNotFound(id);
      const deleted = await deps.db.transaction(async (tx) => {
        const { rows } = await tx.query<WebhookRow>(webhooksApi.softDelete(id, deps.clock()));
        if (rows.length === 0) return false;
        await tx.query(deliveriesApi.failPendingOfWebhook(id, 'webhook deleted before delivery'));
        return true;
      });
      if (!deleted) throw webhookNotFound(id);
      return reply.status(204).send();
    },
  );

  app.get<{
    Params: { id: string };
    Querystring: { limit?: number; cursor?: string; status?: DeliveryState };
  }>(
    '/api/webhooks/:id/deliveries',
    {
      schema: {
        tags: TAGS,
        summary: "List a webhook's deliveries",
        description:
          "Newest first, with each attempt's outcome and the payload sent. Pass `next_cursor` as `cursor` for the next page.",
        params: WebhookParams,
        querystring: DeliveriesQuery,
        response: {
          200: Type.Object({
            data: Type.Array(DeliveryViewSchema),
            next_cursor: Type.Union([Type.String(), Type.Null()], {
              description: 'The cursor of the next page; null on the last one',
            }),
          }),
          404: ProblemSchema,
          422: ProblemSchema,
        },
      },
    },
    async (request) => {
      const webhook = await liveWebhook(deps, request.params.id);
      const { cursor, status } = request.query;
      const limit = request.query.limit ?? DEFAULT_DELIVERIES_PAGE;
      if (cursor !== undefined) {
        const known =
          UUID.test(cursor) &&
          (await deps.db.query(deliveriesApi.getOfWebhook(webhook.id, cursor))).rows.length > 0;
        if (!known) {
          throw validationError([
            {
              field: 'cursor',
              code: 'invalid_cursor',
              message:
                "is not a cursor of this webhook's deliveries; pass next_cursor from the previous page",
            },
          ]);
        }
      }
      const { rows } = await deps.db.query<DeliveryRow>(
        deliveriesApi.listOfWebhook({
          webhookId: webhook.id,
          limit,
          ...(cursor === undefined ? {} : { after: cursor }),
          ...(status === undefined ? {} : { status }),
        }),
      );
      const page = rows.slice(0, limit);
      return {
        data: page.map(deliveryView),
        next_cursor: rows.length > limit ? page[page.length - 1]!.id : null,
      };
    },
  );

  app.post<{ Params: { id: string; deliveryId: string } }>(
    '/api/webhooks/:id/deliveries/:deliveryId/retry',
    {
      schema: {
        tags: TAGS,
        summary: 'Redeliver a failed delivery',
        description:
          'Queues a failed delivery again (status pending, due now), with the same id and payload and a fresh series of retries.',
        params: DeliveryParams,
        response: { 202: DeliveryViewSchema, 404: ProblemSchema, 409: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const webhook = await liveWebhook(deps, request.params.id);
      const deliveryId = request.params.deliveryId;
      if (!UUID.test(deliveryId)) throw deliveryNotFound(deliveryId);
      const queue = deps.queue;
      if (!queue) {
        throw new ServiceError(
          503,
          'service_unavailable',
          'this process has no job queue to send deliveries with; retry on a service that runs one',
        );
      }
      const row = await deps.db.transaction(async (tx) => {
        const { rows } = await tx.query<DeliveryRow>(
          deliveriesApi.requeueFailed({ webhookId: webhook.id, id: deliveryId, now: deps.clock() }),
        );
        const requeued = rows[0];
        if (!requeued) {
          const existing = (await tx.query<DeliveryRow>(deliveriesApi.getOfWebhook(webhook.id, deliveryId)))
            .rows[0];
          if (!existing) throw deliveryNotFound(deliveryId);
          throw new ServiceError(
            409,
            'conflict',
            existing.status === 'delivered'
              ? 'this delivery was delivered already; only a failed delivery can be retried'
              : 'this delivery is pending: it is queued or waiting for its next retry',
          );
        }
        await queue.sendWebhookDelivery({ deliveryId }, { tx });
        return requeued;
      });
      return reply.status(202).send(deliveryView(row));
    },
  );
}

/** The schema's findings and ours (URL rules), reported together; an unknown event named as such. */
function checkCreateBody(request: FastifyRequest<{ Body: CreateBodyType }>): {
  url: string;
  events: WebhookEvent[];
} {
  const problems: FieldProblem[] = [];
  if (request.validationError) {
    const found = toProblem(request.validationError).problem.errors ?? [];
    for (const p of found) problems.push(clearerEventProblem(p));
  }
  const body = (request.body ?? {}) as CreateBodyType;
  if (typeof body.url === 'string') problems.push(...webhookUrlProblems(body.url, 'url'));
  if (problems.length > 0) throw validationError(problems);
  // Valid by now: a known event, at least one. Listed once each, in the order given.
  return { url: body.url as string, events: [...new Set(body.events as WebhookEvent[])] };
}

function clearerEventProblem(problem: FieldProblem): FieldProblem {
  if (/^events\[\d+\]$/.test(problem.field) && problem.code === 'enum') {
    return {
      field: problem.field,
      code: 'unknown_event',
      message: `is not an event; use one of ${EVENT_LIST}`,
    };
  }
  if (problem.field === 'events' && problem.code === 'minItems') {
    return { field: 'events', code: 'empty', message: `must list at least one event: ${EVENT_LIST}` };
  }
  return problem;
}

async function liveWebhook(deps: RouteDeps, id: string): Promise<WebhookRow> {
  if (!UUID.test(id)) throw webhookNotFound(id);
  const row = (await deps.db.query<WebhookRow>(webhooksApi.get(id))).rows[0];
  if (!row) throw webhookNotFound(id);
  return row;
}

const shown = (id: string) => JSON.stringify(id.length > 100 ? `${id.slice(0, 100)}…` : id);

function webhookNotFound(id: string): ServiceError {
  return new ServiceError(404, 'not_found', `no webhook ${shown(id)}: it does not exist or was deleted`);
}

function deliveryNotFound(id: string): ServiceError {
  return new ServiceError(404, 'not_found', `no delivery ${shown(id)} of this webhook`);
}

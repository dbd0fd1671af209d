import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteAuth } from '../auth.js';
import type { EmulatorContext } from '../context.js';
import { requireOwnMedia } from '../media/lookup.js';
import { HEADER_BYTES } from '../media/magic-numbers.js';
import { declaredTooLarge, readUploadBody } from '../media/request-body.js';
import {
  type InitializeBody,
  initializeBodySchema,
  type MetadataBody,
  mediaIdParamsSchema,
  metadataBodySchema,
} from '../media/schemas.js';
import { SegmentStore } from '../media/segment-store.js';
import { appendFromBody, handleUploadEndpoint, statusView } from '../media/upload-endpoint.js';
import { MediaUploads } from '../media/uploads.js';
import { appendView, initializeView, mediaView, metadataView } from '../media/views.js';
import { invalidRequest, XProblem } from '../problems.js';

/** Every media endpoint needs `media.write`, STATUS included (REFERENCE §4.1). */
const WRITE: { auth: RouteAuth } = { auth: { scopes: ['media.write'], write: true } };
const READ: { auth: RouteAuth } = { auth: { scopes: ['media.write'], write: false } };

/**
 * `media_id` is required, but checked in the handler: validation.ts's query messages cannot yet
 * print a `required` error (Ajv hands it the whole, prototype-less query object).
 */
const statusQuerySchema = {
  type: 'object',
  properties: {
    media_id: { type: 'string', pattern: '^[0-9]{1,19}$' },
    command: { type: 'string', enum: ['STATUS'] },
  },
} as const;

/**
 * Media upload (REFERENCE §4): INITIALIZE → APPEND → FINALIZE → STATUS on the dedicated v2
 * endpoints, the one-shot and deprecated command forms on `/2/media/upload`, and alt text.
 * Segments are kept on disk, never whole in memory; see `media/segment-store.ts`.
 */
export function registerMediaRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const limits = ctx.settings.media;
  const segments = new SegmentStore(limits.storageDir ?? tmpdir(), HEADER_BYTES);
  const uploads = new MediaUploads(ctx, segments);
  ctx.onReset(() => segments.clearSync());
  ctx.onClose(() => segments.close());
  const now = () => ctx.clock.now();

  app.post(
    '/2/media/upload/initialize',
    { config: WRITE, schema: { body: initializeBodySchema }, preValidation: requireJsonBody },
    async (request) => {
      const body = request.body as InitializeBody;
      const record = uploads.initialize(request.xAuth!.user, {
        mediaType: body.media_type,
        totalBytes: body.total_bytes,
        category: body.media_category,
        additionalOwners: body.additional_owners,
      });
      return initializeView(record, now());
    },
  );

  app.post<{ Params: { id: string } }>(
    '/2/media/upload/:id/append',
    {
      config: WRITE,
      schema: { params: mediaIdParamsSchema },
      // X's edge refuses an oversized segment before anything reads it (REFERENCE §4.2).
      onRequest: async (request) => {
        if (declaredTooLarge(request, limits.maxSegmentBytes)) throw new XProblem(413, null);
      },
    },
    async (request) => {
      const userId = request.xAuth!.user.id;
      // Refuse an unknown or finalized id before spending a disk write on its body.
      uploads.uploadingMedia(userId, request.params.id);
      const body = await readUploadBody(request, segments, limits.maxSegmentBytes);
      const record = await appendFromBody(uploads, request, request.params.id, body);
      return appendView(record);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/2/media/upload/:id/finalize',
    { config: WRITE, schema: { params: mediaIdParamsSchema } },
    async (request) => {
      drainBody(request);
      const record = await uploads.finalize(request.xAuth!.user.id, request.params.id);
      return mediaView(record, now());
    },
  );

  app.get<{ Querystring: { media_id?: string } }>(
    '/2/media/upload',
    { config: READ, schema: { querystring: statusQuerySchema } },
    async (request) => {
      const mediaId = request.query.media_id;
      if (!mediaId) throw invalidRequest('The `media_id` query parameter can not be empty');
      return statusView(ctx, request.xAuth!.user.id, mediaId);
    },
  );

  app.post('/2/media/upload', { config: WRITE }, async (request) =>
    handleUploadEndpoint(ctx, uploads, request),
  );

  app.post(
    '/2/media/metadata',
    { config: WRITE, schema: { body: metadataBodySchema }, preValidation: requireJsonBody },
    async (request) => {
      const body = request.body as MetadataBody;
      const record = requireOwnMedia(ctx, body.id, request.xAuth!.user.id);
      const altText = body.metadata?.alt_text?.text;
      if (altText !== undefined) record.altText = altText;
      return metadataView(record);
    },
  );
}

/** X's own 400 for a body that is not JSON (REFERENCE §5.1). */
async function requireJsonBody(request: FastifyRequest): Promise<void> {
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (!/^application\/([\w.-]+\+)?json/.test(type) || request.body === undefined) {
    drainBody(request);
    throw invalidRequest('Requests with bodies must have content-type of application/json.');
  }
}

function drainBody(request: FastifyRequest): void {
  if (request.body instanceof Readable) request.body.resume();
}

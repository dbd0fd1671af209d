import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RouteDeps } from '../deps.js';
import { ServiceError } from '../errors.js';
import { POST_MEDIA_TYPES_TEXT } from '../media/media-types.js';
import { ALT_FIELD, FILE_FIELD, receiveUpload } from '../media/receive-upload.js';
import { removeMediaFile } from '../media/storage.js';
import { addCounter, COUNTERS } from '../metrics/counters.js';
import { MEDIA_STATES } from '../states.js';
import { type MediaRow, media, mediaError } from '../store/media-api.js';
import { ProblemSchema } from './problem-schema.js';

/**
 * Media (issue 6): `POST /api/media` takes a file as multipart/form-data and streams it to the data
 * folder (`<dataDir>/media/<id>`, see media/storage.ts), never into memory; the id it answers goes in
 * a post's `media: [{ "id": … }]`. `GET /api/media/:id` shows a media item (uploaded, or fetched
 * from a post's URL), `DELETE /api/media/:id` deletes it unless an unfinished post uses it.
 *
 * The multipart parser is registered here, encapsulated: only these routes accept multipart bodies,
 * with `limits.fileSize = XPOST_MEDIA_MAX_BYTES` and one file per request.
 */

const TAGS = ['media'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An alt field of 1000 characters is at most 4000 bytes of UTF-8; a longer one is reported too long. */
const ALT_FIELD_BYTES = 8 * 1024;

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description: string) =>
  Type.Union([schema, Type.Null()], { description });

export const MediaView = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'The media id: use it in a post as `{ "id": "…" }`.' }),
    state: Type.Union(
      MEDIA_STATES.map((s) => Type.Literal(s)),
      {
        description:
          '`ready` (the file is here), `pending`/`fetching` (a URL not fetched yet), `failed` (see `error`).',
      },
    ),
    content_type: nullable(
      Type.String(),
      'The type read from the bytes, e.g. `image/png` (null until fetched).',
    ),
    media_category: nullable(
      Type.String(),
      "X's category: `tweet_image`, `tweet_gif` or `tweet_video` (null until fetched).",
    ),
    size_bytes: nullable(Type.Integer(), 'The size in bytes (null until fetched).'),
    sha256: nullable(Type.String(), 'SHA-256 of the bytes, lowercase hex (null until fetched).'),
    alt: nullable(Type.String(), 'Alt text set on X with the upload.'),
    source_url: nullable(Type.String(), 'The URL the media is fetched from; null for an uploaded file.'),
    error: nullable(
      Type.Object({
        code: Type.String({ description: 'Stable reason code, e.g. `media_url_forbidden_address`.' }),
        detail: Type.String({ description: 'What went wrong and what to do.' }),
      }),
      'Why fetching failed (state `failed`).',
    ),
    created_at: Type.String({ format: 'date-time', description: 'When it was uploaded or requested.' }),
  },
  { additionalProperties: false },
);

/**
 * The form, for the OpenAPI document only: the handler reads it as a stream (`receiveUpload`) and
 * checks it there, so Fastify does not validate it (see the route's `validatorCompiler`).
 */
const UploadForm = Type.Object({
  [FILE_FIELD]: Type.String({
    format: 'binary',
    description: 'The file: an image (JPEG, PNG, WEBP, GIF) or a video (MP4/MOV, WebM, MPEG-TS).',
  }),
  [ALT_FIELD]: Type.Optional(
    Type.String({
      maxLength: 1000,
      description: 'Alt text, at most 1000 characters; set on X with the upload.',
    }),
  ),
});

const Params = Type.Object(
  { id: Type.String({ description: 'The media id' }) },
  { additionalProperties: false },
);

export function mediaView(row: MediaRow) {
  return {
    id: row.id,
    state: row.state,
    content_type: row.content_type,
    media_category: row.media_category,
    size_bytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sha256: row.sha256,
    alt: row.alt_text,
    source_url: row.source_url,
    error: row.state === 'failed' ? mediaError(row) : null,
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function registerMediaRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.register(async (scope) => {
    await scope.register(multipart, {
      // Fields and files are read as a stream in the handler (request.parts()), never buffered.
      throwFileSizeLimit: false,
      limits: {
        fileSize: deps.config.mediaMaxBytes,
        files: 1,
        fields: 4,
        parts: 6,
        fieldSize: ALT_FIELD_BYTES,
      },
    });
    registerRoutes(scope, deps);
  });
}

function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post(
    '/api/media',
    {
      schema: {
        tags: TAGS,
        summary: 'Upload a media file',
        description:
          `multipart/form-data with the file in a part named \`${FILE_FIELD}\` and optional alt text in a field ` +
          `named \`${ALT_FIELD}\` (at most 1000 characters). The file is streamed to disk; its type is read ` +
          `from its bytes (${POST_MEDIA_TYPES_TEXT}). At most XPOST_MEDIA_MAX_BYTES ` +
          `(${deps.config.mediaMaxBytes} bytes here), and X's own limit for its kind (5 MiB for images, ` +
          '15 MiB for GIFs). Use the returned id in a post: `"media": [{ "id": "…" }]`.',
        body: { content: { 'multipart/form-data': { schema: UploadForm } } },
        response: { 201: MediaView, 413: ProblemSchema, 415: ProblemSchema, 422: ProblemSchema },
      },
      // The body is a stream the handler reads and checks itself; the schema above documents it.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const received = await receiveUpload(request, {
        dataDir: deps.config.dataDir,
        maxBytes: deps.config.mediaMaxBytes,
      });
      let row: MediaRow;
      try {
        const { rows } = await deps.db.query<MediaRow>(
          media.insertUploaded({
            id: received.mediaId,
            apiKeyId: request.apiKeyId,
            localPath: received.file.path,
            contentType: received.kind.contentType,
            mediaCategory: received.kind.mediaCategory,
            sizeBytes: received.file.size,
            sha256: received.file.sha256,
            altText: received.alt,
            now: deps.clock(),
          }),
        );
        row = rows[0]!;
      } catch (error) {
        await removeMediaFile(received.file.path);
        throw error;
      }
      await addCounter(deps.db, COUNTERS.mediaBytesIn, { source: 'upload' }, received.file.size).catch(
        (error: unknown) =>
          request.log.warn({ err: error }, 'media: the received-bytes counter was not updated'),
      );
      return reply.status(201).send(mediaView(row));
    },
  );

  app.get(
    '/api/media/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Show a media item',
        description: 'An uploaded file, or media a post gave by URL (with its fetch state and any error).',
        params: Params,
        response: { 200: MediaView, 404: ProblemSchema },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      return mediaView(await find(deps, id));
    },
  );

  app.delete(
    '/api/media/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a media item',
        description:
          'Deletes the media and its file. Refused (409) while a post that is not finished (draft, scheduled ' +
          'or being published) uses it: cancel or edit that post first. Media already on X stay there.',
        params: Params,
        response: { 204: Type.Null({ description: 'Deleted' }), 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      await find(deps, id);
      const deleted = await deps.db.transaction(async (tx) => {
        const locked = await tx.query<MediaRow>(media.lock(id.toLowerCase()));
        if (!locked.rows[0]) return undefined;
        const { rows } = await tx.query<{ id: string }>(media.usedByUnfinishedPosts(id.toLowerCase()));
        if (rows.length > 0) {
          throw new ServiceError(
            409,
            'media_in_use',
            `media ${id} is used by a post not yet published (${rows.map((r) => r.id).join(', ')}); ` +
              'cancel that post or edit it to use other media, then delete the media',
          );
        }
        return (await tx.query<{ id: string; local_path: string | null }>(media.delete(id.toLowerCase())))
          .rows[0];
      });
      if (!deleted) throw notFound(id);
      // The row is gone first: a file without a row is harmless, a row without its file is not.
      if (deleted.local_path) await removeMediaFile(deleted.local_path);
      return reply.status(204).send();
    },
  );
}

async function find(deps: RouteDeps, id: string): Promise<MediaRow> {
  if (!UUID.test(id)) throw notFound(id);
  const { rows } = await deps.db.query<MediaRow>(media.get(id.toLowerCase()));
  if (!rows[0]) throw notFound(id);
  return rows[0];
}

function notFound(id: string): ServiceError {
  return new ServiceError(
    404,
    'not_found',
    `no media has the id "${id.slice(0, 100)}"; upload a file with POST /api/media to get one`,
  );
}

/**
 * JSON schemas of the media request bodies, written from spec v2.167 (REFERENCE §4.1) and checked
 * against the official `openapi.json` by test/emulator/openapi-media.test.ts. Where ours is
 * stricter than the spec (required fields, `total_bytes` ≥ 1, ≤ 100 `additional_owners`), the
 * stricter rule is X's documented behaviour the spec does not spell out.
 */

export const MEDIA_TYPES = [
  'video/mp4',
  'video/webm',
  'video/mp2t',
  'video/quicktime',
  'text/srt',
  'text/vtt',
  'image/jpeg',
  'image/gif',
  'image/bmp',
  'image/png',
  'image/webp',
  'image/pjpeg',
  'image/tiff',
  'model/gltf-binary',
  'model/vnd.usdz+zip',
] as const;

export const MEDIA_CATEGORIES = [
  'amplify_video',
  'tweet_gif',
  'tweet_image',
  'tweet_video',
  'dm_gif',
  'dm_image',
  'dm_video',
  'subtitles',
] as const;

/** One-shot `POST /2/media/upload` categories in v2.167 (REFERENCE §4.1, Uncertain 8). */
export const ONE_SHOT_CATEGORIES = [
  'tweet_image',
  'tweet_video',
  'tweet_gif',
  'dm_image',
  'dm_video',
  'dm_gif',
  'subtitles',
] as const;

/** Spec v2.165+ `total_bytes` maximum: 16 GiB (REFERENCE §4.3). */
export const MAX_TOTAL_BYTES = 17_179_869_184;
/** `additional_owners`: up to 100 user ids (REFERENCE §4.1). */
export const MAX_ADDITIONAL_OWNERS = 100;
export const ALT_TEXT_MAX_LENGTH = 1000;
export const SEGMENT_INDEX_MAX = 999;
const USER_ID_PATTERN = '^[0-9]{1,19}$';

export const initializeBodySchema = {
  type: 'object',
  required: ['media_type', 'total_bytes'],
  properties: {
    media_type: { type: 'string', enum: [...MEDIA_TYPES] },
    total_bytes: { type: 'integer', minimum: 1, maximum: MAX_TOTAL_BYTES },
    media_category: { type: 'string', enum: [...MEDIA_CATEGORIES] },
    shared: { type: 'boolean' },
    additional_owners: {
      type: 'array',
      maxItems: MAX_ADDITIONAL_OWNERS,
      items: { type: 'string', pattern: USER_ID_PATTERN },
    },
  },
  additionalProperties: false,
} as const;

/** Only `alt_text` has behaviour here; the spec's other metadata objects are accepted and ignored. */
export const metadataBodySchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: USER_ID_PATTERN },
    metadata: {
      type: 'object',
      properties: {
        alt_text: {
          type: 'object',
          required: ['text'],
          properties: { text: { type: 'string', maxLength: ALT_TEXT_MAX_LENGTH } },
        },
      },
    },
  },
} as const;

export const mediaIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: USER_ID_PATTERN } },
} as const;

export interface InitializeBody {
  media_type: (typeof MEDIA_TYPES)[number];
  total_bytes: number;
  media_category?: (typeof MEDIA_CATEGORIES)[number];
  shared?: boolean;
  additional_owners?: string[];
}

export interface MetadataBody {
  id: string;
  metadata?: { alt_text?: { text: string } } & Record<string, unknown>;
}

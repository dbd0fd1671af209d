import { describe, expect, it } from 'vitest';
import { initializeBodySchema, metadataBodySchema } from '../../src/emulator/media/schemas.js';
import {
  compileSchema,
  HAVE_SPEC,
  officialRequestBodySchema,
  SPEC_ABSENT_MESSAGE,
} from '../helpers/openapi.js';

if (!HAVE_SPEC) console.warn(`openapi-media: ${SPEC_ABSENT_MESSAGE}`);

const owners = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

/** [description, body, accepted]: both the official schema and ours must agree. */
const INITIALIZE_CASES: Array<[string, unknown, boolean]> = [
  [
    'a video with category',
    { media_type: 'video/mp4', total_bytes: 1000, media_category: 'tweet_video' },
    true,
  ],
  ['an image without category', { media_type: 'image/png', total_bytes: 1 }, true],
  [
    'shared and additional_owners',
    { media_type: 'image/gif', total_bytes: 5, shared: true, additional_owners: ['12'] },
    true,
  ],
  ['the 16 GiB maximum', { media_type: 'video/mp4', total_bytes: 17179869184 }, true],
  ['subtitles', { media_type: 'text/srt', total_bytes: 100, media_category: 'subtitles' }, true],
  ['an unknown field', { media_type: 'image/png', total_bytes: 1, colour: 'red' }, false],
  ['an unknown media_type', { media_type: 'image/heic', total_bytes: 1 }, false],
  [
    'an unknown media_category',
    { media_type: 'image/png', total_bytes: 1, media_category: 'tweet_photo' },
    false,
  ],
  ['total_bytes over 16 GiB', { media_type: 'video/mp4', total_bytes: 17179869185 }, false],
  ['total_bytes as a string', { media_type: 'video/mp4', total_bytes: '1000' }, false],
  ['total_bytes as a fraction', { media_type: 'video/mp4', total_bytes: 10.5 }, false],
  ['a non-numeric owner id', { media_type: 'image/png', total_bytes: 1, additional_owners: ['abc'] }, false],
  [
    'a 20-digit owner id',
    { media_type: 'image/png', total_bytes: 1, additional_owners: ['12345678901234567890'] },
    false,
  ],
  ['shared as a string', { media_type: 'image/png', total_bytes: 1, shared: 'yes' }, false],
];

/** Where ours is deliberately stricter than the spec (X's documented rules, REFERENCE §4.1–4.3). */
const INITIALIZE_STRICTER: Array<[string, unknown]> = [
  ['no total_bytes', { media_type: 'image/png' }],
  ['no media_type', { total_bytes: 10 }],
  ['total_bytes 0', { media_type: 'image/png', total_bytes: 0 }],
  ['101 additional owners', { media_type: 'image/png', total_bytes: 1, additional_owners: owners(101) }],
];

const METADATA_CASES: Array<[string, unknown, boolean]> = [
  ['alt text', { id: '1146654567674912769', metadata: { alt_text: { text: 'A cat' } } }, true],
  ['1000 characters of alt text', { id: '1', metadata: { alt_text: { text: 'a'.repeat(1000) } } }, true],
  ['only an id', { id: '1' }, true],
  [
    'other metadata next to alt text',
    { id: '1', metadata: { alt_text: { text: 'x' }, allow_download_status: { allow_download: true } } },
    true,
  ],
  ['1001 characters of alt text', { id: '1', metadata: { alt_text: { text: 'a'.repeat(1001) } } }, false],
  ['no id', { metadata: { alt_text: { text: 'x' } } }, false],
  ['a non-numeric id', { id: 'abc', metadata: { alt_text: { text: 'x' } } }, false],
  ['alt_text without text', { id: '1', metadata: { alt_text: {} } }, false],
  ['alt text as a number', { id: '1', metadata: { alt_text: { text: 5 } } }, false],
];

describe.skipIf(!HAVE_SPEC)('media request schemas agree with the official openapi.json', () => {
  describe('POST /2/media/upload/initialize', () => {
    const official = compileSchema(officialRequestBodySchema('post', '/2/media/upload/initialize'));
    const ours = compileSchema(initializeBodySchema);
    it.each(INITIALIZE_CASES)('%s: accepted=%s by both', (_name, body, accepted) => {
      expect(official(body)).toBe(accepted);
      expect(ours(body)).toBe(accepted);
    });
    it.each(INITIALIZE_STRICTER)('%s: the spec allows it, ours refuses it on purpose', (_name, body) => {
      expect(official(body)).toBe(true);
      expect(ours(body)).toBe(false);
    });
  });

  describe('POST /2/media/metadata', () => {
    const official = compileSchema(officialRequestBodySchema('post', '/2/media/metadata'));
    const ours = compileSchema(metadataBodySchema);
    it.each(METADATA_CASES)('%s: accepted=%s by both', (_name, body, accepted) => {
      expect(official(body)).toBe(accepted);
      expect(ours(body)).toBe(accepted);
    });
  });
});

import { XMediaError } from '../errors/x-media-error.js';
import { XValidationError } from '../errors/x-validation-error.js';
import { detectMediaType, MEDIA_TYPES } from './detect-type.js';
import {
  categoryAccepts,
  categoryForType,
  formatBytes,
  KiB,
  MAX_ALT_TEXT_LENGTH,
  MAX_CHUNK_SIZE,
  MAX_SEGMENTS,
  MEDIA_SIZE_LIMITS,
} from './limits.js';
import type { MediaCategory } from './types.js';

export interface UploadPlan {
  mediaType: string;
  mediaCategory: MediaCategory;
  totalBytes: number;
  chunkSize: number;
}

export interface PlanInput {
  name: string;
  size: number;
  /** The first bytes (at least `DETECT_TYPE_BYTES` when the file has them). */
  head: Uint8Array;
  mediaType?: string;
  mediaCategory?: MediaCategory;
  premium?: boolean;
  chunkSize: number;
}

const FORMATS = 'JPEG, PNG, GIF, WEBP, BMP, TIFF, MP4/MOV, WebM, MPEG-TS, SRT or WebVTT';

/**
 * Everything X would refuse about the file, decided before a byte is sent: its type from its magic
 * numbers, the category, the category's size limit (REFERENCE §4.3) and the 1000-segment cap
 * (REFERENCE §4.2). Messages name the limit and the file's own figure.
 */
export function planUpload(input: PlanInput): UploadPlan {
  const { name, size } = input;
  if (size === 0)
    throw new XMediaError(`${name} is empty; there is nothing to upload`, { code: 'empty', actual: 0 });

  const detected = detectMediaType(input.head);
  const mediaType = input.mediaType ?? detected;
  if (!mediaType) {
    throw new XMediaError(`${name}: its first bytes match no format X takes (${FORMATS})`, {
      code: 'unsupported_type',
    });
  }
  if (!MEDIA_TYPES.includes(mediaType)) {
    throw new XMediaError(
      `${name}: X does not take media_type ${mediaType}; it takes ${MEDIA_TYPES.join(', ')}`,
      {
        code: 'unsupported_type',
      },
    );
  }
  const mediaCategory = input.mediaCategory ?? categoryForType(mediaType);
  if (!mediaCategory) {
    throw new XMediaError(`${name} is ${mediaType}, which has no default category; pass mediaCategory`, {
      code: 'unsupported_type',
    });
  }
  if (!categoryAccepts(mediaCategory, mediaType)) {
    throw new XMediaError(`${name} is ${mediaType}, which media_category ${mediaCategory} does not take`, {
      code: 'unsupported_type',
    });
  }

  const premium = input.premium === true;
  const limit = MEDIA_SIZE_LIMITS[premium ? 'premium' : 'standard'][mediaCategory];
  if (size > limit) {
    const premiumLimit = MEDIA_SIZE_LIMITS.premium[mediaCategory];
    const hint =
      !premium && premiumLimit > limit
        ? ` (${formatBytes(premiumLimit)} with X Premium: pass premium: true)`
        : '';
    const [sizeText, limitText] = distinctSizes(size, limit);
    throw new XMediaError(
      `${name} is ${sizeText}; ${mediaCategory} allows at most ${limitText}${premium ? ' with X Premium' : ''}${hint}`,
      { code: 'too_large', limit, actual: size },
    );
  }

  return { mediaType, mediaCategory, totalBytes: size, chunkSize: chunkSizeFor(name, size, input.chunkSize) };
}

/** Two sizes in binary units, or in bytes when rounding would make them read the same. */
function distinctSizes(a: number, b: number): [string, string] {
  const [x, y] = [formatBytes(a), formatBytes(b)];
  return x === y ? [`${a} bytes`, `${b} bytes`] : [x, y];
}

/** The chunk size, grown (in whole KiB, up to 4 MiB) when the file would need more than 1000 segments. */
export function chunkSizeFor(name: string, size: number, chunkSize: number): number {
  if (Math.ceil(size / chunkSize) <= MAX_SEGMENTS) return chunkSize;
  const grown = Math.ceil(size / MAX_SEGMENTS / KiB) * KiB;
  if (grown <= MAX_CHUNK_SIZE) return grown;
  throw new XMediaError(
    `${name} is ${formatBytes(size)}; X takes at most ${MAX_SEGMENTS} segments of at most ${formatBytes(MAX_CHUNK_SIZE)} (${formatBytes(MAX_SEGMENTS * MAX_CHUNK_SIZE)})`,
    { code: 'too_many_segments', limit: MAX_SEGMENTS * MAX_CHUNK_SIZE, actual: size },
  );
}

/** Alt text over X's 1000 characters (REFERENCE §4.1), caught before anything is sent. */
export function checkAltText(altText: string | undefined): void {
  if (altText === undefined) return;
  if (typeof altText !== 'string') {
    throw new XValidationError([{ field: 'altText', rule: 'type', message: 'altText must be a string' }], {
      endpoint: 'media.upload',
    });
  }
  const length = [...altText].length;
  if (length > MAX_ALT_TEXT_LENGTH) {
    throw new XValidationError(
      [
        {
          field: 'altText',
          rule: 'length',
          message: `altText is ${length} characters; X allows at most ${MAX_ALT_TEXT_LENGTH}`,
        },
      ],
      { endpoint: 'media.upload' },
    );
  }
}

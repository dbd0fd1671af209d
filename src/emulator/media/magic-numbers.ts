/**
 * Image sizes from header bytes, for FINALIZE's `image` field. Which format the bytes are lives in the
 * SDK (`src/x/media/detect-type.ts`), the one implementation of magic numbers, re-exported here.
 */
import type { FileKind } from '../../x/media/detect-type.js';

export {
  detectKind,
  type FileKind,
  matchesDeclaredType,
  mediaTypeOfKind,
} from '../../x/media/detect-type.js';

/** How many leading bytes FINALIZE keeps: enough for every signature and most image headers. */
export const HEADER_BYTES = 64 * 1024;

export interface ImageSize {
  w: number;
  h: number;
}

/** Width and height from a PNG, GIF, WEBP or JPEG header, when the header holds them. */
export function imageSize(kind: FileKind | undefined, header: Buffer): ImageSize | undefined {
  try {
    switch (kind) {
      case 'png':
        return { w: header.readUInt32BE(16), h: header.readUInt32BE(20) };
      case 'gif':
        return { w: header.readUInt16LE(6), h: header.readUInt16LE(8) };
      case 'webp':
        return webpSize(header);
      case 'jpeg':
        return jpegSize(header);
      default:
        return undefined;
    }
  } catch {
    // A header cut short (RangeError): no size, the upload itself is still fine.
    return undefined;
  }
}

function webpSize(b: Buffer): ImageSize | undefined {
  const chunk = b.subarray(12, 16).toString('latin1');
  if (chunk === 'VP8X') return { w: 1 + b.readUIntLE(24, 3), h: 1 + b.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { w: 1 + (bits & 0x3fff), h: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { w: b.readUInt16LE(26) & 0x3fff, h: b.readUInt16LE(28) & 0x3fff };
  return undefined;
}

/** Walk the JPEG markers to the first start-of-frame (SOF0–SOF15 except DHT, JPG and DAC). */
function jpegSize(b: Buffer): ImageSize | undefined {
  let offset = 2;
  while (offset + 9 < b.length) {
    if (b[offset] !== 0xff) return undefined;
    const marker = b[offset + 1]!;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    const length = b.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { h: b.readUInt16BE(offset + 5), w: b.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}

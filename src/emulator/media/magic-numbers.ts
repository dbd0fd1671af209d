/**
 * What the first bytes of a file say it is. FINALIZE compares this with the declared `media_type`:
 * X rejects an image whose bytes are not that image at once, and fails video/GIF processing
 * (REFERENCE §4.1 failure payload). Only signatures are checked, not whole containers.
 */

/** How many leading bytes FINALIZE keeps: enough for every signature and most image headers. */
export const HEADER_BYTES = 64 * 1024;

/** Container kinds, one per family of declared types that share a signature. */
export type FileKind =
  | 'jpeg'
  | 'png'
  | 'gif'
  | 'webp'
  | 'bmp'
  | 'tiff'
  | 'mp4'
  | 'webm'
  | 'mp2t'
  | 'vtt'
  | 'srt'
  | 'glb'
  | 'zip';

const KIND_OF_TYPE: Record<string, FileKind[]> = {
  'image/jpeg': ['jpeg'],
  'image/pjpeg': ['jpeg'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'image/bmp': ['bmp'],
  'image/tiff': ['tiff'],
  'video/mp4': ['mp4'],
  'video/quicktime': ['mp4'],
  'video/webm': ['webm'],
  'video/mp2t': ['mp2t'],
  'text/vtt': ['vtt'],
  // Many .srt files are served as plain text; a VTT file is acceptable text too.
  'text/srt': ['srt', 'vtt'],
  'model/gltf-binary': ['glb'],
  'model/vnd.usdz+zip': ['zip'],
};

/** The MIME type one-shot uploads assume when `media_type` is not sent. */
const TYPE_OF_KIND: Record<FileKind, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  tiff: 'image/tiff',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mp2t: 'video/mp2t',
  vtt: 'text/vtt',
  srt: 'text/srt',
  glb: 'model/gltf-binary',
  zip: 'model/vnd.usdz+zip',
};

const MOV_ATOMS = ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot'];

export function detectKind(header: Buffer): FileKind | undefined {
  const ascii = (start: number, end: number) => header.subarray(start, end).toString('latin1');
  if (header.length >= 3 && header[0] === 0xff && header[1] === 0xd8 && header[2] === 0xff) return 'jpeg';
  if (header.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'png';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (header.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))) return 'webm';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  if (ascii(0, 4) === 'glTF') return 'glb';
  if (ascii(0, 4) === 'PK\x03\x04') return 'zip';
  // MP4 and QuickTime: an atom type at offset 4 (`ftyp` first in MP4, older MOVs start elsewhere).
  if (header.length >= 8 && MOV_ATOMS.includes(ascii(4, 8))) return 'mp4';
  // MPEG-TS: 188-byte packets, each starting with the 0x47 sync byte.
  if (header[0] === 0x47 && header.length >= 188 && (header.length < 189 || header[188] === 0x47))
    return 'mp2t';
  if (ascii(0, 2) === 'BM') return 'bmp';
  const text = header.toString('utf8').replace(/^\uFEFF/, '');
  if (text.startsWith('WEBVTT')) return 'vtt';
  if (/^\s*\d+\s*\r?\n\s*\d\d:\d\d:\d\d[,.]\d+\s*-->/.test(text)) return 'srt';
  return undefined;
}

export function matchesDeclaredType(mediaType: string, kind: FileKind | undefined): boolean {
  return kind !== undefined && (KIND_OF_TYPE[mediaType] ?? []).includes(kind);
}

export function mediaTypeOfKind(kind: FileKind): string {
  return TYPE_OF_KIND[kind];
}

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

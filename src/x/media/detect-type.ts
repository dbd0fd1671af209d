/**
 * What the first bytes of a file say it is (magic numbers), the one implementation: the SDK picks
 * `media_type` from it before sending a byte, and the emulator's FINALIZE compares it with the declared
 * type (X rejects an image whose bytes are not that image at once, and fails video/GIF processing,
 * REFERENCE §4.1). Only signatures are checked, not whole containers.
 */

/** How many leading bytes are enough for every signature (MPEG-TS needs 189, SRT a few lines). */
export const DETECT_TYPE_BYTES = 4096;

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

/** The MIME type each kind is sent as (and what one-shot uploads assume without `media_type`). */
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

export function detectKind(bytes: Uint8Array): FileKind | undefined {
  const header = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
  const text = header
    .subarray(0, DETECT_TYPE_BYTES)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  if (text.startsWith('WEBVTT')) return 'vtt';
  if (/^\s*\d+\s*\r?\n\s*\d\d:\d\d:\d\d[,.]\d+\s*-->/.test(text)) return 'srt';
  return undefined;
}

/** The MIME type the first bytes say, e.g. `video/mp4`, or undefined for no supported format. */
export function detectMediaType(bytes: Uint8Array): string | undefined {
  const kind = detectKind(bytes);
  return kind ? TYPE_OF_KIND[kind] : undefined;
}

export function matchesDeclaredType(mediaType: string, kind: FileKind | undefined): boolean {
  return kind !== undefined && (KIND_OF_TYPE[mediaType] ?? []).includes(kind);
}

export function mediaTypeOfKind(kind: FileKind): string {
  return TYPE_OF_KIND[kind];
}

/** Every `media_type` X's INITIALIZE accepts (REFERENCE §4.1). */
export const MEDIA_TYPES: readonly string[] = Object.keys(KIND_OF_TYPE);

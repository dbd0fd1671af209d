import { createHash } from 'node:crypto';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { type ApiResponse, api } from './emulator.js';

/** Small files whose headers are real enough for the emulator's magic-number and size checks. */

export function png(w: number, h: number, size = 64): Buffer {
  const b = Buffer.alloc(Math.max(size, 33));
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  return b;
}

export function jpeg(w: number, h: number, size = 64): Buffer {
  const b = Buffer.alloc(Math.max(size, 32));
  // SOI, an APP0 segment of 16 bytes, then SOF0 with height and width.
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]).copy(b, 0);
  b.write('JFIF\0', 6, 'latin1');
  Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08]).copy(b, 20);
  b.writeUInt16BE(h, 25);
  b.writeUInt16BE(w, 27);
  return b;
}

export function gif(w: number, h: number, size = 64): Buffer {
  const b = Buffer.alloc(Math.max(size, 13));
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(w, 6);
  b.writeUInt16LE(h, 8);
  return b;
}

export function mp4(size: number): Buffer {
  const b = Buffer.alloc(size, 7);
  b.writeUInt32BE(24, 0);
  b.write('ftypisom', 4, 'latin1');
  return b;
}

export function sha256(...parts: Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

export interface Auth {
  token?: string;
}

export function initialize(emu: EmulatorHandle, json: unknown, auth: Auth = {}): Promise<ApiResponse> {
  return api(emu, 'POST', '/2/media/upload/initialize', { json, token: auth.token });
}

export function append(
  emu: EmulatorHandle,
  id: string,
  index: number | string,
  bytes: Buffer,
  auth: Auth = {},
): Promise<ApiResponse> {
  const form = new FormData();
  form.set('segment_index', String(index));
  form.set('media', new Blob([bytes]));
  return api(emu, 'POST', `/2/media/upload/${id}/append`, { body: form, token: auth.token });
}

export function finalize(emu: EmulatorHandle, id: string, auth: Auth = {}): Promise<ApiResponse> {
  return api(emu, 'POST', `/2/media/upload/${id}/finalize`, { token: auth.token });
}

export function status(emu: EmulatorHandle, id: string, auth: Auth = {}): Promise<ApiResponse> {
  return api(emu, 'GET', `/2/media/upload?command=STATUS&media_id=${id}`, { token: auth.token });
}

/** INITIALIZE, APPEND in `chunk`-sized segments, FINALIZE; returns the FINALIZE response. */
export async function uploadChunked(
  emu: EmulatorHandle,
  bytes: Buffer,
  mediaType: string,
  options: { category?: string; chunk?: number; token?: string } = {},
): Promise<ApiResponse> {
  const init = await initialize(
    emu,
    {
      media_type: mediaType,
      total_bytes: bytes.length,
      ...(options.category ? { media_category: options.category } : {}),
    },
    options,
  );
  if (init.status !== 200) throw new Error(`INITIALIZE failed: ${init.status} ${init.text}`);
  const id = init.body.data.id as string;
  const chunk = options.chunk ?? 1024 * 1024;
  for (let i = 0, offset = 0; offset < bytes.length; i++, offset += chunk) {
    const res = await append(emu, id, i, bytes.subarray(offset, offset + chunk), options);
    if (res.status !== 200) throw new Error(`APPEND ${i} failed: ${res.status} ${res.text}`);
  }
  return finalize(emu, id, options);
}

/** X's 400 body: one `errors[]` entry whose message matches. */
export function expectInvalid(res: ApiResponse, message: RegExp | string): void {
  if (res.status !== 400) throw new Error(`expected 400, got ${res.status}: ${res.text}`);
  const messages = (res.body.errors as Array<{ message: string }>).map((e) => e.message);
  const ok = messages.some((m) => (typeof message === 'string' ? m === message : message.test(m)));
  if (!ok) throw new Error(`no error message matches ${String(message)}: ${JSON.stringify(messages)}`);
  if (res.body.title !== 'Invalid Request') throw new Error(`title was ${res.body.title}`);
}

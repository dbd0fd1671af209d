import { readdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from '../../helpers/emulator.js';
import { png } from '../../helpers/media.js';
import { MiB, mediaClient, mp4Bytes, removeTempFiles, sha256, tempFile } from './upload-helpers.js';

const emu = useEmulator();
afterEach(removeTempFiles);

const video = mp4Bytes(9 * MiB + 123, 7);
const videoSha = sha256(video);
const CHUNK = 1 * MiB;

/** Serves `video` at /clip.mp4 (with content-length) and /chunked.mp4 (without). */
let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/clip.mp4') {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length });
      res.end(video);
    } else if (req.url === '/chunked.mp4') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      Readable.from(pieces(video, 100_000)).pipe(res);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function* pieces(bytes: Buffer, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function webStream(bytes: Buffer, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + size)));
      offset += size;
    },
  });
}

async function spoolDirs(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('xpost-spool-'));
}

describe('media.upload() takes every kind of input and the bytes arrive intact', () => {
  it('a file path', async () => {
    const { client } = mediaClient(emu);
    const path = await tempFile('clip.mp4', video);
    const result = await client.media.upload(path, { chunkSize: CHUNK });
    expect(result).toMatchObject({
      mediaType: 'video/mp4',
      mediaCategory: 'tweet_video',
      size: video.length,
    });
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(videoSha);
  });

  it('a Buffer, cut into views without copying the whole', async () => {
    const { client } = mediaClient(emu);
    const result = await client.media.upload(video, { chunkSize: CHUNK });
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(videoSha);
    expect(emu().requests('POST /2/media/upload/:id/append')).toHaveLength(10);
  });

  it('a Node Readable with its size', async () => {
    const { client } = mediaClient(emu);
    const stream = Readable.from(pieces(video, 65_536));
    const result = await client.media.upload(stream, { size: video.length, chunkSize: CHUNK });
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(videoSha);
  });

  it('a web ReadableStream with its size', async () => {
    const { client } = mediaClient(emu);
    const result = await client.media.upload(webStream(video, 300_000), {
      size: video.length,
      chunkSize: CHUNK,
    });
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(videoSha);
  });

  it('a stream without a size is spooled to a temporary file, deleted afterwards', async () => {
    const { client } = mediaClient(emu);
    const before = await spoolDirs();
    const result = await client.media.upload(Readable.from(pieces(video, 50_000)), { chunkSize: CHUNK });
    expect(result.size).toBe(video.length);
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(videoSha);
    expect(await spoolDirs()).toEqual(before);
  });

  it('an http URL with content-length, streamed through the client fetch', async () => {
    const fetched: string[] = [];
    const { client } = mediaClient(emu, {
      fetch: (input, init) => {
        fetched.push(String(input));
        return fetch(input, init);
      },
    });
    const result = await client.media.upload(`${base}/clip.mp4`, { chunkSize: CHUNK });
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(videoSha);
    expect(fetched[0]).toBe(`${base}/clip.mp4`);
  });

  it('an http URL without content-length is spooled first', async () => {
    const { client } = mediaClient(emu);
    const before = await spoolDirs();
    const result = await client.media.upload(new URL(`${base}/chunked.mp4`), { chunkSize: CHUNK });
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(videoSha);
    expect(await spoolDirs()).toEqual(before);
  });

  it('a URL that answers 404 fails before anything is sent to X', async () => {
    const { client } = mediaClient(emu);
    await expect(client.media.upload(`${base}/missing.mp4`)).rejects.toMatchObject({
      name: 'XMediaError',
      code: 'source_unreadable',
    });
    expect(emu().requestCounts()['POST /2/media/upload/initialize'] ?? 0).toBe(0);
  });

  it('a stream shorter than the size it was given fails with size_mismatch', async () => {
    const { client } = mediaClient(emu);
    const stream = Readable.from(pieces(video.subarray(0, 2 * MiB), 65_536));
    await expect(client.media.upload(stream, { size: 3 * MiB, chunkSize: CHUNK })).rejects.toMatchObject({
      code: 'size_mismatch',
    });
  });

  it('an image Buffer is one segment and needs no processing', async () => {
    const { client } = mediaClient(emu);
    const image = png(640, 480, 200_000);
    const result = await client.media.upload(image);
    expect(result).toMatchObject({ mediaType: 'image/png', mediaCategory: 'tweet_image' });
    expect(result.processing).toBeUndefined();
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(sha256(image));
    expect(emu().requestCounts()['GET /2/media/upload'] ?? 0).toBe(0);
  });
});

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect, it } from 'vitest';
import { loadServiceConfig } from '../../../src/service/config.js';
import { registerMediaRoutes } from '../../../src/service/routes/media.js';
import { describeDatabases } from '../../helpers/database.js';
import { buildTestServiceApp } from '../../helpers/service-app.js';

/**
 * `POST /api/media` streams to disk: a 64 MiB upload through a real listening server must not grow the
 * process's memory in proportion. Memory is sampled after a forced garbage collection while the
 * upload runs, so only what is still held counts (heap and Buffers alike).
 */

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
const CHUNK = 64 * 1024;

function held(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describeDatabases('POST /api/media memory', ({ db, backend }) => {
  it('a 64 MiB upload holds no more than ~16 MiB at any time, and lands byte for byte', async () => {
    // One backend is enough for a memory measurement; the other runs the same path.
    const home = await mkdtemp(join(tmpdir(), 'xpost-media-memory-'));
    const config = loadServiceConfig({ XPOST_HOME: home, XPOST_MEDIA_MAX_BYTES: '128MiB' });
    const t = await buildTestServiceApp({
      db: db(),
      config,
      register: (app, deps) => registerMediaRoutes(app, deps),
    });
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (t.app.server.address() as AddressInfo).port;
      const boundary = 'xpost-memory-test-boundary';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nbig video\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n` +
          'Content-Type: video/mp4\r\n\r\n',
      );
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const hash = createHash('sha256');
      // One reusable chunk; the first carries an MP4 signature.
      const chunk = Buffer.alloc(CHUNK, 0x5a);
      const first = Buffer.from(chunk);
      first.writeUInt32BE(24, 0);
      first.write('ftypisom', 4, 'latin1');

      const baseline = held();
      let peak = 0;
      // Sampled from the sending loop every 4 MiB: the server is then busy with the bytes before them.
      const sample = () => {
        peak = Math.max(peak, held() - baseline);
      };
      const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/media',
            headers: {
              ...t.headers,
              'content-type': `multipart/form-data; boundary=${boundary}`,
              'content-length': head.length + SIZE + tail.length,
            },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              body += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        let sent = 0;
        const pump = () => {
          if (sent === 0) req.write(head);
          while (sent < SIZE) {
            const piece = sent === 0 ? first : chunk;
            hash.update(piece);
            sent += piece.length;
            if (sent % (4 * MiB) === 0) sample();
            if (!req.write(piece)) {
              req.once('drain', pump);
              return;
            }
          }
          req.end(tail);
        };
        pump();
      });
      sample();

      expect(response.status, response.body).toBe(201);
      const created = JSON.parse(response.body);
      expect(created).toMatchObject({ size_bytes: SIZE, content_type: 'video/mp4', alt: 'big video' });
      expect(created.sha256).toBe(hash.copy().digest('hex'));
      // Proportional buffering would hold ≥ 64 MiB; streaming holds a few chunks.
      expect(peak, `peak growth ${(peak / MiB).toFixed(1)} MiB on ${backend}`).toBeLessThan(16 * MiB);
      const onDisk = createHash('sha256').update(await readFile(join(home, 'data', 'media', created.id)));
      expect(onDisk.digest('hex')).toBe(created.sha256);
    } finally {
      await t.app.close();
      await rm(home, { recursive: true, force: true });
    }
  }, 60_000);
});

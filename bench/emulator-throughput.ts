/**
 * How fast the emulator answers, so later benchmarks know it is not the bottleneck they measure:
 * small requests per second (GET /2/users/me, POST /2/tweets) and upload ingest (a 256 MiB video in
 * 4 MiB APPENDs, sequential and 4 in flight). There is no peer emulator to compare with.
 */
import { startEmulator } from '../src/emulator/index.js';
import { printTable } from './table.js';

const MiB = 1024 * 1024;

export async function emulatorThroughput(): Promise<void> {
  const x = await startEmulator({
    rateLimits: {
      endpoints: {
        'GET /2/users/me': [],
        'POST /2/tweets': [],
      },
    },
  });
  const auth = { authorization: `Bearer ${x.user.accessToken}` };
  try {
    const rows: string[][] = [];
    rows.push(
      await measure('GET /2/users/me', 4000, 16, () => fetch(`${x.url}/2/users/me`, { headers: auth })),
    );
    let n = 0;
    rows.push(
      await measure('POST /2/tweets', 2000, 16, () =>
        fetch(`${x.url}/2/tweets`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ text: `bench post ${n++}` }),
        }),
      ),
    );
    printTable(['requests', 'count', 'concurrency', 'req/s', 'p50 ms', 'p99 ms'], rows);

    const uploads: string[][] = [];
    for (const inFlight of [1, 4]) uploads.push(await upload(x.url, auth, 256 * MiB, 4 * MiB, inFlight));
    printTable(
      [
        'upload',
        'size',
        'segment',
        'in flight',
        'seconds',
        'MB/s',
        'RSS growth (client + emulator, one process)',
      ],
      uploads,
    );
  } finally {
    await x.close();
  }
}

async function measure(name: string, count: number, concurrency: number, call: () => Promise<Response>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const t = performance.now();
        const res = await call();
        await res.arrayBuffer();
        if (res.status >= 400) throw new Error(`${name} answered ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2);
  return [name, String(count), String(concurrency), (count / seconds).toFixed(0), pct(0.5), pct(0.99)];
}

async function upload(
  url: string,
  auth: Record<string, string>,
  total: number,
  segment: number,
  inFlight: number,
) {
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const init = await fetch(`${url}/2/media/upload/initialize`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ media_type: 'video/mp4', total_bytes: total, media_category: 'tweet_video' }),
  });
  const { data } = (await init.json()) as { data: { id: string } };
  const chunk = new Uint8Array(segment);
  chunk.set([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70], 0); // "....ftyp": an MP4 header
  const segments = Math.ceil(total / segment);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < segments) {
        const index = next++;
        const size = Math.min(segment, total - index * segment);
        const form = new FormData();
        form.set('segment_index', String(index));
        form.set('media', new Blob([chunk.subarray(0, size)]));
        const res = await fetch(`${url}/2/media/upload/${data.id}/append`, {
          method: 'POST',
          headers: auth,
          body: form,
        });
        await res.arrayBuffer();
        if (res.status >= 400) throw new Error(`APPEND ${index} answered ${res.status}`);
      }
    }),
  );
  const fin = await fetch(`${url}/2/media/upload/${data.id}/finalize`, { method: 'POST', headers: auth });
  if (fin.status >= 400) throw new Error(`FINALIZE answered ${fin.status}: ${await fin.text()}`);
  const seconds = (performance.now() - started) / 1000;
  const growth = (process.memoryUsage().rss - rssBefore) / MiB;
  return [
    'chunked (initialize/append/finalize)',
    `${total / MiB} MiB`,
    `${segment / MiB} MiB`,
    String(inFlight),
    seconds.toFixed(2),
    (total / 1e6 / seconds).toFixed(0),
    `${growth.toFixed(0)} MiB`,
  ];
}

import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forbiddenAddressReason } from '../../../src/service/media/address-guard.js';
import { type FetchUrlOptions, fetchMediaUrl, MediaUrlError } from '../../../src/service/media/fetch-url.js';
import { gif, jpeg, mp4, png, sha256 } from '../../helpers/media.js';
import { type MediaServer, startMediaServer } from './media-server.js';

let server: MediaServer;
let dataDir: string;

beforeAll(async () => {
  server = await startMediaServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'xpost-fetch-url-'));
  server.requests.length = 0;
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function options(overrides: Partial<FetchUrlOptions> = {}): FetchUrlOptions {
  return { dataDir, mediaId: randomUUID(), maxBytes: 1024 * 1024, allowPrivate: true, ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<MediaUrlError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MediaUrlError)) throw new Error(`expected a MediaUrlError, got ${String(error)}`);
  return error;
}

/** Nothing of a refused or failed fetch is left in the media folder (no temporary file either). */
async function mediaFiles(): Promise<string[]> {
  return readdir(join(dataDir, 'media')).catch(() => []);
}

describe('fetchMediaUrl', () => {
  it('streams a PNG to <dataDir>/media/<id>, 0600 in a 0700 folder, with its hash and type from the bytes', async () => {
    const body = png(640, 480, 200_000);
    server.file('/a.png', body, { type: 'image/png' });
    const o = options();
    const fetched = await fetchMediaUrl(`${server.url}/a.png?sig=secret`, o);
    expect(fetched).toMatchObject({
      path: join(dataDir, 'media', o.mediaId),
      size: body.length,
      sha256: sha256(body),
      contentType: 'image/png',
      mediaCategory: 'tweet_image',
      finalUrl: `${server.url}/a.png`,
    });
    expect(await readFile(fetched.path)).toEqual(body);
    expect((await stat(fetched.path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'media'))).mode & 0o777).toBe(0o700);
    expect(await mediaFiles()).toEqual([o.mediaId]);
  });

  it('lets the bytes decide: octet-stream, no Content-Type, or a wrong image type all become what the bytes are', async () => {
    server.file('/clip', mp4(4096), { type: 'application/octet-stream' });
    server.file('/anim', gif(10, 10), { type: null });
    server.file('/photo.png', jpeg(10, 10), { type: 'image/png' });
    expect((await fetchMediaUrl(`${server.url}/clip`, options())).contentType).toBe('video/mp4');
    expect(await fetchMediaUrl(`${server.url}/anim`, options())).toMatchObject({
      contentType: 'image/gif',
      mediaCategory: 'tweet_gif',
    });
    expect((await fetchMediaUrl(`${server.url}/photo.png`, options())).contentType).toBe('image/jpeg');
  });

  it('refuses a Content-Type that is not media before reading the body', async () => {
    server.file('/page', png(10, 10), { type: 'text/html; charset=utf-8' });
    const error = await failure(fetchMediaUrl(`${server.url}/page`, options()));
    expect(error.code).toBe('media_url_unsupported_type');
    expect(error.message).toMatch(/text\/html, not an image or a video/);
    expect(await mediaFiles()).toEqual([]);
  });

  it('refuses bytes that are no image or video X takes, even when the header says image', async () => {
    server.file('/fake.jpg', Buffer.from('<html>not a picture</html>'), { type: 'image/jpeg' });
    server.file('/pic.bmp', Buffer.concat([Buffer.from('BM'), Buffer.alloc(100)]), { type: 'image/bmp' });
    for (const path of ['/fake.jpg', '/pic.bmp']) {
      const error = await failure(fetchMediaUrl(`${server.url}${path}`, options()));
      expect(error.code).toBe('media_url_unsupported_type');
      expect(error.message).toMatch(/JPEG, PNG, WEBP and GIF/);
    }
    expect(await mediaFiles()).toEqual([]);
  });

  it('size cap by Content-Length: refused without reading the body', async () => {
    server.file('/big.mp4', mp4(300_000), { type: 'video/mp4' });
    const error = await failure(fetchMediaUrl(`${server.url}/big.mp4`, options({ maxBytes: 100_000 })));
    expect(error.code).toBe('media_url_too_large');
    expect(error.message).toMatch(/XPOST_MEDIA_MAX_BYTES=100000/);
    expect(await mediaFiles()).toEqual([]);
  });

  it('size cap by counting: a chunked body without a length is cut off and nothing is left', async () => {
    server.file('/big-chunked.mp4', mp4(300_000), { type: 'video/mp4', chunked: true });
    const error = await failure(
      fetchMediaUrl(`${server.url}/big-chunked.mp4`, options({ maxBytes: 100_000 })),
    );
    expect(error.code).toBe('media_url_too_large');
    expect(error.message).toMatch(/more than 97.7 KiB/);
    expect(await mediaFiles()).toEqual([]);
    // A lying Content-Length (smaller than the body) is caught by counting too.
    server.route('/liar.mp4', (_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.write(mp4(60_000));
      res.end(mp4(60_000));
    });
    expect(
      (await failure(fetchMediaUrl(`${server.url}/liar.mp4`, options({ maxBytes: 100_000 })))).code,
    ).toBe('media_url_too_large');
  });

  it("size cap by X's category: an image over 5 MiB is refused though the service cap is larger", async () => {
    server.file('/huge.png', png(100, 100, 5 * 1024 * 1024 + 1), { type: 'image/png', chunked: true });
    const error = await failure(
      fetchMediaUrl(`${server.url}/huge.png`, options({ maxBytes: 64 * 1024 * 1024 })),
    );
    expect(error.code).toBe('media_url_too_large');
    expect(error.message).toMatch(/image\/png files \(tweet_image\) can be at most 5 MiB on X/);
    expect(await mediaFiles()).toEqual([]);
  });

  it('an empty body is refused', async () => {
    server.file('/empty', Buffer.alloc(0), { type: 'image/png' });
    const error = await failure(fetchMediaUrl(`${server.url}/empty`, options()));
    expect(error.code).toBe('media_url_unsupported_type');
    expect(error.message).toMatch(/is empty/);
  });

  it('bad statuses: 404 is final, 503 and 429 may pass', async () => {
    server.route('/busy', (_req, res) => res.writeHead(503).end());
    server.route('/slow-down', (_req, res) => res.writeHead(429).end());
    const missing = await failure(fetchMediaUrl(`${server.url}/nothing-here.png`, options()));
    expect(missing).toMatchObject({ code: 'media_url_bad_status', retryable: false });
    expect(missing.options.status).toBe(404);
    expect(await failure(fetchMediaUrl(`${server.url}/busy`, options()))).toMatchObject({
      code: 'media_url_bad_status',
      retryable: true,
    });
    expect((await failure(fetchMediaUrl(`${server.url}/slow-down`, options()))).retryable).toBe(true);
  });

  it('follows up to 5 redirects, relative ones too, and refuses the sixth', async () => {
    const body = png(20, 20);
    server.file('/final.png', body, { type: 'image/png' });
    for (let i = 1; i <= 6; i++) {
      const next = i === 1 ? '/final.png' : `/r${i - 1}`;
      server.route(`/r${i}`, (_req, res) => res.writeHead(i % 2 === 0 ? 302 : 301, { location: next }).end());
    }
    const fetched = await fetchMediaUrl(`${server.url}/r5`, options());
    expect(fetched.sha256).toBe(sha256(body));
    expect(fetched.finalUrl).toBe(`${server.url}/final.png`);
    expect(server.requests).toEqual(['/r5', '/r4', '/r3', '/r2', '/r1', '/final.png']);
    const error = await failure(fetchMediaUrl(`${server.url}/r6`, options()));
    expect(error.code).toBe('media_url_too_many_redirects');
  });

  it('a redirect to a private address is refused before anything is sent to it', async () => {
    const other = await startMediaServer();
    try {
      other.file('/secret.png', png(10, 10), { type: 'image/png' });
      server.route('/hop', (_req, res) =>
        res.writeHead(302, { location: `http://127.0.0.2:${other.port}/secret.png` }).end(),
      );
      server.route('/metadata', (_req, res) =>
        res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
      );
      server.route('/file-scheme', (_req, res) =>
        res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
      );
      // The test server (127.0.0.1) counts as public here; every other private address does not.
      const o = options({
        allowPrivate: false,
        forbidden: (ip) => (ip === '127.0.0.1' ? undefined : forbiddenAddressReason(ip)),
      });
      const loopback = await failure(fetchMediaUrl(`${server.url}/hop`, o));
      expect(loopback.code).toBe('media_url_forbidden_address');
      expect(loopback.message).toMatch(/127\.0\.0\.2, a loopback address/);
      expect(loopback.message).toMatch(/XPOST_ALLOW_PRIVATE_MEDIA_URLS=true/);
      expect(other.requests).toEqual([]);
      expect((await failure(fetchMediaUrl(`${server.url}/metadata`, o))).message).toMatch(
        /169\.254\.169\.254, a link-local address/,
      );
      expect((await failure(fetchMediaUrl(`${server.url}/file-scheme`, o))).code).toBe('media_url_invalid');
      expect(server.requests).toEqual(['/hop', '/metadata', '/file-scheme']);
    } finally {
      await other.close();
    }
  });

  it('connects to the address it checked, whatever the name resolves to later (pinned lookup)', async () => {
    server.file('/pinned.png', png(10, 10), { type: 'image/png' });
    let resolutions = 0;
    const o = options({
      allowPrivate: false,
      // media.invalid does not exist in DNS: the request can only reach the server through the pin.
      resolve: async () => {
        resolutions += 1;
        return [{ address: '127.0.0.1', family: 4 }];
      },
      forbidden: (ip) => (ip === '127.0.0.1' ? undefined : forbiddenAddressReason(ip)),
    });
    const fetched = await fetchMediaUrl(`http://media.invalid:${server.port}/pinned.png`, o);
    expect(fetched.contentType).toBe('image/png');
    expect(resolutions).toBe(1);
  });

  it('a host with any private address among its addresses is refused', async () => {
    const o = options({
      allowPrivate: false,
      resolve: async () => [
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ],
    });
    const error = await failure(fetchMediaUrl('https://cdn.example.com/a.png', o));
    expect(error.code).toBe('media_url_forbidden_address');
    expect(error.message).toMatch(/10\.0\.0\.7, a private address/);
  });

  it('only http and https', async () => {
    for (const url of [
      'ftp://example.com/a.png',
      'file:///etc/passwd',
      'data:image/png;base64,AAAA',
      'not a url',
    ]) {
      expect((await failure(fetchMediaUrl(url, options()))).code).toBe('media_url_invalid');
    }
  });

  it('idle timeout: a server that stops sending, before or after the headers', async () => {
    server.route('/never', () => {
      // no answer at all
    });
    server.route('/stall', (_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.write(mp4(5000));
      // ...and nothing more
    });
    const started = Date.now();
    const silent = await failure(fetchMediaUrl(`${server.url}/never`, options({ idleTimeoutMs: 150 })));
    expect(silent).toMatchObject({ code: 'media_url_timeout', retryable: true });
    const stalled = await failure(fetchMediaUrl(`${server.url}/stall`, options({ idleTimeoutMs: 150 })));
    expect(stalled.code).toBe('media_url_timeout');
    expect(stalled.message).toMatch(/sent nothing for 150 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await mediaFiles()).toEqual([]);
  });

  it('connect timeout: a TLS handshake that never completes', async () => {
    // A TCP server that accepts and says nothing: the https client never finishes connecting.
    const sockets: import('node:net').Socket[] = [];
    const tcp: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (tcp.address() as import('node:net').AddressInfo).port;
      const error = await failure(
        fetchMediaUrl(
          `https://127.0.0.1:${port}/a.png`,
          options({ connectTimeoutMs: 150, idleTimeoutMs: 10_000 }),
        ),
      );
      expect(error).toMatchObject({ code: 'media_url_timeout', retryable: true });
      expect(error.message).toMatch(/could not connect .* within 150 ms/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  });

  it('a connection dropped in the middle of the body is a retryable failure, and nothing is left', async () => {
    server.route('/cut', (_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 100_000 });
      res.write(mp4(5000), () => res.socket?.destroy());
    });
    const error = await failure(fetchMediaUrl(`${server.url}/cut`, options()));
    expect(error).toMatchObject({ code: 'media_url_connect_failed', retryable: true });
    expect(await mediaFiles()).toEqual([]);
  });

  it('a refused connection is a retryable connect failure', async () => {
    const tcp: Server = createServer();
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
    const port = (tcp.address() as import('node:net').AddressInfo).port;
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    const error = await failure(fetchMediaUrl(`http://127.0.0.1:${port}/a.png`, options()));
    expect(error).toMatchObject({ code: 'media_url_connect_failed', retryable: true });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('an abort signal stops the fetch', async () => {
    server.route('/forever', (_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.write(mp4(5000));
    });
    const controller = new AbortController();
    const promise = fetchMediaUrl(`${server.url}/forever`, options({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    expect(await mediaFiles()).toEqual([]);
  });
});

describe('fetchMediaUrl SSRF guard (XPOST_ALLOW_PRIVATE_MEDIA_URLS=false)', () => {
  const refused: [string, RegExp][] = [
    ['http://127.0.0.1:PORT/a.png', /a loopback address/],
    ['http://localhost:PORT/a.png', /a loopback address/],
    ['http://[::1]:PORT/a.png', /a loopback address/],
    ['http://[::ffff:127.0.0.1]:PORT/a.png', /a loopback address/],
    ['http://2130706433:PORT/a.png', /a loopback address/], // 127.0.0.1 as one number
    ['http://0x7f.1:PORT/a.png', /a loopback address/],
    ['http://0.0.0.0:PORT/a.png', /an unspecified address/],
    ['http://[::]:PORT/a.png', /an unspecified address/],
    ['http://10.1.2.3/a.png', /a private address/],
    ['http://172.16.0.1/a.png', /a private address/],
    ['http://192.168.1.1/a.png', /a private address/],
    ['http://[::ffff:10.0.0.1]/a.png', /a private address/],
    ['http://169.254.169.254/latest/meta-data/', /a link-local address/],
    ['http://[fe80::1]/a.png', /a link-local address/],
    ['http://[fd00::1]/a.png', /a unique-local address/],
    ['http://100.64.0.1/a.png', /a carrier-grade NAT address/],
    ['http://224.0.0.1/a.png', /a multicast address/],
    ['http://[ff02::1]/a.png', /a multicast address/],
    ['http://255.255.255.255/a.png', /the broadcast address/],
    ['http://240.0.0.1/a.png', /a reserved address/],
    ['http://192.0.2.1/a.png', /a reserved address/],
    ['http://[64:ff9b::a00:1]/a.png', /a NAT64 address/],
    ['http://[2002:a00:1::]/a.png', /a 6to4 address/],
  ];

  it.each(refused)('%s is refused before connecting', async (template, reason) => {
    server.file('/a.png', png(10, 10), { type: 'image/png' });
    const url = template.replace('PORT', String(server.port));
    const started = Date.now();
    const error = await failure(fetchMediaUrl(url, options({ allowPrivate: false })));
    expect(error.code).toBe('media_url_forbidden_address');
    expect(error.message).toMatch(reason);
    expect(error.message).toMatch(/XPOST_ALLOW_PRIVATE_MEDIA_URLS=true/);
    expect(server.requests).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await mediaFiles()).toEqual([]);
  });

  it('the same local URLs are fetched when private addresses are allowed', async () => {
    server.file('/a.png', png(10, 10), { type: 'image/png' });
    for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]']) {
      const fetched = await fetchMediaUrl(
        `http://${host}:${server.port}/a.png`,
        options({ allowPrivate: true }),
      );
      expect(fetched.contentType).toBe('image/png');
    }
    expect(server.requests).toEqual(['/a.png', '/a.png', '/a.png']);
  });
});

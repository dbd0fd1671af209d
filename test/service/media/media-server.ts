import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server on port 0 that serves media for fetch tests: routes by path, and a log of every
 * request it received (to prove a refused URL was never fetched). Listens on `::` (both IPv4 and
 * IPv6 loopback reach it) when the machine has IPv6, else on 127.0.0.1.
 */
export interface MediaServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Paths requested, in order. */
  requests: string[];
  /** Serve `path` with this handler (replaces an earlier one). */
  route(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  /** Serve bytes with a content type (and Content-Length unless `chunked`). */
  file(path: string, body: Buffer, options?: { type?: string | null; chunked?: boolean }): void;
  close(): Promise<void>;
}

export async function startMediaServer(): Promise<MediaServer> {
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const requests: string[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(path);
    const handler = routes.get(path);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', () => {
      // No IPv6 here: IPv4 loopback only.
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.listen({ port: 0, host: '::', ipv6Only: false }, () => resolve());
    void reject;
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    route: (path, handler) => routes.set(path, handler),
    file: (path, body, options = {}) =>
      routes.set(path, (_req, res) => {
        const headers: Record<string, string | number> = {};
        const type = options.type === undefined ? 'application/octet-stream' : options.type;
        if (type !== null) headers['content-type'] = type;
        if (!options.chunked) headers['content-length'] = body.length;
        res.writeHead(200, headers);
        if (options.chunked) {
          // Several writes without a length: chunked transfer encoding.
          for (let offset = 0; offset < body.length; offset += 64 * 1024)
            res.write(body.subarray(offset, offset + 64 * 1024));
          res.end();
        } else {
          res.end(body);
        }
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

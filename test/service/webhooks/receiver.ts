import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type SignatureCheck, verifyWebhookSignature } from '../../../src/service/webhooks/sign.js';

/**
 * A real webhook receiver for tests: an HTTP server on 127.0.0.1, port 0, that verifies every
 * request's signature the way a user's receiver would (`verifyWebhookSignature` over the raw body)
 * and records what it got. Each path answers by its own rule (`on(path, rule)`), default 200.
 */

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as received. */
  body: string;
  /** Parsed JSON body. */
  json: any;
  /** The signature checked with the secret set for the path (`secrets`), or undefined without one. */
  check: SignatureCheck | undefined;
  /** 1 for the first request to this path, and so on. */
  n: number;
}

export type Rule = (
  request: Received,
) => { status: number; body?: string; delayMs?: number; location?: string } | undefined;

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  received: Received[];
  /** Secrets per path, to verify signatures with. */
  secrets: Map<string, string>;
  on(path: string, rule: Rule): void;
  /** Resolves when `count` requests reached `path` (or any path when omitted). */
  waitFor(count: number, path?: string, timeoutMs?: number): Promise<Received[]>;
}

/** Starts a receiver for the test file; cleared after each test. */
export function useReceiver(): () => Receiver {
  let server: Server | undefined;
  let receiver: Receiver | undefined;
  const rules = new Map<string, Rule>();
  const hanging = new Set<ServerResponse>();

  beforeAll(async () => {
    const received: Received[] = [];
    const secrets = new Map<string, string>();
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = (req.url ?? '/').split('?')[0]!;
        const secret = secrets.get(path);
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const entry: Received = {
          path,
          headers: req.headers,
          body,
          json,
          check: secret
            ? verifyWebhookSignature({ secret, header: req.headers['xpost-signature'], body })
            : undefined,
          n: received.filter((r) => r.path === path).length + 1,
        };
        received.push(entry);
        const answer = rules.get(path)?.(entry) ?? { status: 200 };
        const send = () => {
          hanging.delete(res);
          if (res.destroyed) return;
          res.statusCode = answer.status;
          if (answer.location) res.setHeader('location', answer.location);
          res.end(answer.body ?? '');
        };
        if (answer.delayMs) {
          hanging.add(res);
          setTimeout(send, answer.delayMs).unref();
        } else send();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = {
      url: `http://127.0.0.1:${port}`,
      received,
      secrets,
      on: (path, rule) => rules.set(path, rule),
      async waitFor(count, path, timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const got = received.filter((r) => path === undefined || r.path === path);
          if (got.length >= count) return got;
          if (Date.now() > deadline) {
            throw new Error(`receiver: ${got.length} of ${count} requests to ${path ?? 'any path'} arrived`);
          }
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      },
    };
  });
  afterEach(() => {
    rules.clear();
    receiver?.received.splice(0);
    receiver?.secrets.clear();
    for (const res of hanging) res.destroy();
    hanging.clear();
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });
  return () => {
    if (!receiver) throw new Error('useReceiver(): not started yet (use it inside a test)');
    return receiver;
  };
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCallback } from '../../x/index.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

/**
 * The one-shot HTTP server a loopback redirect lands on (RFC 8252 §7.3): it waits for
 * `<path>?code&state` (or `?error`), checks the state with the SDK's `parseCallback`, answers the
 * browser with a small page, and hands back the code. Anything else (a favicon) gets a 404 and the
 * wait goes on.
 */
export interface LoopbackServer {
  /** The port it listens on (the real one when asked for 0). */
  readonly port: number;
  /** Resolves with the authorization code; rejects on a state mismatch, a denial, a timeout, an abort. */
  code(): Promise<string>;
  close(): Promise<void>;
}

export interface LoopbackOptions {
  host: string;
  port: number;
  /** The redirect URI's path, e.g. `/callback`. */
  path: string;
  /** The `state` sent with the authorize URL. */
  state: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function startLoopbackServer(options: LoopbackOptions): Promise<LoopbackServer> {
  let settle: { resolve: (code: string) => void; reject: (error: unknown) => void } | undefined;
  const result = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Callers attach late; an early rejection must not count as unhandled.
  result.catch(() => {});
  let done = false;
  const finish = (fn: () => void) => {
    if (done) return;
    done = true;
    fn();
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `${options.host}:${options.port}`}`);
    if (req.method !== 'GET' || url.pathname !== options.path || done) {
      page(res, 404, 'Not found', 'This is xpost’s login helper; nothing lives here.');
      return;
    }
    try {
      const code = parseCallback(url, options.state);
      page(
        res,
        200,
        'Logged in',
        'xpost received the authorization. You can close this tab and return to the terminal.',
      );
      finish(() => settle?.resolve(code));
    } catch (error) {
      page(
        res,
        400,
        'Login failed',
        `${(error as Error).message} You can close this tab; the terminal says what to do.`,
      );
      finish(() => settle?.reject(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new CliError(
              `port ${options.port} on ${options.host} is in use, so the login redirect cannot be received`,
              {
                hint: 'stop what uses it, or pass --port (or --redirect-uri) with another port registered for the app',
              },
            )
          : error,
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const timer = setTimeout(() => {
    finish(() =>
      settle?.reject(
        new CliError(`no answer from the browser within ${Math.round(options.timeoutMs / 1000)} s`, {
          exitCode: EXIT.AUTH,
          code: 'login_timeout',
          hint: 'run `xpost login` again, or use --no-browser and paste the URL',
        }),
      ),
    );
  }, options.timeoutMs);
  timer.unref();
  const onAbort = () => finish(() => settle?.reject(options.signal?.reason));
  options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    port,
    code: () => result,
    close: async () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>xpost: ${html(title)}</title></head>` +
      `<body style="font-family: system-ui, sans-serif; margin: 3em;"><h1>${html(title)}</h1><p>${html(text)}</p></body></html>`,
  );
}

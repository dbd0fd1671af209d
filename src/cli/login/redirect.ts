import { DEFAULT_API_BASE, DEFAULT_AUTHORIZE_URL } from '../../x/index.js';
import { usageError } from '../errors.js';

/** The redirect URI xpost's loopback server answers by default; register it for your app. */
export const DEFAULT_LOGIN_PORT = 8976;
export const DEFAULT_CALLBACK_PATH = '/callback';
export const LOOPBACK_HOST = '127.0.0.1';

export interface RedirectPlan {
  host: string;
  /** 0: any free port (only useful where any port is accepted). */
  port: number;
  path: string;
  /** The redirect URI for a port (the real one once the server listens). */
  uri(port: number): string;
}

/**
 * Where X sends the browser back to. `--redirect-uri` wins (it must be a loopback http URL, since
 * this process answers it); else `http://127.0.0.1:<--port or 8976>/callback`.
 */
export function planRedirect(options: { redirectUri?: string; port?: number }): RedirectPlan {
  if (options.redirectUri !== undefined) {
    let url: URL;
    try {
      url = new URL(options.redirectUri);
    } catch {
      throw usageError(
        `--redirect-uri "${options.redirectUri}" is not a URL`,
        `pass e.g. http://${LOOPBACK_HOST}:${DEFAULT_LOGIN_PORT}/callback`,
      );
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '::1'].includes(host)) {
      throw usageError(
        `--redirect-uri "${options.redirectUri}" must be http://127.0.0.1:<port>/… (or localhost)`,
        'xpost receives the redirect itself; for any other redirect use --no-browser and paste the URL',
      );
    }
    const port = url.port === '' ? 80 : Number(url.port);
    if (options.port !== undefined && options.port !== port)
      throw usageError(
        `--port ${options.port} disagrees with --redirect-uri ${options.redirectUri}`,
        'pass one of them',
      );
    const path = url.pathname;
    return {
      host: host === 'localhost' ? LOOPBACK_HOST : host,
      port,
      path,
      uri: (p) => `http://${url.hostname}:${p}${path}`,
    };
  }
  const port = options.port ?? DEFAULT_LOGIN_PORT;
  return {
    host: LOOPBACK_HOST,
    port,
    path: DEFAULT_CALLBACK_PATH,
    uri: (p) => `http://${LOOPBACK_HOST}:${p}${DEFAULT_CALLBACK_PATH}`,
  };
}

/**
 * The consent page: `--authorize-url` if given; X's own for the real API; for any other API base
 * (the emulator) `<api-base>/i/oauth2/authorize`, which the emulator serves.
 */
export function authorizeUrlFor(apiBase: string, override?: string): string {
  if (override !== undefined) {
    try {
      return new URL(override).toString();
    } catch {
      throw usageError(`--authorize-url "${override}" is not a URL`, `pass e.g. ${DEFAULT_AUTHORIZE_URL}`);
    }
  }
  const base = new URL(apiBase);
  if (base.host === new URL(DEFAULT_API_BASE).host || base.host === 'api.twitter.com')
    return DEFAULT_AUTHORIZE_URL;
  return `${apiBase.replace(/\/+$/, '')}/i/oauth2/authorize`;
}

import { lookup as dnsLookup } from 'node:dns/promises';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { formatBytes } from '../../x/media/limits.js';
import { forbiddenAddressReason } from './address-guard.js';
import { categoryLimitText, type MediaKind, POST_MEDIA_TYPES_TEXT, postMediaKind } from './media-types.js';
import { type StoredFile, type StoreStreamOptions, storeStream } from './storage.js';

/**
 * Fetches a media URL to local storage, safely:
 * - http and https only; the host is resolved once (all its addresses) and refused when any is
 *   private, loopback, link-local, unique-local, CGNAT, multicast or otherwise not global unicast
 *   (`address-guard.ts`), unless private addresses are allowed by configuration;
 * - the connection goes to the address that was checked: the request's `lookup` returns it, so a DNS
 *   answer that changes between the check and the connect (rebinding) cannot swap it;
 * - up to 5 redirects, each target checked the same way before anything is sent to it;
 * - a connect timeout and an idle timeout; a size cap by Content-Length and by counting;
 * - the Content-Type header must look like media (image/*, video/*, application/octet-stream), and
 *   the bytes decide what it really is;
 * - the body is streamed to disk and hashed, never held in memory.
 * Failures are `MediaUrlError`s with a stable `code` and a message that says what to do.
 */

export type MediaUrlErrorCode =
  | 'media_url_invalid'
  | 'media_url_forbidden_address'
  | 'media_url_dns_failed'
  | 'media_url_connect_failed'
  | 'media_url_timeout'
  | 'media_url_too_many_redirects'
  | 'media_url_bad_status'
  | 'media_url_unsupported_type'
  | 'media_url_too_large'
  | 'media_url_empty';

export class MediaUrlError extends Error {
  override readonly name = 'MediaUrlError';

  constructor(
    readonly code: MediaUrlErrorCode,
    message: string,
    readonly options: {
      /** A later try may work (a timeout, a 5xx, a dropped connection). */
      retryable?: boolean;
      /** The HTTP status, for `media_url_bad_status`. */
      status?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  get retryable(): boolean {
    return this.options.retryable === true;
  }
}

/** `dns.lookup(host, { all: true })`'s shape, injectable for tests. */
export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'xpost (media fetch)';

export interface FetchUrlOptions {
  dataDir: string;
  /** The media row's id: the file becomes `<dataDir>/media/<mediaId>`. */
  mediaId: string;
  /** `XPOST_MEDIA_MAX_BYTES`. */
  maxBytes: number;
  /** `XPOST_ALLOW_PRIVATE_MEDIA_URLS`: no SSRF guard (a trusted network, tests with local servers). */
  allowPrivate: boolean;
  connectTimeoutMs?: number;
  /** No byte for this long, while waiting for the response or reading it: give up. */
  idleTimeoutMs?: number;
  maxRedirects?: number;
  /** Default `dns.lookup(host, { all: true, verbatim: true })`. */
  resolve?: ResolveHost;
  /**
   * Why an address is refused, or undefined to allow it. Default: `forbiddenAddressReason` (or
   * nothing refused with `allowPrivate`). Tests use it to treat their local server as public.
   */
  forbidden?: (address: string) => string | undefined;
  signal?: AbortSignal;
  /** Told of every chunk's size as it arrives (leases, progress). */
  onBytes?: (bytes: number) => void;
  /** As in `storeStream`: renames the file into place (prepareMedia checks its claim there). */
  commit?: StoreStreamOptions['commit'];
}

export interface FetchedMedia extends StoredFile, Omit<MediaKind, 'maxBytes'> {
  /** Where the bytes came from after redirects (without query or credentials, for logs). */
  finalUrl: string;
}

/** The URL as logs and messages may show it: no credentials, no query (signed URLs carry secrets there). */
export function displayUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

const PRIVATE_HINT =
  'use a public URL, upload the file with POST /api/media, or, for a server you trust on your own network ' +
  '(a local test server), set XPOST_ALLOW_PRIVATE_MEDIA_URLS=true';

export async function fetchMediaUrl(url: string, options: FetchUrlOptions): Promise<FetchedMedia> {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let current = parseMediaUrl(url);
  for (let hop = 0; ; hop++) {
    options.signal?.throwIfAborted();
    const address = await vetHost(current, options);
    const { response, failure } = await send(current, address, options);
    const status = response.statusCode ?? 0;
    if (REDIRECT_STATUSES.has(status)) {
      response.destroy();
      const location = response.headers.location;
      if (!location)
        throw new MediaUrlError(
          'media_url_bad_status',
          `${displayUrl(current)} answered ${status} without a Location to follow`,
          { status },
        );
      if (hop >= maxRedirects)
        throw new MediaUrlError(
          'media_url_too_many_redirects',
          `${displayUrl(url)} redirected more than ${maxRedirects} times; give the final URL of the file`,
        );
      current = parseMediaUrl(new URL(location, current).href, displayUrl(current));
      continue;
    }
    return await receive(current, response, failure, options);
  }
}

function parseMediaUrl(text: string, redirectedFrom?: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MediaUrlError('media_url_invalid', `${JSON.stringify(text.slice(0, 200))} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const where = redirectedFrom ? ` (a redirect from ${redirectedFrom})` : '';
    throw new MediaUrlError(
      'media_url_invalid',
      `${url.protocol} URLs cannot be fetched${where}: media URLs must be http:// or https://`,
    );
  }
  return url;
}

/** Resolves the host and checks every address it has; returns the one to connect to. */
async function vetHost(url: URL, options: FetchUrlOptions): Promise<{ address: string; family: number }> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: { address: string; family: number }[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await (options.resolve ?? defaultResolve)(host);
    } catch (error) {
      throw new MediaUrlError(
        'media_url_dns_failed',
        `the host of ${displayUrl(url)} could not be resolved (${(error as { code?: string }).code ?? 'DNS error'}); check the URL`,
        { retryable: (error as { code?: string }).code === 'EAI_AGAIN', cause: error },
      );
    }
    if (addresses.length === 0)
      throw new MediaUrlError('media_url_dns_failed', `the host of ${displayUrl(url)} has no address`);
  }
  const forbidden = options.forbidden ?? (options.allowPrivate ? () => undefined : forbiddenAddressReason);
  // Every address, not only the first: a host that also resolves inside the network is refused.
  for (const { address } of addresses) {
    const reason = forbidden(address);
    if (reason !== undefined) {
      throw new MediaUrlError(
        'media_url_forbidden_address',
        `${displayUrl(url)} resolves to ${address}, ${reason}: media are not fetched from private, loopback or link-local addresses; ${PRIVATE_HINT}`,
      );
    }
  }
  return addresses[0]!;
}

const defaultResolve: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A `lookup` for the request that answers with the vetted address, whatever DNS says now. */
function pinnedLookup(pinned: { address: string; family: number }): LookupFunction {
  return ((_hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (opts?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
}

/** Sends the GET; resolves with the response headers (the body not read yet). */
function send(
  url: URL,
  address: { address: string; family: number },
  options: FetchUrlOptions,
): Promise<{ response: IncomingMessage; failure: () => unknown }> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  // Why we destroyed the request (a timeout): the response stream then only says "aborted".
  let failure: unknown;
  const destroy = (request: ClientRequest, error: MediaUrlError) => {
    failure ??= error;
    request.destroy(error);
  };
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'GET',
      headers: {
        'user-agent': USER_AGENT,
        accept: 'image/*, video/*, application/octet-stream;q=0.5, */*;q=0.1',
        'accept-encoding': 'identity',
      },
      // A fresh connection each time: a pooled one could lead anywhere.
      agent: false,
      lookup: pinnedLookup(address),
      family: address.family,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const connectTimer = setTimeout(() => {
      destroy(
        request,
        new MediaUrlError(
          'media_url_timeout',
          `could not connect to ${displayUrl(url)} within ${connectTimeoutMs} ms; check that the server is up and reachable`,
          { retryable: true },
        ),
      );
    }, connectTimeoutMs);
    request.once('socket', (socket) => {
      const connected = () => {
        clearTimeout(connectTimer);
        request.setTimeout(idleTimeoutMs, () => destroy(request, idleTimeout(url, idleTimeoutMs)));
      };
      if (!socket.connecting) connected();
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
    });
    request.once('response', (response) => resolve({ response, failure: () => failure }));
    request.once('error', (error) => {
      clearTimeout(connectTimer);
      reject(asMediaUrlError(error, url));
    });
    request.once('close', () => clearTimeout(connectTimer));
    request.end();
  });
}

/** No byte in `idleTimeoutMs`, while waiting for headers or reading the body. */
function idleTimeout(url: URL, idleTimeoutMs: number): MediaUrlError {
  return new MediaUrlError(
    'media_url_timeout',
    `${displayUrl(url)} sent nothing for ${idleTimeoutMs} ms; check that the server is up, or host the file elsewhere`,
    { retryable: true },
  );
}

function asMediaUrlError(error: unknown, url: URL): unknown {
  if (error instanceof MediaUrlError) return error;
  if ((error as { name?: string }).name === 'AbortError') return error;
  const code = (error as { code?: string }).code ?? 'network error';
  return new MediaUrlError(
    'media_url_connect_failed',
    `fetching ${displayUrl(url)} failed (${code}); check that the server is up and the URL is right`,
    { retryable: true, cause: error },
  );
}

const MEDIA_CONTENT_TYPE = /^(image\/|video\/|application\/octet-stream\b|binary\/octet-stream\b)/i;

async function receive(
  url: URL,
  response: IncomingMessage,
  failure: () => unknown,
  options: FetchUrlOptions,
): Promise<FetchedMedia> {
  const status = response.statusCode ?? 0;
  const where = displayUrl(url);
  if (status < 200 || status > 299 || status === 204) {
    response.destroy();
    const retryable = status >= 500 || status === 429 || status === 408;
    throw new MediaUrlError(
      'media_url_bad_status',
      `${where} answered ${status}${retryable ? '; the server may work again later' : '; check the URL and that the file is public'}`,
      { status, retryable },
    );
  }
  // No Content-Type: RFC 9110 says treat it as application/octet-stream; the bytes decide anyway.
  const declared = response.headers['content-type']?.trim();
  if (declared && !MEDIA_CONTENT_TYPE.test(declared)) {
    response.destroy();
    throw new MediaUrlError(
      'media_url_unsupported_type',
      `${where} is ${declared.split(';')[0]}, not an image or a video; give the URL of the file itself (${POST_MEDIA_TYPES_TEXT})`,
    );
  }
  const length = Number(response.headers['content-length']);
  if (Number.isFinite(length) && length > options.maxBytes) {
    response.destroy();
    throw tooLargeError(where, options.maxBytes, length);
  }
  let kind: MediaKind | undefined;
  try {
    const stored = await storeStream(response, {
      dataDir: options.dataDir,
      mediaId: options.mediaId,
      maxBytes: options.maxBytes,
      tooLarge: (limit, received) =>
        kind && limit < options.maxBytes
          ? new MediaUrlError(
              'media_url_too_large',
              `${where} is larger than ${formatBytes(limit)}: ${categoryLimitText(kind)}`,
            )
          : tooLargeError(where, limit, received, true),
      onHead: (head) => {
        kind = postMediaKind(head);
        if (!kind) {
          throw new MediaUrlError(
            'media_url_unsupported_type',
            head.length === 0
              ? `${where} is empty`
              : `${where} is not a file X takes in a post (its bytes are no known image or video); supported: ${POST_MEDIA_TYPES_TEXT}`,
          );
        }
        return kind.maxBytes;
      },
      ...(options.onBytes ? { onBytes: options.onBytes } : {}),
      beforeCommit: (file) => {
        if (file.size === 0) throw new MediaUrlError('media_url_empty', `${where} is empty`);
      },
      ...(options.commit ? { commit: options.commit } : {}),
    });
    return {
      ...stored,
      contentType: kind!.contentType,
      mediaCategory: kind!.mediaCategory,
      finalUrl: where,
    };
  } catch (error) {
    // A timeout or an abort while reading the body arrives as an "aborted" stream error: say which.
    const cause = failure();
    if (cause instanceof MediaUrlError) throw cause;
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof MediaUrlError) throw error;
    if (
      (error as { code?: string }).code === 'ECONNRESET' ||
      (error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE'
    )
      throw asMediaUrlError(error, url);
    throw error;
  }
}

function tooLargeError(where: string, limit: number, received: number, counted = false): MediaUrlError {
  const size = counted ? `more than ${formatBytes(limit)}` : `${formatBytes(received)}`;
  return new MediaUrlError(
    'media_url_too_large',
    `${where} is ${size}, over the ${formatBytes(limit)} this service accepts (XPOST_MEDIA_MAX_BYTES=${limit}); host a smaller file or raise XPOST_MEDIA_MAX_BYTES`,
  );
}

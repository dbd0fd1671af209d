import { labelToAscii } from './punycode.js';
import { skipHopelessPositions } from './url-candidates.js';
import { ASCII_DOMAIN, TCO_URL, URL_AT } from './url-patterns.js';

export interface UrlEntity {
  url: string;
  /** UTF-16 index of the first character in the text given. */
  start: number;
  /** UTF-16 index after the last character (exclusive). */
  end: number;
}

interface UrlMatchGroups {
  url: string;
  scheme?: string;
  domain: string;
  path?: string;
}

// Limits X applies when it links a URL (twitter-text's extractUrlsWithIndices).
const MAX_URL_LENGTH = 4096;
const MAX_DNS_LABEL_LENGTH = 63;
const MAX_TCO_SLUG_LENGTH = 40;
const DEFAULT_SCHEME = 'https://';
/** A scheme-less URL glued to one of these is part of a path, file name or identifier. */
const NOT_BEFORE_SCHEMELESS = /[-_./]/;
const NON_ASCII = /[\u0080-\uFFFF]/;
/** RFC 3490 §3.1: ideographic and full-width full stops separate labels too. */
const LABEL_SEPARATORS = /[.\u3002\uFF0E\uFF61]/;

/**
 * The URLs X would link (and count as 23) in `text`: with an http(s) scheme, or without one when
 * the host is ASCII and ends in a known TLD.
 */
export function extractUrls(text: string): UrlEntity[] {
  if (!text.includes('.')) return [];
  const urls: UrlEntity[] = [];
  const nextCandidate = skipHopelessPositions(text);
  let previousMatchEnd = -1;
  for (let position = nextCandidate(0); position < text.length; position = nextCandidate(position)) {
    URL_AT.lastIndex = position;
    const match = URL_AT.exec(text);
    if (!match) {
      position++;
      continue;
    }
    const { url, scheme, domain, path } = match.groups as unknown as UrlMatchGroups;
    const start = match.index;
    const end = start + url.length;
    const afterPreviousMatch = start === previousMatchEnd;
    previousMatchEnd = end;
    // As in twitter-text, a match that is not linkable is skipped whole, not searched again.
    position = end;
    if (!isLinkable(url, scheme ?? DEFAULT_SCHEME, domain)) continue;
    if (scheme) {
      const entity = withScheme(url, start, end);
      if (entity) urls.push(entity);
    } else {
      urls.push(...withoutScheme(text, domain, path, start, end, afterPreviousMatch));
    }
  }
  return urls;
}

function withScheme(url: string, start: number, end: number): UrlEntity | undefined {
  const tco = TCO_URL.exec(url);
  if (!tco) return { url, start, end };
  // X issues short slugs; a longer one is not a t.co link at all.
  if ((tco[1] ?? '').length > MAX_TCO_SLUG_LENGTH) return undefined;
  return { url: tco[0], start, end: start + tco[0].length };
}

/**
 * Without a scheme only the ASCII host names inside the match are links (CJK text runs straight
 * into a domain, as in `日本語example.com`); the path, if any, belongs to the last of them.
 */
function withoutScheme(
  text: string,
  domain: string,
  path: string | undefined,
  start: number,
  end: number,
  afterPreviousMatch: boolean,
): UrlEntity[] {
  // A `/` that ends the previous URL (`http://x.com/日本example.com`) separates rather than glues.
  if (start > 0 && !afterPreviousMatch && NOT_BEFORE_SCHEMELESS.test(text[start - 1]!)) return [];
  const found: UrlEntity[] = [];
  ASCII_DOMAIN.lastIndex = 0;
  for (let ascii = ASCII_DOMAIN.exec(domain); ascii; ascii = ASCII_DOMAIN.exec(domain)) {
    const asciiStart = start + ascii.index;
    found.push({ url: ascii[0], start: asciiStart, end: asciiStart + ascii[0].length });
  }
  const last = found.at(-1);
  const domainEnd = start + domain.length;
  if (last && path !== undefined && last.end === domainEnd) {
    last.end = end;
    last.url = text.slice(last.start, end);
  }
  return found;
}

/** Every DNS label fits in 63 octets once Punycode-encoded, and the URL in 4096 characters. */
function isLinkable(url: string, scheme: string, domain: string): boolean {
  // A host that claims to be ACE-encoded must be ASCII.
  if (/^xn--/i.test(domain) && NON_ASCII.test(domain)) return false;
  let asciiDomainLength = 0;
  for (const label of domain.split(LABEL_SEPARATORS)) {
    const encoded = labelToAscii(label);
    if (encoded.length < 1 || encoded.length > MAX_DNS_LABEL_LENGTH) return false;
    asciiDomainLength += encoded.length + 1;
  }
  asciiDomainLength -= 1;
  return scheme.length + url.length - domain.length + asciiDomainLength <= MAX_URL_LENGTH;
}

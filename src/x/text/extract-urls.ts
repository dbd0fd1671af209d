import { labelToAscii } from './punycode.js';
import { UrlStartFinder } from './url-candidates.js';
import { ASCII_DOMAIN, TCO_URL, URL_AT, URL_GROUP } from './url-patterns.js';

export interface UrlEntity {
  url: string;
  /** UTF-16 index of the first character in the text given. */
  start: number;
  /** UTF-16 index after the last character (exclusive). */
  end: number;
}

// Limits X applies when it links a URL (twitter-text's extractUrlsWithIndices).
const MAX_URL_LENGTH = 4096;
const MAX_DNS_LABEL_LENGTH = 63;
const MAX_TCO_SLUG_LENGTH = 40;
const DEFAULT_SCHEME = 'https://';
const T_CO = 't.co';
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
  const candidates = new UrlStartFinder(text);
  let previousMatchEnd = 0;
  for (let position = candidates.next(0); position < text.length; position = candidates.next(position)) {
    // twitter-text's pattern consumes the character before a URL, and its search resumes where the
    // previous match ended: so no URL starts right at that end (`http://x.com/日本example.com`).
    if (position === previousMatchEnd && position > 0) {
      position++;
      continue;
    }
    const match = position === 0 ? urlAtTextStart(text) : urlAt(text, position);
    if (!match) {
      position++;
      continue;
    }
    const url = match[URL_GROUP.url]!;
    const scheme = match[URL_GROUP.scheme];
    const domain = match[URL_GROUP.domain]!;
    const path = match[URL_GROUP.path];
    const start = match.index;
    const end = start + url.length;
    previousMatchEnd = end;
    // As in twitter-text, a match that is not linkable is skipped whole, not searched again.
    position = end;
    if (!isLinkable(url, scheme ?? DEFAULT_SCHEME, domain)) continue;
    if (scheme) {
      const entity = withScheme(url, domain, start, end);
      if (entity) urls.push(entity);
    } else {
      urls.push(...withoutScheme(text, domain, path, start, end));
    }
  }
  return urls;
}

function urlAt(text: string, position: number): RegExpExecArray | null {
  URL_AT.lastIndex = position;
  return URL_AT.exec(text);
}

/**
 * For the same reason a URL at index 1, after a first character that may precede one, wins over a
 * URL at index 0: `üexample.com` at the start of a post links `example.com`, as at X.
 */
function urlAtTextStart(text: string): RegExpExecArray | null {
  return urlAt(text, 1) ?? urlAt(text, 0);
}

function withScheme(url: string, domain: string, start: number, end: number): UrlEntity | undefined {
  const tco = domain.length === T_CO.length && domain.toLowerCase() === T_CO ? TCO_URL.exec(url) : null;
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
): UrlEntity[] {
  if (start > 0 && NOT_BEFORE_SCHEMELESS.test(text[start - 1]!)) return [];
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
  const ascii = !NON_ASCII.test(domain);
  if (ascii) return asciiLabelsFit(domain) && scheme.length + url.length <= MAX_URL_LENGTH;
  // A host that claims to be ACE-encoded must be ASCII.
  if (/^xn--/i.test(domain)) return false;
  let asciiDomainLength = 0;
  for (const label of domain.split(LABEL_SEPARATORS)) {
    const encoded = labelToAscii(label);
    if (encoded.length < 1 || encoded.length > MAX_DNS_LABEL_LENGTH) return false;
    asciiDomainLength += encoded.length + 1;
  }
  asciiDomainLength -= 1;
  return scheme.length + url.length - domain.length + asciiDomainLength <= MAX_URL_LENGTH;
}

/** The common case without the Punycode encoder: ASCII labels between dots, 1 to 63 long. */
function asciiLabelsFit(domain: string): boolean {
  let labelStart = 0;
  for (let dot = domain.indexOf('.'); ; dot = domain.indexOf('.', labelStart)) {
    const labelEnd = dot === -1 ? domain.length : dot;
    if (labelEnd === labelStart || labelEnd - labelStart > MAX_DNS_LABEL_LENGTH) return false;
    if (dot === -1) return true;
    labelStart = dot + 1;
  }
}

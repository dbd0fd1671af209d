import { extractUrls } from '../text/index.js';

/**
 * Whether a post X returns is the text we sent, although X changed it on the way:
 * - every URL becomes a fresh `https://t.co/<slug>` link (REFERENCE §3.2), so URLs are compared as a
 *   placeholder on both sides, found with the same extractor X's counting uses;
 * - a post with media gets one more t.co link appended (` https://t.co/…`), which is ignored;
 * - v2 returns `&`, `<`, `>` HTML-escaped (`&amp;` …), a long-standing v2 quirk, so the returned side
 *   is unescaped once;
 * - X stores NFC-normalised text (twitter-text counts it that way, §7), and trims it.
 */

const URL_PLACEHOLDER = '\u0000url\u0000';
const TCO_LINK = /^https?:\/\/t\.co\/[A-Za-z0-9]+$/i;
const HTML_ESCAPES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

export function sameSentText(sent: string, returned: string): boolean {
  const mine = withPlaceholders(normalize(sent));
  const theirs = withPlaceholders(normalize(unescapeHtml(returned)));
  if (mine.text === theirs.text) return true;
  // The appended media link: one more URL than we sent, at the very end, and a t.co link.
  const last = theirs.urls[theirs.urls.length - 1];
  if (theirs.urls.length !== mine.urls.length + 1 || !last || !TCO_LINK.test(last)) return false;
  if (!theirs.text.endsWith(URL_PLACEHOLDER)) return false;
  return theirs.text.slice(0, -URL_PLACEHOLDER.length).trimEnd() === mine.text;
}

function normalize(text: string): string {
  return text.normalize('NFC').trim();
}

function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (entity) => HTML_ESCAPES[entity] ?? entity);
}

function withPlaceholders(text: string): { text: string; urls: string[] } {
  const found = extractUrls(text);
  let out = '';
  let cursor = 0;
  for (const url of found) {
    out += text.slice(cursor, url.start) + URL_PLACEHOLDER;
    cursor = url.end;
  }
  return { text: out + text.slice(cursor), urls: found.map((url) => url.url) };
}

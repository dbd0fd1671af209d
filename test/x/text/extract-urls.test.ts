import { describe, expect, it } from 'vitest';
import { extractUrls } from '../../../src/x/index.js';

/** The URLs found, as [url, start, end]. */
const kana = (length: number) => 'あいうえおかきくけこ'.repeat(6).slice(0, length);
const urls = (text: string) => extractUrls(text).map(({ url, start, end }) => [url, start, end]);

describe('extractUrls', () => {
  it.each([
    ['http URL', 'read http://example.com today', [['http://example.com', 5, 23]]],
    [
      'https URL with path, query and fragment',
      'x https://a.example.org/p/q?x=1&y=2#top y',
      [['https://a.example.org/p/q?x=1&y=2#top', 2, 39]],
    ],
    [
      'upper-case scheme and host',
      'HTTPS://WWW.EXAMPLE.COM/Index',
      [['HTTPS://WWW.EXAMPLE.COM/Index', 0, 29]],
    ],
    ['port', 'http://localhost.dev:8080/api', [['http://localhost.dev:8080/api', 0, 29]]],
    ['URL without scheme, generic TLD', 'visit example.com', [['example.com', 6, 17]]],
    ['URL without scheme, country TLD and path', 'see bbc.co.uk/news.', [['bbc.co.uk/news', 4, 18]]],
    ['URL without scheme, new gTLD', 'try my.photography/portfolio', [['my.photography/portfolio', 4, 28]]],
    [
      'several URLs',
      'a.com, b.org and http://c.net',
      [
        ['a.com', 0, 5],
        ['b.org', 7, 12],
        ['http://c.net', 17, 29],
      ],
    ],
    [
      'a sentence-ending period is left out',
      'Go to https://example.com/a.',
      [['https://example.com/a', 6, 27]],
    ],
    [
      'trailing punctuation is left out',
      'https://example.com/x?! and example.com/y, ok',
      [
        ['https://example.com/x', 0, 21],
        ['example.com/y', 28, 41],
      ],
    ],
    [
      'a URL inside parentheses keeps out the closing one',
      '(see https://example.com/page)',
      [['https://example.com/page', 5, 29]],
    ],
    [
      'balanced parentheses in a path stay',
      'https://en.wikipedia.org/wiki/Rust_(language) !',
      [['https://en.wikipedia.org/wiki/Rust_(language)', 0, 45]],
    ],
    [
      'a trailing hyphen or plus in a path stays',
      'http://example.com/a- http://example.com/b+',
      [
        ['http://example.com/a-', 0, 21],
        ['http://example.com/b+', 22, 43],
      ],
    ],
    ['Cyrillic in a path', 'http://example.com/привет', [['http://example.com/привет', 0, 25]]],
    ['Unicode host with a scheme', 'http://☃.net/', [['http://☃.net/', 0, 13]]],
    ['ASCII host inside CJK text', '日本語example.com/path中文', [['example.com/path', 3, 19]]],
    [
      't.co keeps the slug and query, not more path',
      'http://t.co/abc123/more?x',
      [['http://t.co/abc123', 0, 18]],
    ],
    ['t.co with a query', 'https://t.co/abc?s=20', [['https://t.co/abc?s=20', 0, 21]]],
    ['directional marks around a URL', '\u2066http://example.com\u2069', [['http://example.com', 1, 19]]],
    ['indices are UTF-16 after astral characters', '😀 example.com', [['example.com', 3, 14]]],
    // twitter-text's pattern consumes the character before a URL: at the start of a text it tries
    // a URL after the first character before one at it.
    ['host after a first accented letter', 'üexample.com', [['example.com', 1, 12]]],
    ['host with an accented letter inside a text', 'a üexample.com', [['üexample.com', 2, 14]]],
    [
      'host after a URL that ends in a slash',
      'http://x.com/日本example.com',
      [
        ['http://x.com/', 0, 13],
        ['example.com', 15, 26],
      ],
    ],
    // X's server checks hosts with Java's IDN.toASCII, which refuses an empty label.
    ['host after an ideographic full stop inside a word', 'です。example.com', [['example.com', 3, 14]]],
  ])('finds a %s', (_, text, expected) => {
    expect(urls(text)).toEqual(expected);
  });

  it.each([
    ['an unknown TLD', 'file.notatld and http://example.notatld'],
    ['a file name', 'open notes.txt or data.csv'],
    ['an e-mail address', 'mail me@example.com'],
    ['a host glued to a TLD-like word', 'example.comics'],
    ['a scheme-less host after a path separator', 'dir/example.com and a_example.com'],
    ['an underscore in the registered name', 'http://my_site.com'],
    ['a label starting or ending with a hyphen', 'http://-bad.com http://bad-.com'],
    ['a DNS label over 63 characters', `http://${'a'.repeat(64)}.com`],
    ['a Unicode label over 63 octets once Punycode-encoded', `http://${kana(53)}.com`],
    ['an ACE host with non-ASCII characters', 'http://xn--はじめ.com'],
    ['a host that starts with an empty label (X’s server, unlike twitter-text JS)', 'see 。example.com'],
    ['an ACE-looking host with non-ASCII (X’s server, unlike twitter-text JS)', 'xn--本e.com'],
    ['an ftp URL', 'ftp://files'],
    ['a t.co slug over 40 characters', `https://t.co/${'a'.repeat(41)}`],
    ['a host after @ or $', '@example.com $example.com'],
    ['text without a dot', 'no links here'],
  ])('ignores %s', (_, text) => {
    expect(urls(text)).toEqual([]);
  });

  it('keeps a subdomain with an underscore', () => {
    expect(urls('http://sub_domain.example.com')).toEqual([['http://sub_domain.example.com', 0, 29]]);
  });

  it('accepts a Unicode label up to 63 octets once encoded', () => {
    const host = `${kana(52)}.com`;
    expect(urls(`http://${host}`)).toEqual([[`http://${host}`, 0, 7 + host.length]]);
  });
});

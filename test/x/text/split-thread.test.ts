import { describe, expect, it } from 'vitest';
import {
  extractCashtags,
  extractMentions,
  extractUrls,
  PREMIUM_MAX_WEIGHTED_LENGTH,
  parsePostText,
  type SplitThreadOptions,
  splitThread,
} from '../../../src/x/text/index.js';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** Wider than any grapheme cluster in these tests (the family emoji is 11 UTF-16 units). */
const GRAPHEME_WINDOW = 40;
const NUMBER_SUFFIX = / (\d+)\/(\d+)$/;
const NUMBER_PREFIX = /^(\d+)\/(\d+) /;

/** Whether `index` falls between two grapheme clusters, judged on a window around it. */
function isGraphemeBoundary(text: string, index: number): boolean {
  if (index === 0 || index === text.length) return true;
  const from = Math.max(0, index - GRAPHEME_WINDOW);
  const window = text.slice(from, index + GRAPHEME_WINDOW);
  return Array.from(graphemes.segment(window), (s) => from + s.index).includes(index);
}

/** Where each post (numbering removed) lies in `text`; fails unless only white space lies between. */
function spans(text: string, posts: string[], options: SplitThreadOptions = {}): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  let position = 0;
  for (const post of posts) {
    const body =
      options.numbering === 'suffix'
        ? post.replace(NUMBER_SUFFIX, '')
        : options.numbering === 'prefix'
          ? post.replace(NUMBER_PREFIX, '')
          : post;
    const start = text.indexOf(body, position);
    expect(start, `post not found in order: ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(0);
    expect(text.slice(position, start).trim(), 'only white space is dropped').toBe('');
    found.push([start, start + body.length]);
    position = start + body.length;
  }
  expect(text.slice(position).trim()).toBe('');
  return found;
}

/** Every check a thread must pass: valid posts, text kept, nothing cut that must stay whole. */
function expectGoodThread(text: string, options: SplitThreadOptions = {}): string[] {
  const posts = splitThread(text, options);
  const max = options.maxWeightedLength ?? 280;
  for (const post of posts) {
    expect(parsePostText(post, { maxWeightedLength: max }).valid, JSON.stringify(post)).toBe(true);
    expect(post).toBe(post.trim());
  }
  const found = spans(text, posts, options);
  for (const [start, end] of found) {
    expect(isGraphemeBoundary(text, start) && isGraphemeBoundary(text, end)).toBe(true);
  }
  const whole = [...extractUrls(text), ...extractMentions(text), ...extractCashtags(text)];
  for (const entity of whole) {
    expect(
      found.some(([start, end]) => start <= entity.start && entity.end <= end),
      `cut inside ${text.slice(entity.start, entity.end)}`,
    ).toBe(true);
  }
  if (options.numbering && options.numbering !== 'none' && posts.length > 1) {
    const pattern = options.numbering === 'suffix' ? NUMBER_SUFFIX : NUMBER_PREFIX;
    posts.forEach((post, i) => {
      expect(post.match(pattern)?.slice(1, 3)).toEqual([String(i + 1), String(posts.length)]);
    });
  }
  return posts;
}

const sentence = (n: number) => `Sentence number ${n} says a few plain words about nothing much.`;
const sentences = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => sentence(from + i)).join(' ');

describe('splitThread', () => {
  it('returns [] for empty or white-space-only text', () => {
    expect(splitThread('')).toEqual([]);
    expect(splitThread(' \n\t\u3000 ')).toEqual([]);
  });

  it('returns a text that fits as one trimmed, unnumbered post', () => {
    expect(splitThread('  hello world \n', { numbering: 'suffix' })).toEqual(['hello world']);
  });

  it('cuts at a blank line between paragraphs before a sentence end', () => {
    const first = sentences(0, 2);
    const second = sentences(2, 5);
    const posts = expectGoodThread(`${first}\n\n${second}`);
    expect(posts[0]).toBe(first);
  });

  it('keeps short paragraphs together in one post', () => {
    const text = `One.\n\nTwo.\n\n${sentences(0, 6)}`;
    expect(expectGoodThread(text)[0]).toBe('One.\n\nTwo.');
  });

  it('cuts after a sentence rather than between words', () => {
    const posts = expectGoodThread(sentences(0, 10));
    for (const post of posts) expect(post).toMatch(/\.$/);
  });

  it('cuts between words when a sentence is longer than a post', () => {
    const text = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const posts = expectGoodThread(text);
    expect(posts.length).toBeGreaterThan(1);
    for (const post of posts) expect(post).toMatch(/^word\d+( word\d+)*$/);
  });

  it('cuts CJK text, which has no spaces, after a sentence or before a word', () => {
    const text = '日本語のテキストです。'.repeat(40);
    const posts = expectGoodThread(text);
    for (const post of posts) expect(post).toMatch(/。$/);
    expectGoodThread('日本語のテキスト'.repeat(40));
  });

  it('never cuts a URL, a mention, a cashtag, a hashtag or an emoji sequence', () => {
    const pieces = [
      'https://example.com/some/path?x=1',
      '@jack',
      '$AAPL',
      '#opensource',
      '👨‍👩‍👧‍👦',
      '🇯🇵',
      '👍🏽',
    ];
    for (const max of [30, 31, 37, 53]) {
      const text = Array.from({ length: 60 }, (_, i) => pieces[i % pieces.length]).join(' ');
      const posts = expectGoodThread(text, { maxWeightedLength: max });
      for (const post of posts) {
        for (const word of post.split(' ')) expect(pieces).toContain(word);
      }
    }
  });

  it('hard-splits a single word longer than a post between grapheme clusters', () => {
    const word = 'a'.repeat(300);
    expect(expectGoodThread(word).map((p) => p.length)).toEqual([280, 20]);
    const emojiWord = '😀'.repeat(200);
    const posts = expectGoodThread(emojiWord);
    expect(posts.join('')).toBe(emojiWord);
    expect(posts.map((p) => parsePostText(p).weightedLength)).toEqual([280, 120]);
  });

  it('cuts a hashtag longer than a post only as a last resort', () => {
    const text = `#${'x'.repeat(400)}`;
    expect(expectGoodThread(text).join('')).toBe(text);
  });

  it('counts the numbering in the limit', () => {
    const text = 'x '.repeat(400).trim();
    for (const numbering of ['suffix', 'prefix'] as const) {
      const posts = expectGoodThread(text, { numbering });
      expect(posts.some((p) => parsePostText(p).weightedLength === 280 || p.length > 275)).toBe(true);
    }
  });

  it('numbers correctly when the count crosses from 9 to 10', () => {
    // 829 words fill nine posts; the numbers (" 1/9", then " 10/10") push the last words into a tenth.
    const text = Array.from({ length: 829 }, (_, i) => `w${i % 10}`).join(' ');
    expect(splitThread(text)).toHaveLength(9);
    for (const numbering of ['suffix', 'prefix'] as const) {
      const posts = expectGoodThread(text, { numbering });
      expect(posts).toHaveLength(10);
      expect(posts[9]).toMatch(numbering === 'suffix' ? / 10\/10$/ : /^10\/10 /);
    }
  });

  it('splits to the 25,000 Premium limit', () => {
    const text = sentences(0, 1200); // ~76,000 characters
    const options = { maxWeightedLength: PREMIUM_MAX_WEIGHTED_LENGTH, numbering: 'suffix' } as const;
    const posts = expectGoodThread(text, options);
    expect(posts).toHaveLength(4);
    for (const post of posts.slice(0, -1))
      expect(parsePostText(post, options).weightedLength).toBeGreaterThan(24_900);
  });

  it.each([
    [{ maxWeightedLength: 10 }, /maxWeightedLength must be an integer from 30 to 25000/],
    [{ maxWeightedLength: 280.5 }, /maxWeightedLength must be an integer/],
    [{ maxWeightedLength: 30_000 }, /maxWeightedLength must be an integer/],
    [{ numbering: 'roman' }, /numbering must be one of 'none', 'suffix', 'prefix'/],
    [{ maxLength: 280 }, /unknown option "maxLength"/],
  ])('rejects options %j', (options, message) => {
    expect(() => splitThread('text', options as SplitThreadOptions)).toThrow(message);
  });

  it('says when the numbering leaves no room for a URL', () => {
    const text = Array.from({ length: 120 }, () => 'https://example.com').join(' ');
    expect(() => splitThread(text, { maxWeightedLength: 30, numbering: 'suffix' })).toThrow(
      /leaves no room for "https:\/\/example.com" .* raise maxWeightedLength or use numbering: 'none'/,
    );
  });

  it('rejects text with characters X refuses', () => {
    expect(() => splitThread('a\uFEFFb')).toThrow(/U\+FEFF at index 1/);
  });

  it('keeps every property on a few hundred generated texts', () => {
    const random = seeded(42);
    const pieces = [
      'word',
      'longerword',
      'Café',
      '日本語',
      'テキスト。',
      '😀',
      '👨‍👩‍👧‍👦',
      '🏳️‍🌈',
      'https://example.com/path',
      'example.org',
      '@jack',
      '$AAPL',
      '#tag',
      'end.',
      'e\u0301',
      'x'.repeat(50),
    ];
    const separators = [' ', ' ', ' ', '', '\n', '\n\n', '. '];
    for (let i = 0; i < 300; i++) {
      let text = '';
      const count = 1 + Math.floor(random() * 250);
      for (let j = 0; j < count; j++) {
        text +=
          pieces[Math.floor(random() * pieces.length)]! +
          separators[Math.floor(random() * separators.length)]!;
      }
      const maxWeightedLength = [280, 30, 57, 1000][i % 4]!;
      // At 30, more than 99 posts leave no room for a URL (23) beside "100/120 ".
      const numbering = maxWeightedLength === 30 ? 'none' : (['none', 'suffix', 'prefix'] as const)[i % 3];
      expectGoodThread(text, { numbering, maxWeightedLength });
    }
  });
});

/** mulberry32, so the generated texts are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Weighted character counting: xpost's `parsePostText` beside twitter-text's `parseTweet` (the
 * reference implementation, on core-js 2), on the same inputs. Both must give the same answer; the
 * table shows calls per second.
 */
import twitterText from 'twitter-text';
import { parsePostText } from '../src/x/index.js';
import { printTable } from './table.js';

const INPUTS: Array<[name: string, text: string, max: number]> = [
  ['short post with a URL', 'Shipping xpost today: https://example.com/launch 🚀 #opensource', 280],
  ['280 Latin characters', 'a'.repeat(279).replace(/a{10}/g, 'word word '), 280],
  ['emoji-heavy', '👨‍👩‍👧‍👦🏳️‍🌈👍🏽'.repeat(30), 280],
  [
    'CJK with URLs',
    `${'日本語のテキスト'.repeat(20)} example.com/a ${'字'.repeat(60)} https://t.co/abc`,
    280,
  ],
  ['25,000-char long post', `${'Lorem ipsum dolor sit amet, '.repeat(800)}https://example.org`, 25_000],
];

// @types/twitter-text does not declare `configs`; it is there at runtime.
const V3_CONFIG = (twitterText as any).configs.version3 as object;

export async function textCounting(): Promise<void> {
  const rows: string[][] = [];
  for (const [name, text, max] of INPUTS) {
    const ours = parsePostText(text, { maxWeightedLength: max });
    const theirs = twitterText.parseTweet(text, { ...V3_CONFIG, maxWeightedTweetLength: max });
    const same = ours.weightedLength === theirs.weightedLength && ours.valid === theirs.valid;
    const oursRate = rate(() => parsePostText(text, { maxWeightedLength: max }));
    const theirsRate = rate(() =>
      twitterText.parseTweet(text, { ...V3_CONFIG, maxWeightedTweetLength: max }),
    );
    rows.push([
      name,
      String(text.length),
      String(ours.weightedLength),
      same ? 'yes' : `NO (${theirs.weightedLength})`,
      oursRate.toFixed(0),
      theirsRate.toFixed(0),
      `${(oursRate / theirsRate).toFixed(2)}×`,
    ]);
  }
  printTable(
    [
      'input',
      'UTF-16 length',
      'weighted',
      'same as twitter-text',
      'xpost calls/s',
      'twitter-text calls/s',
      'ratio',
    ],
    rows,
  );
}

/** Calls per second over ~300 ms after a warm-up. */
function rate(fn: () => unknown): number {
  for (let i = 0; i < 50; i++) fn();
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < 300) {
    fn();
    calls += 1;
  }
  return calls / ((performance.now() - started) / 1000);
}

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { extractUrls, parsePostText } from '../../../src/x/index.js';

/**
 * twitter-text's own conformance suite (conformance/validate.yml), kept outside the project in
 * ../shared/x-api. The two counter groups below use the v3 config, which is how X counts today;
 * `WeightedTweetsCounterTest` uses the retired v2 config (emoji not discounted) and is not ours.
 */
const SUITE = fileURLToPath(new URL('../../../../shared/x-api/twitter-text-validate.yml', import.meta.url));
const V3_COUNTER_GROUPS = [
  'WeightedTweetsWithDiscountedEmojiCounterTest',
  'UnicodeDirectionalMarkerCounterTest',
];

interface Case<Expected> {
  description: string;
  text: string;
  expected: Expected;
}
interface CounterExpectation {
  weightedLength: number;
  valid: boolean;
  permillage: number;
  displayRangeStart: number;
  displayRangeEnd: number;
  validRangeStart: number;
  validRangeEnd: number;
}

const available = existsSync(SUITE);
if (!available) console.warn(`twitter-text conformance tests skipped: ${SUITE} not found`);
const groups: Record<string, Case<unknown>[]> = available ? parse(readFileSync(SUITE, 'utf8')).tests : {};

describe.skipIf(!available)(
  `twitter-text conformance suite${available ? '' : ` (skipped: ${SUITE} not found)`}`,
  () => {
    it('decodes the suite’s \\U escapes into astral characters', () => {
      const catFace = groups.tweets?.find((c) => c.description.includes('double word'));
      expect(catFace?.text.startsWith('\u{1F431}')).toBe(true);
    });

    for (const group of V3_COUNTER_GROUPS) {
      describe(group, () => {
        const cases = (groups[group] ?? []) as Case<CounterExpectation>[];
        it('has cases', () => expect(cases.length).toBeGreaterThan(0));
        it.each(cases.map((c) => [c.description, c] as const))('%s', (_, c) => {
          const {
            weightedLength,
            valid,
            permillage,
            displayRangeStart,
            displayRangeEnd,
            validRangeStart,
            validRangeEnd,
          } = parsePostText(c.text);
          expect({
            weightedLength,
            valid,
            permillage,
            displayRangeStart,
            displayRangeEnd,
            validRangeStart,
            validRangeEnd,
          }).toEqual(c.expected);
        });
      });
    }

    // The `urls` group checks isValidUrl (ftp, user info, IPv6 hosts…), which is not extraction; the
    // scheme-less group is: each text is one URL that X links whole.
    describe('urls_without_protocol, as extraction', () => {
      const cases = (groups.urls_without_protocol ?? []) as Case<boolean>[];
      it('has cases', () => expect(cases.length).toBeGreaterThan(0));
      it.each(cases.map((c) => [c.description, c] as const))('%s', (_, c) => {
        expect(c.expected).toBe(true);
        expect(extractUrls(c.text)).toEqual([{ url: c.text, start: 0, end: c.text.length }]);
      });
    });
  },
);

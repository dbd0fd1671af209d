import { describe, expect, it } from 'vitest';
import { extractCashtags } from '../../../src/x/index.js';

const cashtags = (text: string) =>
  extractCashtags(text).map(({ cashtag, start, end }) => [cashtag, start, end]);

describe('extractCashtags', () => {
  it.each([
    ['at the start', '$TSLA up', [['TSLA', 0, 5]]],
    [
      'several, in any case',
      'buy $aapl and $Goog',
      [
        ['aapl', 4, 9],
        ['Goog', 14, 19],
      ],
    ],
    ['six letters', '$ABCDEF', [['ABCDEF', 0, 7]]],
    [
      'with a class suffix',
      '$BRK.A $RDS_B $X.YZ',
      [
        ['BRK.A', 0, 6],
        ['RDS_B', 7, 13],
        ['X.YZ', 14, 19],
      ],
    ],
    ['followed by punctuation', '($AAPL), $MSFT.', [['MSFT', 9, 14]]],
    [
      'without a trailing dot or underscore',
      '$TEST. $TEST_',
      [
        ['TEST', 0, 5],
        ['TEST', 7, 12],
      ],
    ],
    ['after a non-breaking space', 'x\u00A0$AAPL', [['AAPL', 2, 7]]],
  ])('finds a cashtag %s', (_, text, expected) => {
    expect(cashtags(text)).toEqual(expected);
  });

  it.each([
    ['that is an amount', 'costs $5 or $10.99'],
    ['with digits', '$AB12 $1ABC'],
    ['longer than six letters', '$ABCDEFG'],
    ['glued to a word', 'US$AAPL and x$Y'],
    ['after another $', '$$AAPL'],
    ['with non-ASCII letters', '$株 $ÄBC'],
    ['alone', 'a $ sign'],
  ])('finds no cashtag %s', (_, text) => {
    expect(cashtags(text)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { extractMentions } from '../../../src/x/index.js';

const mentions = (text: string) =>
  extractMentions(text).map(({ username, start, end }) => [username, start, end]);

describe('extractMentions', () => {
  it.each([
    ['at the start', '@jack hi', [['jack', 0, 5]]],
    [
      'in the middle and at the end',
      'hi @jack and @x_dev',
      [
        ['jack', 3, 8],
        ['x_dev', 13, 19],
      ],
    ],
    ['all digits', 'cc @12345', [['12345', 3, 9]]],
    ['the full-width at sign', '＠jack', [['jack', 0, 5]]],
    ['after CJK text', 'の@jackに', [['jack', 1, 6]]],
    [
      'followed by punctuation',
      '(@jack), @bob.',
      [
        ['jack', 1, 6],
        ['bob', 9, 13],
      ],
    ],
    [
      'after a retweet marker',
      'RT@jack rt:@bob RT @amy',
      [
        ['jack', 2, 7],
        ['bob', 11, 15],
        ['amy', 19, 23],
      ],
    ],
    ['15 characters, the longest a username can be', '@abcdefghijklmno', [['abcdefghijklmno', 0, 16]]],
    ['after a newline', 'a\n@jack', [['jack', 2, 7]]],
    ['with UTF-16 indices after an emoji', '😀 @jack', [['jack', 3, 8]]],
  ])('finds a mention %s', (_, text, expected) => {
    expect(mentions(text)).toEqual(expected);
  });

  it.each([
    ['in an e-mail address', 'write to jack@example.com'],
    ['followed by another @', '@jack@example.com'],
    ['preceded by @', 'f@@jack'],
    ['preceded by !, #, $, %, & or *', 'a!@jack a#@jack a$@jack a%@jack a&@jack a*@jack'],
    ['followed by an accented Latin letter', '@jackñ'],
    ['followed by ://', '@http://example.com'],
    ['longer than 15 characters', '@abcdefghijklmnop'],
    ['that is a list', '@jack/my-list'],
    ['inside a URL', 'https://medium.com/@jack/post'],
    ['with no name', 'an @ alone'],
  ])('finds no mention %s', (_, text) => {
    expect(mentions(text)).toEqual([]);
  });
});

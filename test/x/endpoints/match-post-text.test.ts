import { describe, expect, it } from 'vitest';
import { sameSentText } from '../../../src/x/endpoints/match-post-text.js';

describe('sameSentText', () => {
  it.each([
    ['plain text', 'hello world', 'hello world'],
    [
      'URLs through their t.co form',
      'read https://example.com/a and example.org',
      'read https://t.co/AbCdEf1234 and https://t.co/ZyXwVu9876',
    ],
    ['the media link X appends', 'look at this', 'look at this https://t.co/Media12345'],
    [
      'a URL and the media link',
      'see https://example.com',
      'see https://t.co/AbCdEf1234 https://t.co/Media12345',
    ],
    ['a media-only post', '', 'https://t.co/Media12345'],
    ['HTML escapes in v2 text', 'fish & chips <3', 'fish &amp; chips &lt;3'],
    ['NFC normalisation', 'cafe\u0301', 'café'],
    ['surrounding whitespace', '  hi  ', 'hi'],
  ])('matches %s', (_, sent, returned) => {
    expect(sameSentText(sent, returned)).toBe(true);
  });

  it.each([
    ['other text', 'hello world', 'hello there'],
    ['a URL where there was text', 'go example', 'go https://t.co/AbCdEf1234'],
    ['a missing URL', 'see https://example.com', 'see'],
    ['an appended link that is not t.co', 'look', 'look https://example.com'],
    ['two appended links', 'look', 'look https://t.co/Media12345 https://t.co/Media67890'],
    ['an escape the sender typed', '&amp;', '&amp;'],
  ])('does not match %s', (_, sent, returned) => {
    expect(sameSentText(sent, returned)).toBe(false);
  });
});

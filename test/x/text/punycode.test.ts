import { describe, expect, it } from 'vitest';
import { labelToAscii, punycodeEncode } from '../../../src/x/text/punycode.js';

describe('punycodeEncode', () => {
  // RFC 3492 §7.1 sample strings and the classic German example.
  it.each([
    ['bücher', 'bcher-kva'],
    ['ليهمابتكلموشعربي؟', 'egbpdaj6bu4bxfgehfvwxn'],
    ['他们为什么不说中文', 'ihqwcrb4cv8a8dqg056pqjye'],
    ['Pročprostěnemluvíčesky', 'Proprostnemluvesky-uyb24dma41a'],
    ['☃', 'n3h'],
  ])('encodes %s', (label, expected) => {
    expect(punycodeEncode(label)).toBe(expected);
  });

  it('leaves ASCII labels alone and prefixes others with xn--', () => {
    expect(labelToAscii('example')).toBe('example');
    expect(labelToAscii('bücher')).toBe('xn--bcher-kva');
  });
});

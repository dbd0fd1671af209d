/**
 * The Punycode encoder of RFC 3492 (https://www.rfc-editor.org/rfc/rfc3492#section-6.3), used only
 * to measure a domain label as DNS sees it: X rejects a URL whose host has a label longer than 63
 * octets once encoded. `node:punycode` is deprecated and `url.domainToASCII` also applies UTS #46
 * mapping and validation, which changes the length we need to measure.
 */

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 0x80;
const ACE_PREFIX = 'xn--';

function adaptBias(delta: number, pointCount: number, firstTime: boolean): number {
  let d = firstTime ? Math.floor(delta / DAMP) : Math.floor(delta / 2);
  d += Math.floor(d / pointCount);
  let k = 0;
  while (d > ((BASE - T_MIN) * T_MAX) / 2) {
    d = Math.floor(d / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

function digit(value: number): string {
  // 0..25 are a..z, 26..35 are 0..9
  return String.fromCharCode(value < 26 ? 0x61 + value : 0x30 + value - 26);
}

/** Encodes one label's code points with Punycode, without the `xn--` prefix. */
export function punycodeEncode(label: string): string {
  const codePoints = Array.from(label, (ch) => ch.codePointAt(0)!);
  let output = codePoints
    .filter((cp) => cp < INITIAL_N)
    .map((cp) => String.fromCodePoint(cp))
    .join('');
  const basicCount = output.length;
  let handled = basicCount;
  if (basicCount > 0) output += '-';

  let n = INITIAL_N;
  let delta = 0;
  let bias = INITIAL_BIAS;
  while (handled < codePoints.length) {
    let next = Number.MAX_SAFE_INTEGER;
    for (const cp of codePoints) if (cp >= n && cp < next) next = cp;
    delta += (next - n) * (handled + 1);
    n = next;
    for (const cp of codePoints) {
      if (cp < n) delta++;
      if (cp !== n) continue;
      let q = delta;
      for (let k = BASE; ; k += BASE) {
        const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
        if (q < t) break;
        output += digit(t + ((q - t) % (BASE - t)));
        q = Math.floor((q - t) / (BASE - t));
      }
      output += digit(q);
      bias = adaptBias(delta, handled + 1, handled === basicCount);
      delta = 0;
      handled++;
    }
    delta++;
    n++;
  }
  return output;
}

/** A label as it goes into DNS: unchanged when ASCII, else `xn--` and its Punycode. */
export function labelToAscii(label: string): string {
  return /[\u0080-\uFFFF]/.test(label) ? ACE_PREFIX + punycodeEncode(label) : label;
}

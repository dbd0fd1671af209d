import { randomBytes } from 'node:crypto';

/** Twitter's snowflake epoch (2010-11-04T01:42:54.657Z). */
const TWITTER_EPOCH_MS = 1_288_834_974_657n;
/** Keep ids at 19 digits, as X's are today, even when a test sets the clock far back. */
const MIN_SNOWFLAKE = 1_000_000_000_000_000_000n;

/**
 * Snowflake ids like X's: 41 bits of milliseconds since the Twitter epoch, 10 bits of worker, 12 bits
 * of sequence. They sort by creation time, which `GET /2/users/:id/tweets` pagination relies on.
 */
export class SnowflakeGenerator {
  #lastMs = -1n;
  #sequence = 0n;
  #last = 0n;
  readonly #worker: bigint;

  constructor(worker = 7) {
    this.#worker = BigInt(worker & 0x3ff);
  }

  next(nowMs: number): string {
    const ms = BigInt(Math.max(0, Math.floor(nowMs))) - TWITTER_EPOCH_MS;
    if (ms === this.#lastMs) {
      this.#sequence = (this.#sequence + 1n) & 0xfffn;
    } else {
      this.#lastMs = ms;
      this.#sequence = 0n;
    }
    let id = (ms << 22n) | (this.#worker << 12n) | this.#sequence;
    if (id < MIN_SNOWFLAKE) id += MIN_SNOWFLAKE;
    // Never go backwards or repeat, even when the clock is set back or the sequence wraps.
    if (id <= this.#last) id = this.#last + 1n;
    this.#last = id;
    return id.toString();
  }
}

/** An opaque credential: URL-safe, from the CSPRNG. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Letters and digits only, for t.co paths and auth codes that travel in URLs. */
export function randomAlphanumeric(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const out: string[] = [];
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 62 × 4 = 248: reject the top of the byte range so every character is equally likely.
      if (byte < 248 && out.length < length) out.push(alphabet[byte % 62]!);
    }
  }
  return out.join('');
}

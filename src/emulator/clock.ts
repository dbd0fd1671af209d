/**
 * The emulator's clock. Token lifetimes, auth-code expiry, media expiry, processing progress and
 * rate-limit windows all read it, so a test can jump two hours ahead without sleeping.
 *
 * Emulated time = start + (real elapsed × scale) + manual advances. Scaling keeps time moving for
 * people using the sandbox while letting a demo run "fast"; `advance()` is what tests use.
 */
export interface EmulatorClockState {
  /** Emulated time, epoch milliseconds. */
  now: number;
  /** How many emulated milliseconds pass per real millisecond (0 freezes the clock). */
  scale: number;
}

export class EmulatorClock {
  #baseEmulated: number;
  #baseReal: number;
  #scale: number;
  readonly #realNow: () => number;

  constructor(options: { start?: number; scale?: number; realNow?: () => number } = {}) {
    this.#realNow = options.realNow ?? Date.now;
    this.#baseReal = this.#realNow();
    this.#baseEmulated = options.start ?? this.#baseReal;
    this.#scale = options.scale ?? 1;
    assertScale(this.#scale);
  }

  /** Emulated epoch milliseconds. */
  now(): number {
    return Math.floor(this.#baseEmulated + (this.#realNow() - this.#baseReal) * this.#scale);
  }

  /** Emulated epoch seconds (what X puts in `x-rate-limit-reset`). */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`clock.advance() takes a non-negative number of milliseconds, got ${ms}`);
    }
    this.#rebase();
    this.#baseEmulated += ms;
  }

  /** Jump to an absolute time. Going backwards is allowed: it is how a test replays a window. */
  set(epochMs: number): void {
    if (!Number.isFinite(epochMs))
      throw new RangeError(`clock.set() takes epoch milliseconds, got ${epochMs}`);
    this.#baseReal = this.#realNow();
    this.#baseEmulated = epochMs;
  }

  setScale(scale: number): void {
    assertScale(scale);
    this.#rebase();
    this.#scale = scale;
  }

  get scale(): number {
    return this.#scale;
  }

  snapshot(): EmulatorClockState {
    return { now: this.now(), scale: this.#scale };
  }

  #rebase(): void {
    const now = this.now();
    this.#baseReal = this.#realNow();
    this.#baseEmulated = now;
  }
}

function assertScale(scale: number): void {
  if (!Number.isFinite(scale) || scale < 0 || scale > 1_000_000) {
    throw new RangeError(`clock scale must be a number from 0 to 1000000, got ${scale}`);
  }
}

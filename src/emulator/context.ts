import { EmulatorClock } from './clock.js';
import { FaultInjector } from './faults.js';
import {
  type EmulatorOptions,
  type EmulatorSettings,
  normalizeSettings,
  parseClockStart,
} from './options.js';
import { RateLimiter } from './rate-limits.js';
import { type Fixtures, seedFixtures } from './state/fixtures.js';
import { EmulatorStore } from './state/store.js';

/**
 * Everything the emulator's routes share: state, clock, limits, faults and settings. One per running
 * emulator; the handle returned by `startEmulator` is a view over it.
 */
export class EmulatorContext {
  readonly clock: EmulatorClock;
  readonly store: EmulatorStore;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly settings: EmulatorSettings;
  #fixtures: Fixtures;
  readonly #resetHooks: Array<() => void> = [];
  readonly #closeHooks: Array<() => Promise<void> | void> = [];

  constructor(readonly options: EmulatorOptions = {}) {
    this.settings = normalizeSettings(options);
    this.clock = new EmulatorClock({
      start: parseClockStart(options.clock?.start),
      scale: options.clock?.scale,
    });
    this.store = new EmulatorStore(this.clock);
    this.limiter = new RateLimiter(options.rateLimits?.preset, options.rateLimits?.endpoints);
    this.faults = new FaultInjector(options.faultSeed);
    for (const rule of options.faults ?? []) this.faults.add(rule);
    this.#fixtures = seedFixtures(this.store, options.fixtures);
  }

  get fixtures(): Fixtures {
    return this.#fixtures;
  }

  /** Run `fn` whenever state is reset (a module that keeps state outside the store cleans up here). */
  onReset(fn: () => void): void {
    this.#resetHooks.push(fn);
  }

  onClose(fn: () => Promise<void> | void): void {
    this.#closeHooks.push(fn);
  }

  /**
   * Forget every post, media, token and count, and mint fresh fixture tokens. Faults, rate-limit
   * settings and the clock are kept unless asked for: a test that reset state usually wants its
   * fault rules to stay.
   */
  reset(options: { faults?: boolean; rateLimits?: boolean; clock?: boolean } = {}): Fixtures {
    // The clock first: fixture tokens are minted on it and must live 2 h from the reset time.
    if (options.clock) this.clock.set(parseClockStart(this.options.clock?.start) ?? Date.now());
    this.store.clear();
    for (const fn of this.#resetHooks) fn();
    this.#fixtures = seedFixtures(this.store, this.options.fixtures);
    if (options.faults) {
      this.faults.clear();
      this.faults.reseed(this.options.faultSeed ?? 1);
    }
    if (options.rateLimits)
      this.limiter.usePreset(
        this.options.rateLimits?.preset ?? 'pay-per-use',
        this.options.rateLimits?.endpoints,
      );
    else this.limiter.resetWindows();
    return this.#fixtures;
  }

  async close(): Promise<void> {
    for (const fn of this.#closeHooks) await fn();
  }
}

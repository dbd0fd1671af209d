import type { EmulatorHandle } from '../../../src/emulator/index.js';
import type { Clock } from '../../../src/x/clock.js';

export interface RecordingClock extends Clock {
  /** Every sleep the client asked for, in order. */
  readonly delays: number[];
}

/**
 * A clock that never sleeps for real: `sleep` records the delay and returns at once. Given an
 * emulator, `now` reads the emulator's clock and `sleep` advances it, so waiting for a rate-limit
 * reset really reaches the reset at the emulator.
 */
export function recordingClock(emulator?: () => EmulatorHandle): RecordingClock {
  const delays: number[] = [];
  let now = Date.parse('2026-01-01T00:00:00Z');
  return {
    delays,
    now: () => (emulator ? emulator().clock.now() : now),
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      delays.push(ms);
      if (emulator) emulator().clock.advance(Math.max(0, ms));
      else now += ms;
    },
  };
}

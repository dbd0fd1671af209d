import { describe, expect, it } from 'vitest';
import { EmulatorClock } from '../../src/emulator/clock.js';

function fakeReal(start = 1_000_000) {
  let now = start;
  return { now: () => now, tick: (ms: number) => (now += ms) };
}

describe('EmulatorClock', () => {
  it('follows real time from its start at scale 1', () => {
    const real = fakeReal();
    const clock = new EmulatorClock({ start: 5_000, realNow: real.now });
    real.tick(250);
    expect(clock.now()).toBe(5_250);
    expect(clock.nowSeconds()).toBe(5);
  });

  it('advances by hand without waiting', () => {
    const real = fakeReal();
    const clock = new EmulatorClock({ start: 0, realNow: real.now });
    clock.advance(7_200_000);
    expect(clock.now()).toBe(7_200_000);
  });

  it('scales elapsed real time, and a scale change keeps the time reached so far', () => {
    const real = fakeReal();
    const clock = new EmulatorClock({ start: 0, scale: 10, realNow: real.now });
    real.tick(100);
    expect(clock.now()).toBe(1_000);
    clock.setScale(0);
    real.tick(5_000);
    expect(clock.now()).toBe(1_000);
    clock.setScale(2);
    real.tick(10);
    expect(clock.now()).toBe(1_020);
  });

  it('can be set to an absolute time, backwards included', () => {
    const real = fakeReal();
    const clock = new EmulatorClock({ start: 50_000, realNow: real.now });
    clock.set(10_000);
    expect(clock.now()).toBe(10_000);
  });

  it('rejects nonsense with a message that names the problem', () => {
    const clock = new EmulatorClock();
    expect(() => clock.advance(-1)).toThrow(/non-negative/);
    expect(() => clock.setScale(Number.NaN)).toThrow(/scale/);
    expect(() => new EmulatorClock({ scale: -2 })).toThrow(/scale/);
  });
});

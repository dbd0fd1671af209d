import { expect, it } from 'vitest';
import { rateLimits } from '../../../src/service/store/sql.js';
import { pacingWait, RESET_MARGIN_MS } from '../../../src/service/worker/pacing.js';
import { describeDatabases } from '../../helpers/database.js';

const EP = 'POST /2/tweets';
const now = new Date('2030-05-01T12:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const ACCOUNT = '00000000-0000-4000-8000-000000000001';

describeDatabases('pacingWait', ({ db }) => {
  const observe = (subject: string, o: Partial<Parameters<typeof rateLimits.upsert>[0]>) =>
    db().query(rateLimits.upsert({ subject, endpoint: EP, observedAt: now, ...o }));

  it('goes when nothing is known, and takes one request per call from a known window', async () => {
    expect(await pacingWait(db(), ACCOUNT, EP, now)).toBeUndefined();
    await observe(ACCOUNT, { limit: 100, remaining: 2, resetAt: at(60_000) });
    expect(await pacingWait(db(), ACCOUNT, EP, now)).toBeUndefined();
    expect(await pacingWait(db(), ACCOUNT, EP, now)).toBeUndefined();
    expect(await pacingWait(db(), ACCOUNT, EP, now)).toEqual(at(60_000 + RESET_MARGIN_MS));
    // After the reset the window counts as unknown: go.
    expect(await pacingWait(db(), ACCOUNT, EP, at(61_000))).toBeUndefined();
  });

  it("waits for the user's daily cap, and for the app's, whichever resets later", async () => {
    await observe(ACCOUNT, {
      limit: 100,
      remaining: 50,
      resetAt: at(60_000),
      dailyLimit: 17,
      dailyRemaining: 0,
      dailyResetAt: at(3_600_000),
    });
    expect(await pacingWait(db(), ACCOUNT, EP, now)).toEqual(at(3_600_000 + RESET_MARGIN_MS));
    await observe('app', { dailyLimit: 10_000, dailyRemaining: 0, dailyResetAt: at(7_200_000) });
    expect(await pacingWait(db(), ACCOUNT, EP, now)).toEqual(at(7_200_000 + RESET_MARGIN_MS));
  });

  it('never gives back requests taken in the same window when a response reports an older count', async () => {
    await observe(ACCOUNT, { limit: 10, remaining: 5, resetAt: at(60_000) });
    await pacingWait(db(), ACCOUNT, EP, now); // 4 left
    await pacingWait(db(), ACCOUNT, EP, now); // 3 left, two requests in flight
    // The first request's answer: X had counted only it.
    await observe(ACCOUNT, { limit: 10, remaining: 4, resetAt: at(60_000), observedAt: at(10) });
    const { rows } = await db().query<{ remaining: number }>(rateLimits.get(ACCOUNT, EP));
    expect(rows[0]!.remaining).toBe(3);
    // A new window starts over from what X says.
    await observe(ACCOUNT, { limit: 10, remaining: 9, resetAt: at(120_000), observedAt: at(61_000) });
    expect((await db().query<{ remaining: number }>(rateLimits.get(ACCOUNT, EP))).rows[0]!.remaining).toBe(9);
  });
});

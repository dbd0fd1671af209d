import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { Db } from '../../../src/service/db/types.js';
import {
  attempts,
  type ClaimedTargetRow,
  type PostTargetRow,
  type PublishAttemptRow,
  targets,
} from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { at, insertTarget, T0 } from './fixtures.js';

const LEASE = 60;

async function claim(db: Db, workerId: string, now = at(0), holdMs = 0, targetId?: string) {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<ClaimedTargetRow>(
      targets.claim({
        workerId,
        now,
        leaseUntil: at((now.getTime() - T0.getTime()) / 1000 + LEASE),
        ...(targetId && { targetId }),
      }),
    );
    if (holdMs) await sleep(holdMs); // keep the row lock while the other claimer runs
    return rows[0];
  });
}

describeDatabases('claimTarget, recordAttempt, finishAttempt', ({ backend, db }) => {
  it('hands one due target to exactly one of two concurrent claimers', async () => {
    const target = await insertTarget(db(), { runAt: at(-1) });
    const [a, b] = await Promise.all([
      claim(db(), 'worker-a', at(0), 50),
      claim(db(), 'worker-b', at(0), 50),
    ]);
    const winners = [a, b].filter(Boolean);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({
      id: target.id,
      state: 'publishing',
      previous_state: 'scheduled',
      version: target.version + 1,
      locked_until: at(LEASE),
    });
  });

  it('gives two concurrent claimers two different due targets', async () => {
    const one = await insertTarget(db(), { runAt: at(-2) });
    const two = await insertTarget(db(), { runAt: at(-1), mediaPending: true });
    const claimed = await Promise.all([claim(db(), 'a', at(0), 30), claim(db(), 'b', at(0), 30)]);
    expect(claimed.map((t) => t?.id).sort()).toEqual([one.id, two.id].sort());
    expect(claimed.find((t) => t?.id === two.id)?.state).toBe('uploading');
  });

  if (backend === 'postgres') {
    it('skips a target another connection has locked instead of waiting for it', async () => {
      await insertTarget(db(), { runAt: at(-1) });
      const started = Date.now();
      const [slow, fast] = await Promise.all([
        claim(db(), 'slow', at(0), 400),
        sleep(50).then(() => claim(db(), 'fast')),
      ]);
      expect(slow).toBeDefined();
      expect(fast).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  }

  it('claims nothing not yet due, draft, final, or held under a live lease', async () => {
    await insertTarget(db(), { runAt: at(LEASE * 2) });
    await insertTarget(db(), { state: 'draft', runAt: at(-10) });
    await insertTarget(db(), { state: 'cancelled', runAt: at(-10) });
    const held = await insertTarget(db(), { runAt: at(-10) });
    expect((await claim(db(), 'a'))?.id).toBe(held.id);
    expect(await claim(db(), 'b', at(LEASE - 1))).toBeUndefined();
  });

  it('takes over a target whose holder let its lease run out, keeping its state', async () => {
    const target = await insertTarget(db(), { runAt: at(-1) });
    await claim(db(), 'crashed');
    const taken = await claim(db(), 'rescuer', at(LEASE));
    expect(taken).toMatchObject({
      id: target.id,
      state: 'publishing',
      previous_state: 'publishing',
      locked_by: 'rescuer',
    });
  });

  it('claims only the named target when given one', async () => {
    await insertTarget(db(), { runAt: at(-5) });
    const named = await insertTarget(db(), { runAt: at(-1) });
    expect((await claim(db(), 'a', at(0), 0, named.id))?.id).toBe(named.id);
    expect(await claim(db(), 'a', at(0), 0, named.id)).toBeUndefined();
  });

  it('records an attempt only for the holder of a publishing target, at its next item', async () => {
    const target = await insertTarget(db(), { runAt: at(-1) });
    await claim(db(), 'a');
    const record = (workerId: string, itemIndex = 0) =>
      db().query<PublishAttemptRow>(
        attempts.record({ targetId: target.id, workerId, itemIndex, text: 'hello', now: at(1) }),
      );
    expect((await record('b')).rows).toEqual([]);
    expect((await record('a', 1)).rows).toEqual([]);
    const { rows } = await record('a');
    expect(rows[0]).toMatchObject({ target_id: target.id, item_index: 0, outcome: null, started_at: at(1) });
    const after = (await db().query<PostTargetRow>(targets.get(target.id))).rows[0]!;
    expect(after.attempts).toBe(1);
    // While it is open (in flight, or the worker died), nothing else may be sent for the target.
    await expect(record('a')).rejects.toThrow(/publish_attempts_one_open/);
  });

  it('advances the thread when an attempt is sent, and refuses to settle it twice', async () => {
    const target = await insertTarget(db(), { runAt: at(-1) });
    await claim(db(), 'a');
    const attempt = (
      await db().query<PublishAttemptRow>(
        attempts.record({ targetId: target.id, workerId: 'a', itemIndex: 0, text: '1/2', now: at(1) }),
      )
    ).rows[0]!;
    const finish = () =>
      db().query<PublishAttemptRow & { advanced: boolean }>(
        attempts.finish({
          attemptId: attempt.id,
          workerId: 'a',
          outcome: 'sent',
          xPostId: '1900',
          now: at(2),
        }),
      );
    const { rows } = await finish();
    expect(rows[0]).toMatchObject({ outcome: 'sent', x_post_id: '1900', finished_at: at(2), advanced: true });
    const after = (await db().query<PostTargetRow>(targets.get(target.id))).rows[0]!;
    expect(after).toMatchObject({ x_post_ids: ['1900'], next_item: 1 });
    expect((await finish()).rows).toEqual([]);
    // The second item can now be recorded.
    const second = await db().query<PublishAttemptRow>(
      attempts.record({ targetId: target.id, workerId: 'a', itemIndex: 1, text: '2/2', now: at(3) }),
    );
    expect(second.rows).toHaveLength(1);
  });

  it('keeps an unknown outcome open until reconciled, which a rescuer may do', async () => {
    const target = await insertTarget(db(), { runAt: at(-1) });
    await claim(db(), 'a');
    const attempt = (
      await db().query<PublishAttemptRow>(
        attempts.record({ targetId: target.id, workerId: 'a', itemIndex: 0, text: 'hi', now: at(1) }),
      )
    ).rows[0]!;
    await db().query(
      attempts.finish({ attemptId: attempt.id, workerId: 'a', outcome: 'unknown', now: at(2) }),
    );
    expect((await db().query(attempts.open(target.id))).rows).toHaveLength(1);
    // Worker a dies; b takes the lease over and must reconcile, which only the holder can do.
    await claim(db(), 'b', at(LEASE + 1));
    const settle = (workerId: string) =>
      db().query<{ advanced: boolean }>(
        attempts.finish({
          attemptId: attempt.id,
          workerId,
          outcome: 'reconciled',
          xPostId: '1901',
          now: at(LEASE + 2),
        }),
      );
    expect((await settle('a')).rows).toEqual([]);
    expect((await settle('b')).rows[0]?.advanced).toBe(true);
    expect((await db().query(attempts.open(target.id))).rows).toEqual([]);
  });

  it('moves a held target and ends the lease; only its holder can', async () => {
    const target = await insertTarget(db(), { runAt: at(-1), mediaPending: true });
    await claim(db(), 'a');
    const move = (workerId: string) =>
      db().query<PostTargetRow>(
        targets.move({
          id: target.id,
          workerId,
          from: 'uploading',
          to: 'queued',
          now: at(5),
          runAt: at(65),
          error: { code: 'x_unavailable', detail: 'Service Unavailable', retryable: true },
        }),
      );
    expect((await move('b')).rows).toEqual([]);
    const { rows } = await move('a');
    expect(rows[0]).toMatchObject({
      state: 'queued',
      run_at: at(65),
      locked_by: null,
      locked_until: null,
      error_code: 'x_unavailable',
      error_retryable: true,
    });
    expect(() =>
      targets.move({ id: target.id, workerId: 'a', from: 'publishing', to: 'cancelled', now: at(5) }),
    ).toThrow(/cannot go from publishing to cancelled/);
  });

  it('updates an unheld target only at the version it was read at', async () => {
    const target = await insertTarget(db(), { runAt: at(60) });
    const update = (version: number) =>
      db().query<PostTargetRow>(
        targets.update({ id: target.id, version, from: 'scheduled', to: 'queued', now: at(0), runAt: at(0) }),
      );
    expect((await update(target.version + 1)).rows).toEqual([]);
    expect((await update(target.version)).rows[0]).toMatchObject({
      state: 'queued',
      version: target.version + 1,
    });
    expect((await update(target.version)).rows).toEqual([]);
  });
});

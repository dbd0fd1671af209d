import type { SqlQuery } from '../db/types.js';
import { CLAIMABLE_STATES, HELD_STATES, type PostTargetState } from '../states.js';
import { sql } from './sql.js';

/**
 * The worker's sweep (src/service/worker/sweep.ts): what is due by the application's clock, what
 * pg-boss already holds for it, and the housekeeping deletes. Pure functions, as in sql.ts.
 */

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

export interface DueTargetRow {
  id: string;
  state: PostTargetState;
  /** When it became due: `run_at`, or the end of the expired lease. */
  due_at: Date;
}

export const sweepQueries = {
  /**
   * Targets a worker should be working on at `now`: `scheduled`/`queued` whose `run_at` has come,
   * and `uploading`/`publishing` whose lease ended (the holder crashed or hung). The same rule as
   * `targets.claim`, as two index scans (`post_targets_due`, `post_targets_leases`), oldest first,
   * at most `limit` of each.
   */
  dueTargets: (now: Date, limit: number): SqlQuery =>
    sql(
      `(SELECT id, state, run_at AS due_at FROM xpost.post_targets
         WHERE state IN (${list(CLAIMABLE_STATES)}) AND run_at <= $1
         ORDER BY run_at, id LIMIT $2)
       UNION ALL
       (SELECT id, state, locked_until AS due_at FROM xpost.post_targets
         WHERE state IN (${list(HELD_STATES)}) AND locked_until <= $1
         ORDER BY locked_until, id LIMIT $2)`,
      [now, limit],
    ),

  /**
   * The publish jobs waiting in pg-boss (`created`, or `retry` after a failed run) for these
   * singleton keys, and whether the database's clock still holds them back (`later`). pg-boss
   * compares `start_after` with the database's `now()`; the sweep decides by the application's
   * clock, so a job held back by the database's clock is moved to now.
   */
  waitingPublishJobs: (schema: string, queue: string, singletonKeys: readonly string[]): SqlQuery => {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema))
      throw new Error(`job queue schema must be a plain identifier, got "${schema}"`);
    return sql(
      `SELECT singleton_key AS key, state, (start_after > now()) AS later FROM ${schema}.job
       WHERE name = $1 AND singleton_key = ANY($2::text[]) AND state IN ('created', 'retry')`,
      [queue, [...singletonKeys]],
    );
  },

  /** OAuth connect states (`GET /connect/x`) never used within their ten minutes. */
  expireOAuthStates: (now: Date): SqlQuery =>
    sql('DELETE FROM xpost.oauth_states WHERE expires_at <= $1', [now]),
};

export interface WaitingJobRow {
  key: string;
  state: 'created' | 'retry';
  later: boolean;
}

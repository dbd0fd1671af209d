import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { XTokenStoreError } from './token-store-error.js';

/**
 * A cross-process lock on a file path with `proper-lockfile` (an atomic `mkdir` of `<path>.lock`,
 * whose mtime the holder refreshes). A holder that crashes stops refreshing it, and after `staleMs`
 * the next contender takes the lock over: no manual cleanup after a crash.
 *
 * The wait is our own loop rather than proper-lockfile's `retries`, so it has a deadline in
 * milliseconds and jitter that keeps several waiting processes from polling in step.
 */

export const DEFAULT_LOCK_STALE_MS = 10_000;
export const DEFAULT_LOCK_WAIT_MS = 30_000;
const FIRST_RETRY_MS = 5;
const MAX_RETRY_MS = 100;

export interface FileLockOptions {
  /** A lock whose holder has not refreshed it for this long is taken over (min 2000). */
  staleMs?: number;
  /** How long to wait for the lock before failing. */
  waitMs?: number;
}

export async function withFileLock<T>(
  path: string,
  options: FileLockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const staleMs = Math.max(2_000, options.staleMs ?? DEFAULT_LOCK_STALE_MS);
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const deadline = Date.now() + waitMs;
  let delay = FIRST_RETRY_MS;
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lockfile.lock(path, {
        realpath: false,
        stale: staleMs,
        update: Math.max(1_000, Math.floor(staleMs / 4)),
        retries: 0,
        // proper-lockfile's default throws from a timer, which would crash the process. A compromised
        // lock (this process stalled past `staleMs`) is survivable: the refresh logic re-reads the
        // store after any refused refresh token, so a second rotation cannot lose the pair.
        onCompromised: () => {},
      });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new XTokenStoreError(`could not lock ${path}.lock: ${(error as Error).message}`, {
          path,
          cause: error,
        });
      }
      if (Date.now() >= deadline) {
        throw new XTokenStoreError(
          `timed out after ${waitMs} ms waiting for ${path}.lock, held by another xpost process (a crashed holder's lock is taken over after ${staleMs} ms)`,
          { path },
        );
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }
  try {
    return await fn();
  } finally {
    // Already released (compromised and taken over) is not an error for us.
    await release().catch(() => {});
  }
}

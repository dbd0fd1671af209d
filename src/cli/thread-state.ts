import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../x/auth/atomic-write.js';
import { accountDir } from './accounts.js';
import { ensureDir, FILE_MODE } from './config.js';

/**
 * Where a thread that stopped part-way remembers what it posted, so the same command run again
 * resumes it (`posts.thread(items, { resumeFrom })`) instead of posting items twice:
 * `$XPOST_HOME/accounts/<account>/threads/<key>.json`. The key is the SHA-256 of the API base and the
 * items exactly as they would be posted, so the same input (and flags) finds it and any other input
 * does not. The file is deleted once the thread is complete.
 */

const STATE_VERSION = 1;

export interface ThreadState {
  version: number;
  apiBase: string;
  /** How many items the thread has, to tell a damaged file from this thread's. */
  items: number;
  /** Ids of items 0 … postedIds.length-1, on X already. */
  postedIds: string[];
  /** When the failed item was first sent (ISO 8601), for the lookup that decides whether it landed. */
  since?: string;
  updatedAt: string;
}

export function threadStatePath(
  home: string,
  account: string,
  apiBase: string,
  items: readonly string[],
): string {
  const key = createHash('sha256')
    .update(JSON.stringify([STATE_VERSION, apiBase, items]))
    .digest('hex');
  return join(accountDir(home, account), 'threads', `${key}.json`);
}

/**
 * The saved state; undefined when there is none; `damaged` when the file cannot be this thread's (the
 * caller warns and starts over: X's duplicate-content rule then refuses an item already posted).
 */
export async function readThreadState(
  file: string,
  items: number,
): Promise<ThreadState | 'damaged' | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'damaged';
  }
  const state = data as Partial<ThreadState>;
  if (
    state.version !== STATE_VERSION ||
    state.items !== items ||
    !Array.isArray(state.postedIds) ||
    state.postedIds.length > items ||
    state.postedIds.some((id) => typeof id !== 'string' || !/^[0-9]{1,19}$/.test(id)) ||
    (state.since !== undefined && Number.isNaN(Date.parse(state.since)))
  ) {
    return 'damaged';
  }
  return state as ThreadState;
}

export async function writeThreadState(
  file: string,
  state: Omit<ThreadState, 'version' | 'updatedAt'>,
): Promise<void> {
  await ensureDir(join(file, '..'));
  const full: ThreadState = { version: STATE_VERSION, ...state, updatedAt: new Date().toISOString() };
  await writeFileAtomic(file, `${JSON.stringify(full, null, 2)}\n`, FILE_MODE);
}

export async function deleteThreadState(file: string): Promise<void> {
  await rm(file, { force: true });
}

import { type MediaCategory, type XClient, XMediaError } from '../../x/index.js';
import { STANDARD_POST_LENGTH } from '../accounts/save-account.js';
import { one } from '../db/one.js';
import { anySignal } from '../media/any-signal.js';
import { mediaCombinationProblem } from '../media/media-types.js';
import { MediaFailure, prepareMedia, type ReadyMedia } from '../media/prepare-media.js';
import { addCounter, COUNTERS } from '../metrics/counters.js';
import { readStoredRequest, type StoredPostRequest, storedMediaIds } from '../posts/stored-request.js';
import { type MediaRow, type MediaUploadRow, media, mediaUploads } from '../store/media-api.js';
import { recomputePostState } from '../store/post-state.js';
import { type AccountRow, accounts, type PostTargetRow, posts, targets } from '../store/sql.js';
import { dbUploadJournal } from '../store/upload-journal.js';
import { clientForAccount, workerClientOptions } from './account-client.js';
import {
  DEFAULT_LEASE_MS,
  fail,
  type HeldTarget,
  Lost,
  move,
  type PublishDeps,
  type PublishResult,
  Retryable,
  settleError,
} from './publish.js';

/**
 * The upload step: for a target this worker holds in `uploading` (the claim put it there because
 * media are pending, or the publish step found an X media id expired), makes every media item of
 * the post ready on our disk (`prepareMedia`: fetched from its URL once across workers) and uploads
 * it to X as this account, unless `media_uploads` already has a live X media id for it. The SDK's
 * resumable upload keeps its journal in the database, so a worker that takes over a crashed one's
 * lease continues the upload instead of starting over. Then the target moves on to `publishing`.
 *
 * Failures: media that cannot be fetched fail the target with the fetch's code and detail; X's
 * errors are settled as the publish step settles them (a rate limit waits for its reset, network
 * errors and 5xx back off up to the attempt limit, other refusals fail).
 */

export type UploadResult =
  | { outcome: 'uploaded' }
  | Extract<PublishResult, { outcome: 'lost' | 'requeued' | 'failed' }>;

export interface UploadTargetOptions {
  /** The job's signal: stopping leaves the target held (its lease runs out; the journal keeps the upload). */
  signal?: AbortSignal;
}

/** An X media id this close to expiry is uploaded again rather than risked on a post. */
export const REUPLOAD_MARGIN_MS = 15 * 60_000;

export async function uploadTarget(
  deps: PublishDeps,
  target: string | Pick<PostTargetRow, 'id'>,
  options: UploadTargetOptions = {},
): Promise<UploadResult> {
  const { db } = deps;
  const id = typeof target === 'string' ? target : target.id;
  const row = await one<PostTargetRow>(db, targets.get(id));
  if (!row || row.locked_by !== deps.workerId || row.state !== 'uploading') return { outcome: 'lost' };
  const held: HeldTarget = { deps, target: row, from: 'uploading' };
  await db.transaction((tx) => recomputePostState(tx, row.post_id));

  const post = await one<{ body: string; request: unknown }>(db, posts.get(row.post_id));
  const account = await one<AccountRow>(db, accounts.get(row.account_id));
  if (!post) throw new Error(`post ${row.post_id} of target ${row.id} is gone`);
  if (!account || account.needs_reconnect) {
    return narrow(
      await fail(held, 'account_needs_reconnect', account?.reconnect_reason ?? 'the account was removed'),
    );
  }
  const request = readStoredRequest(post);

  const stop = new AbortController();
  const signal = anySignal([options.signal, stop.signal]);
  const lease = new LeaseKeeper(deps, row.id, stop);
  try {
    await uploadAll(deps, account, request, signal, lease);
    const moved = await move(held, 'publishing', { mediaPending: false });
    return moved ? { outcome: 'uploaded' } : { outcome: 'lost' };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const reason = stop.signal.aborted ? stop.signal.reason : error;
    if (reason instanceof Lost) return { outcome: 'lost' };
    if (error instanceof MediaFailure) return narrow(await fail(held, error.code, error.detail));
    return narrow(await settleUploadError(held, error));
  }
}

async function uploadAll(
  deps: PublishDeps,
  account: AccountRow,
  request: StoredPostRequest,
  signal: AbortSignal,
  lease: LeaseKeeper,
): Promise<void> {
  const { db } = deps;
  const ids = storedMediaIds(request);
  if (ids.length === 0) return;
  const now = deps.clock.now();
  const known = new Map(
    (await db.query<MediaUploadRow>(mediaUploads.forAccount(account.id, ids))).rows.map((r) => [
      r.media_id,
      r,
    ]),
  );
  const needed = ids.filter((mediaId) => {
    const upload = known.get(mediaId);
    return (
      !upload ||
      (upload.expires_at !== null && upload.expires_at.getTime() - now.getTime() <= REUPLOAD_MARGIN_MS)
    );
  });

  const ready = new Map<string, ReadyMedia>();
  for (const mediaId of needed) {
    if (!deps.media) {
      // A wiring mistake, not the post's fault: thrown, so the job retries once the worker is fixed.
      throw new Error('uploadTarget: PublishDeps.media is not set (pass mediaSettingsFromConfig(config))');
    }
    ready.set(
      mediaId,
      await prepareMedia({ db, clock: deps.clock, media: deps.media }, mediaId, {
        signal,
        onProgress: () => lease.extend(),
      }),
    );
  }
  await checkCombinations(deps, request, ready);

  let client: XClient | undefined;
  const journal = dbUploadJournal(db);
  for (const mediaId of needed) {
    const item = ready.get(mediaId)!;
    client ??= clientForAccount(deps, account, workerClientOptions(deps.leaseMs ?? DEFAULT_LEASE_MS));
    const alt = altTextOf(request, mediaId) ?? item.alt_text ?? undefined;
    const result = await client.media.upload(item.local_path, {
      journal,
      mediaType: item.content_type,
      mediaCategory: item.media_category as MediaCategory,
      // The larger limits of X Premium: the account's post length says whether it has it.
      premium: account.post_length_limit > STANDARD_POST_LENGTH,
      ...(alt ? { altText: alt } : {}),
      signal,
      onProgress: () => lease.poke(),
    });
    // X says how long the id lives; count it from our clock (the client's may be another).
    const lifetime = result.expiresAt - client.options.clock.now();
    const at = deps.clock.now();
    await db.query(
      mediaUploads.upsert({
        mediaId,
        accountId: account.id,
        xMediaId: result.mediaId,
        expiresAt: new Date(at.getTime() + lifetime),
        now: at,
      }),
    );
    await addCounter(db, COUNTERS.uploadBytes, {}, result.size);
    await lease.extend();
  }
}

/** Each item's media as X takes them (up to 4 photos, or one GIF or video), known once fetched. */
async function checkCombinations(
  deps: PublishDeps,
  request: StoredPostRequest,
  ready: Map<string, ReadyMedia>,
): Promise<void> {
  const ids = storedMediaIds(request);
  const missing = ids.filter((mediaId) => !ready.has(mediaId));
  const rows = new Map<string, Pick<MediaRow, 'media_category'>>(ready);
  if (missing.length > 0) {
    for (const r of (await deps.db.query<MediaRow>(media.getMany(missing))).rows) rows.set(r.id, r);
  }
  request.items.forEach((item, index) => {
    const categories = item.media.map((m) => rows.get(m.id)?.media_category ?? 'tweet_image');
    const problem = mediaCombinationProblem(categories);
    if (problem) {
      throw new MediaFailure(
        'media_invalid_combination',
        `${index === 0 ? 'the post' : `thread item ${index}`}: ${problem}; edit the post's media`,
      );
    }
  });
}

/** The alt text the post gives a media item (its first use that has one). */
function altTextOf(request: StoredPostRequest, mediaId: string): string | undefined {
  for (const item of request.items) {
    for (const m of item.media) if (m.id === mediaId && m.alt !== undefined) return m.alt;
  }
  return undefined;
}

/**
 * X's errors during the upload: a media error a later run may fix becomes retryable, the others fail
 * the target; then the publish step's rules decide (a retryable failure counts against the limit).
 */
async function settleUploadError(held: HeldTarget, error: unknown): Promise<PublishResult> {
  if (error instanceof XMediaError) {
    if (error.code !== 'processing_timeout' && error.code !== 'source_unreadable')
      return fail(held, `media_${error.code}`, error.message);
    return settleError(held, new Retryable(`media_${error.code}`, error.message));
  }
  return settleError(held, error);
}

function narrow(result: PublishResult): UploadResult {
  if (result.outcome === 'lost' || result.outcome === 'requeued' || result.outcome === 'failed')
    return result;
  throw new Error(`unexpected outcome of the upload step: ${result.outcome}`);
}

/**
 * Keeps the target's lease while a long fetch or upload runs: extended at most every third of the
 * lease (by the clock). When the lease is no longer ours, the work is aborted with `Lost`.
 */
class LeaseKeeper {
  #last: number;
  #pending: Promise<void> | undefined;

  constructor(
    private readonly deps: PublishDeps,
    private readonly targetId: string,
    private readonly stop: AbortController,
  ) {
    this.#last = deps.clock.now().getTime();
  }

  async extend(): Promise<void> {
    const leaseMs = this.deps.leaseMs ?? DEFAULT_LEASE_MS;
    const now = this.deps.clock.now();
    if (now.getTime() - this.#last < leaseMs / 3) return;
    this.#last = now.getTime();
    const row = await one(
      this.deps.db,
      targets.extendLease({
        id: this.targetId,
        workerId: this.deps.workerId,
        leaseUntil: new Date(now.getTime() + leaseMs),
      }),
    );
    if (!row) throw new Lost();
  }

  /** From a synchronous progress callback: extend in the background, abort the work if lost. */
  poke(): void {
    if (this.#pending) return;
    this.#pending = this.extend()
      .catch((error: unknown) => this.stop.abort(error))
      .finally(() => {
        this.#pending = undefined;
      });
  }
}

import { XError } from './x-error.js';

export interface XThreadErrorInit {
  postedIds: readonly string[];
  failedIndex: number;
  total: number;
  cause: unknown;
  /** True when item `failedIndex` may have been posted (its outcome is still unknown). */
  outcomeUnknown: boolean;
  /** When item `failedIndex` was first sent, for reconciling on resume. */
  sentAt?: Date;
}

/**
 * A thread stopped part-way. Nothing is lost: `postedIds` are the items already on X, in order, and
 * `thread(items, { resumeFrom: error.resumeFrom })` continues after them without posting any again.
 */
export class XThreadError extends XError {
  override name = 'XThreadError';
  /** Ids of items 0 … failedIndex-1, already posted. */
  readonly postedIds: readonly string[];
  /** The item that failed. */
  readonly failedIndex: number;
  readonly outcomeUnknown: boolean;
  /** Pass to `thread(items, { resumeFrom })`. */
  readonly resumeFrom: { postedIds: readonly string[]; since?: Date };

  constructor(init: XThreadErrorInit) {
    const reason = init.cause instanceof Error ? init.cause.message : String(init.cause);
    const unknown = init.outcomeUnknown ? ' (it may have been posted; resuming checks first)' : '';
    super(
      `Thread stopped at items[${init.failedIndex}] of ${init.total} after posting ${init.postedIds.length}${unknown}: ${reason}. ` +
        'Resume with thread(items, { resumeFrom: error.resumeFrom }).',
      {
        cause: init.cause,
        endpoint: 'POST /2/tweets',
        ...(init.cause instanceof XError ? { status: init.cause.status } : {}),
      },
    );
    this.postedIds = [...init.postedIds];
    this.failedIndex = init.failedIndex;
    this.outcomeUnknown = init.outcomeUnknown;
    this.resumeFrom = init.sentAt
      ? { postedIds: this.postedIds, since: init.sentAt }
      : { postedIds: this.postedIds };
  }
}

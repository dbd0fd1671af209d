import type { Queryable } from './db/types.js';
import type { PostTargetState, WebhookEvent } from './states.js';

/**
 * What happened to one post on one account, as the worker reports it. Emitted inside the transaction
 * that moved the target, so an event exists exactly when its state change committed (an outbox):
 * the webhooks module turns it into signed deliveries for the subscribed URLs.
 */
export interface PostEvent {
  event: WebhookEvent;
  postId: string;
  targetId: string;
  accountId: string;
  state: PostTargetState;
  /** X post ids published so far, in thread order. */
  xPostIds: string[];
  /** For `post.failed` and `post.retrying`: our reason code, X's own words, and whether it is retried. */
  error?: { code: string; detail: string | null; retryable: boolean };
  /** For `post.retrying`: when the next try is due. */
  retryAt?: Date;
  /** When it happened (the worker's clock). */
  at: Date;
}

export interface PostEventSink {
  /** Called with the transaction that moved the target; throwing rolls the move back. */
  emit(tx: Queryable, event: PostEvent): Promise<void>;
}

import type { ServiceConfig } from './config.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { Db } from './db/types.js';
import type { JobQueue } from './queue/job-queue-types.js';
import type { AccountRow } from './store/sql.js';
import type { XAccess } from './worker/account-client.js';

/**
 * What the HTTP routes work with: one object built by `buildServiceApp`, passed to every
 * `register…Routes(app, deps)`. Tests build it with an injected clock and an emulator as X.
 */
export interface RouteDeps {
  config: ServiceConfig;
  db: Db;
  box: SecretBox;
  /** Now: schedules, expiries, `last_used_at`. */
  clock: () => Date;
  /**
   * The job queue, to schedule a target's publish in the transaction that creates or changes it.
   * Absent (`xpost serve` without a queue, some tests): targets are still written, and the worker's
   * sweep of due targets picks them up.
   */
  queue?: Pick<JobQueue, 'schedulePublish' | 'reschedulePublish' | 'sendWebhookDelivery' | 'size'>;
  /** How to reach X for an account (delete on X, verify, revoke). */
  x: (account: AccountRow) => XAccess;
  /** The X app used to connect accounts (`GET /connect/x`): OAuth 2.0 client and the API base. */
  xApp: XAppAccess;
}

export interface XAppAccess {
  clientId: string;
  clientSecret?: string;
  /** API base for the token endpoint and users/me (`https://api.x.com`, or the sandbox emulator). */
  apiBase: string;
  /** Where the browser is sent to authorise (`https://x.com/i/oauth2/authorize`, or the emulator's page). */
  authorizeUrl: string;
  /** Accounts connected through this app are sandbox accounts (the in-process emulator). */
  sandbox: boolean;
  /** `fetch` for the token endpoint and users/me (tests); default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

export { DbTokenStore, openTokens, sealTokens, tokenAad } from './db-token-store.js';
export {
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_ATTEMPTS,
  type PublishDeps,
  type PublishResult,
  publishTarget,
  requestItems,
  type XAccess,
} from './publish.js';
export { publishJobHandler } from './publish-job.js';
export {
  DEFAULT_SWEEP_INTERVAL_MS,
  DEFAULT_WORKER_STOP_TIMEOUT_MS,
  defaultWorkerId,
  type RunningWorker,
  type StartWorkerOptions,
  startWorker,
  type WorkerLog,
} from './runtime.js';
export { DEFAULT_SWEEP_BATCH, type SweepDeps, type SweepResult, sweep } from './sweep.js';

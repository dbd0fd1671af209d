/**
 * `xpost/emulator`: a faithful local X API for tests and sandboxes. See docs/emulator.md.
 */
export { buildEmulatorApp } from './app.js';
export type { AuthContext } from './auth.js';
export { EmulatorClock } from './clock.js';
export { EmulatorContext } from './context.js';
export { FAULT_KINDS, type FaultKind, type FaultRule, type FaultRuleInput } from './faults.js';
export {
  DEFAULT_MEDIA_LIMITS,
  DEFAULT_OAUTH_SETTINGS,
  DEFAULT_POST_RULES,
  type EmulatorOptions,
  type EmulatorSettings,
} from './options.js';
export {
  type LimitSpec,
  RATE_LIMIT_PRESETS,
  type RateLimitPreset,
  type RateLimitTable,
  rateLimitTable,
} from './rate-limits.js';
export { type EmulatorHandle, startEmulator } from './server.js';
export { ALL_POSTING_SCOPES, DEFAULT_REDIRECT_URIS, type ReadyUser } from './state/fixtures.js';
export type * from './state/types.js';

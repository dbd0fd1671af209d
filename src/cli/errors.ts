import { CommanderError } from 'commander';
import {
  XApiError,
  XAuthError,
  XError,
  XForbiddenError,
  XMediaError,
  XNetworkError,
  XRateLimitError,
  XThreadError,
  XTimeoutError,
  XTokenStoreError,
  XUnknownOutcomeError,
  XValidationError,
} from '../x/index.js';
import { EXIT, type ExitCode, exitCodeName } from './exit-codes.js';

/**
 * An error the CLI raises itself: it already says what to do, and knows its exit code. `hint` is the
 * "what to do" half when the message is only the "what happened" half.
 */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: ExitCode;
  readonly hint?: string;
  /** A stable name for `--json` output; default the exit code's name (`usage`, `auth`, …). */
  readonly code: string;
  /** Facts for `--json` consumers (for a stopped thread: the posted ids and the resume file). */
  readonly details: Record<string, unknown>;

  constructor(
    message: string,
    options: {
      exitCode?: ExitCode;
      hint?: string;
      code?: string;
      cause?: unknown;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? EXIT.ERROR;
    if (options.hint !== undefined) this.hint = options.hint;
    this.code = options.code ?? exitCodeName(this.exitCode);
    this.details = options.details ?? {};
  }
}

/** A `CliError` for a wrong command line or configuration (exit code 2). */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, { exitCode: EXIT.USAGE, ...(hint ? { hint } : {}) });
}

export interface DescribeOptions {
  verbose?: boolean;
  /** The account the command ran for: named in "run `xpost login --account …`". */
  account?: string;
  now?: number;
}

export interface ErrorDescription {
  /** One line: what happened, X's own detail, what to do. */
  line: string;
  exitCode: ExitCode;
  /** Stable, for `--json`: `auth`, `rate_limit`, `forbidden`, `usage`, … or a CliError's own code. */
  code: string;
  /** Machine-readable facts worth a script's while (X's status, detail, reason, reset time, …). */
  details: Record<string, unknown>;
  /** The stack and the cause chain; only with `verbose`. */
  stack?: string;
}

/** Media errors that are a limit broken before anything was sent (docs/media.md). */
const MEDIA_LIMIT_CODES = new Set(['too_large', 'too_many_segments', 'unsupported_type', 'empty']);

/** Map any thrown value to the one line the user sees and the exit code scripts see. */
export function describeError(error: unknown, options: DescribeOptions = {}): ErrorDescription {
  const { line, exitCode, code, details } = classify(error, options);
  const description: ErrorDescription = { line: oneLine(line), exitCode, code, details };
  if (options.verbose) description.stack = stackOf(error);
  return description;
}

function classify(error: unknown, options: DescribeOptions): Omit<ErrorDescription, 'stack'> {
  const login = `run \`xpost login${options.account && options.account !== 'default' ? ` --account ${options.account}` : ''}\``;
  const now = options.now ?? Date.now();
  if (error instanceof CliError) {
    return {
      line: error.hint ? `${error.message}: ${error.hint}` : error.message,
      exitCode: error.exitCode,
      code: error.code,
      details: { ...error.details },
    };
  }
  if (error instanceof CommanderError) {
    // Commander has printed its own message already; this is for --json and the exit code.
    const message = error.message.replace(/^error:\s*/, '');
    return { line: message, exitCode: EXIT.USAGE, code: 'usage', details: { commanderCode: error.code } };
  }
  if (isAbort(error)) {
    return { line: 'interrupted', exitCode: EXIT.INTERRUPTED, code: 'interrupted', details: {} };
  }
  if (error instanceof XThreadError) {
    const inner = classify(error.cause, options);
    return {
      line: error.message,
      exitCode: error.outcomeUnknown ? EXIT.UNKNOWN_OUTCOME : inner.exitCode,
      code: error.outcomeUnknown ? 'unknown_outcome' : inner.code,
      details: { ...xDetails(error), postedIds: error.postedIds, failedIndex: error.failedIndex },
    };
  }
  if (error instanceof XUnknownOutcomeError) {
    return {
      line: `${error.endpoint ?? 'the request'}: the outcome is unknown, X may have acted (${error.cause.message}); check the account's recent posts on X before running the command again, or it may post twice`,
      exitCode: EXIT.UNKNOWN_OUTCOME,
      code: 'unknown_outcome',
      details: xDetails(error),
    };
  }
  if (error instanceof XAuthError) {
    const fix = /xpost login/.test(error.message) ? '' : `; ${login}`;
    // The SDK says "xpost login"; name the account when it is not the default one.
    const message = error.message.replace(/`?xpost login`?/g, login.slice(4));
    return {
      line: `${message}${fix}`,
      exitCode: EXIT.AUTH,
      code: 'auth',
      details: { ...xDetails(error), ...(error.code ? { authCode: error.code } : {}) },
    };
  }
  if (error instanceof XRateLimitError) {
    const wait = error.resetAt !== undefined ? ` (in ${formatWait(error.resetAt - now)})` : '';
    return {
      line: `${error.message}${wait}`,
      exitCode: EXIT.RATE_LIMIT,
      code: 'rate_limit',
      details: {
        ...xDetails(error),
        ...(error.resetAt !== undefined ? { resetAt: new Date(error.resetAt).toISOString() } : {}),
        ...(error.limit ? { limit: error.limit } : {}),
      },
    };
  }
  if (error instanceof XForbiddenError) {
    return {
      line: `${error.message} [${error.reason}]`,
      exitCode: EXIT.FORBIDDEN,
      code: 'forbidden',
      details: { ...xDetails(error), reason: error.reason },
    };
  }
  if (error instanceof XNetworkError || error instanceof XTimeoutError) {
    return {
      line: `${error.message}; check the network connection and --api-base`,
      exitCode: EXIT.NETWORK,
      code: 'network',
      details: {
        ...xDetails(error),
        ...(error instanceof XNetworkError && error.code ? { networkCode: error.code } : {}),
      },
    };
  }
  if (error instanceof XValidationError) {
    return {
      line: error.message,
      exitCode: EXIT.VALIDATION,
      code: 'validation',
      details: { issues: error.issues },
    };
  }
  if (error instanceof XMediaError) {
    const limit = MEDIA_LIMIT_CODES.has(error.code);
    return {
      line: error.message,
      exitCode: limit ? EXIT.VALIDATION : EXIT.ERROR,
      code: limit ? 'validation' : 'media',
      details: {
        ...xDetails(error),
        mediaCode: error.code,
        ...(error.mediaId ? { mediaId: error.mediaId } : {}),
      },
    };
  }
  if (error instanceof XTokenStoreError) {
    return { line: error.message, exitCode: EXIT.ERROR, code: 'token_store', details: {} };
  }
  if (error instanceof XApiError || error instanceof XError) {
    return { line: error.message, exitCode: EXIT.ERROR, code: 'error', details: xDetails(error) };
  }
  if (error instanceof Error) {
    const sys = (error as NodeJS.ErrnoException).code;
    return {
      line: error.message,
      exitCode: EXIT.ERROR,
      code: 'error',
      details: sys ? { systemCode: sys } : {},
    };
  }
  return { line: String(error), exitCode: EXIT.ERROR, code: 'error', details: {} };
}

function xDetails(error: XError): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  for (const key of ['status', 'title', 'detail', 'type', 'endpoint', 'requestId'] as const) {
    if (error[key] !== undefined) details[key] = error[key];
  }
  return details;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'InterruptedError');
}

function formatWait(ms: number): string {
  if (ms <= 0) return 'a moment';
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function stackOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(
      current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current),
    );
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('Caused by:');
  }
  return parts.join('\n');
}

/**
 * The CLI's exit codes: one per thing a script would react to differently (docs/cli.md, "Exit codes").
 * 130 is the shell's convention for a process ended by SIGINT (128 + 2).
 */
export const EXIT = Object.freeze({
  /** Done. */
  OK: 0,
  /** Anything not listed below: X refused the request (4xx other than the ones below), X's 5xx, a local I/O failure. */
  ERROR: 1,
  /** The command line or the configuration is wrong: unknown option, bad value, invalid config file. */
  USAGE: 2,
  /** Not logged in, or X refused the credentials: run `xpost login`. */
  AUTH: 3,
  /** A rate limit is spent; the message says when it resets. */
  RATE_LIMIT: 4,
  /** X understood and refused (403, 402): duplicate content, a missing scope, no credits, … */
  FORBIDDEN: 5,
  /** No answer from X: connection refused, DNS, timeout. Nothing was changed. */
  NETWORK: 6,
  /** A post may or may not have gone out: check before sending it again. */
  UNKNOWN_OUTCOME: 7,
  /** The text or media breaks a limit X would enforce (too long, too large, wrong type); nothing was sent. */
  VALIDATION: 8,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM. */
  INTERRUPTED: 130,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The stable name of each code, as `error.code` prints it with `--json` (`auth`, `rate_limit`, …). */
export function exitCodeName(code: ExitCode): string {
  const entry = Object.entries(EXIT).find(([, value]) => value === code);
  return (entry?.[0] ?? 'ERROR').toLowerCase();
}

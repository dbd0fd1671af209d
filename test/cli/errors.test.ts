import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliError, describeError } from '../../src/cli/errors.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import {
  XApiError,
  XAuthError,
  XForbiddenError,
  XMediaError,
  XNetworkError,
  XRateLimitError,
  XTimeoutError,
  XUnknownOutcomeError,
  XValidationError,
} from '../../src/x/index.js';
import { useHomes, useLoginEmulator, xpost } from './login-flow.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('describeError', () => {
  it.each([
    [
      'XAuthError',
      new XAuthError('GET /2/users/me failed with 401 Unauthorized; log in again (xpost login)'),
      EXIT.AUTH,
      'auth',
    ],
    [
      'XRateLimitError',
      new XRateLimitError(
        'POST /2/tweets failed with 429; the endpoint window resets at 2025-01-01T12:15:00.000Z',
        { resetAt: NOW + 15 * 60_000, limit: 'window' },
      ),
      EXIT.RATE_LIMIT,
      'rate_limit',
    ],
    [
      'XForbiddenError',
      new XForbiddenError(
        'POST /2/tweets failed with 403 Forbidden: You are not allowed to create a Tweet with duplicate content.; change the text',
        {
          reason: 'duplicate-content',
          detail: 'You are not allowed to create a Tweet with duplicate content.',
        },
      ),
      EXIT.FORBIDDEN,
      'forbidden',
    ],
    [
      'XNetworkError',
      new XNetworkError('GET /2/users/me: connection refused (ECONNREFUSED)', {
        neverSent: true,
        code: 'ECONNREFUSED',
      }),
      EXIT.NETWORK,
      'network',
    ],
    [
      'XTimeoutError',
      new XTimeoutError('GET /2/users/me timed out after 30000 ms', { timeoutMs: 30_000 }),
      EXIT.NETWORK,
      'network',
    ],
    [
      'XUnknownOutcomeError',
      XUnknownOutcomeError.from(
        new XApiError('POST /2/tweets failed with 503', { status: 503, endpoint: 'POST /2/tweets' }),
      ),
      EXIT.UNKNOWN_OUTCOME,
      'unknown_outcome',
    ],
    [
      'XValidationError',
      new XValidationError(
        [{ field: 'text', rule: 'max-weighted-length', message: 'text is 300 of 280 characters' }],
        { endpoint: 'POST /2/tweets' },
      ),
      EXIT.VALIDATION,
      'validation',
    ],
    [
      'XMediaError too_large',
      new XMediaError('cat.gif is 20 MB; GIFs may be 15 MB', { code: 'too_large' }),
      EXIT.VALIDATION,
      'validation',
    ],
    [
      'XMediaError processing_failed',
      new XMediaError('X could not process the video', { code: 'processing_failed' }),
      EXIT.ERROR,
      'media',
    ],
    [
      'XApiError',
      new XApiError('GET /2/tweets/1 failed with 404 Not Found; check the id or path', { status: 404 }),
      EXIT.ERROR,
      'error',
    ],
    [
      'CommanderError',
      new CommanderError(1, 'commander.unknownOption', "error: unknown option '--nope'"),
      EXIT.USAGE,
      'usage',
    ],
    [
      'CliError',
      new CliError('no credentials for account "x"', {
        exitCode: EXIT.AUTH,
        hint: 'run `xpost login --account x`',
      }),
      EXIT.AUTH,
      'auth',
    ],
    ['TypeError', new TypeError('boom'), EXIT.ERROR, 'error'],
  ])('maps %s to exit code %i in one line', (_name, error, exitCode, code) => {
    const d = describeError(error, { now: NOW });
    expect(d.exitCode).toBe(exitCode);
    expect(d.code).toBe(code);
    expect(d.line).not.toMatch(/\n/);
    expect(d.stack).toBeUndefined();
  });

  it('says when a rate limit resets and how long that is', () => {
    const d = describeError(
      new XRateLimitError(
        'POST /2/tweets failed with 429; the endpoint window resets at 2025-01-01T12:15:00.000Z: wait until then',
        { resetAt: NOW + 15 * 60_000 },
      ),
      { now: NOW },
    );
    expect(d.line).toMatch(/resets at 2025-01-01T12:15:00\.000Z.*\(in 15 min\)$/);
    expect(d.details.resetAt).toBe('2025-01-01T12:15:00.000Z');
  });

  it("keeps X's detail and names the forbidden reason", () => {
    const d = describeError(
      new XForbiddenError('POST /2/tweets failed with 403 Forbidden: Forbidden; log in again granting them', {
        reason: 'missing-scope',
        detail: 'Forbidden',
      }),
    );
    expect(d.line).toMatch(/403 Forbidden: Forbidden; .* \[missing-scope\]$/);
    expect(d.details).toMatchObject({ reason: 'missing-scope', detail: 'Forbidden' });
  });

  it('tells what to check before retrying an unknown outcome', () => {
    const d = describeError(
      XUnknownOutcomeError.from(
        new XTimeoutError('POST /2/tweets timed out', { timeoutMs: 1000, endpoint: 'POST /2/tweets' }),
      ),
    );
    expect(d.line).toMatch(
      /^POST \/2\/tweets: the outcome is unknown, X may have acted .*check the account's recent posts on X before running the command again/,
    );
  });

  it('names the account in the login hint', () => {
    const d = describeError(new XAuthError('GET /2/users/me failed with 401; log in again (xpost login)'), {
      account: 'work',
    });
    expect(d.line).toBe('GET /2/users/me failed with 401; log in again (`xpost login --account work`)');
  });

  it('adds the stack and causes only with verbose', () => {
    const error = new XNetworkError('GET /2/users/me: connection refused', {
      neverSent: true,
      cause: new Error('ECONNREFUSED'),
    });
    expect(describeError(error).stack).toBeUndefined();
    const { stack } = describeError(error, { verbose: true });
    expect(stack).toMatch(/\n\s+at /);
    expect(stack).toMatch(/Caused by:\nError: ECONNREFUSED/);
  });
});

describe('exit codes of the binary', () => {
  const { emulator } = useLoginEmulator(1);
  const newHome = useHomes();

  it('exits 3 with the login hint when the account has no credentials', async () => {
    const home = await newHome();
    const status = await xpost(['--account', 'x', 'auth', 'status'], { XPOST_HOME: home });
    expect(status.code).toBe(EXIT.AUTH);
    expect(status.stdout).toMatch(/error {7}no credentials for account "x": run `xpost login --account x`/);
    // Any command that needs the client fails the same way (runAction maps the CliError).
    const del = await xpost(['--account', 'x', 'delete', '1234567890'], { XPOST_HOME: home });
    expect(del.code).toBe(EXIT.AUTH);
    expect(del.stderr).toBe(
      'xpost: no credentials for account "x": run `xpost login --account x` (or `xpost auth import`)\n',
    );
  });

  it('exits 2 for an unknown option and a bad --api-base, with no stack trace', async () => {
    const home = await newHome();
    for (const args of [
      ['auth', 'status', '--nope'],
      ['--api-base', 'ftp://x', 'auth', 'status'],
    ]) {
      const { code, stderr } = await xpost(args, { XPOST_HOME: home });
      expect(code).toBe(EXIT.USAGE);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('prints a usage error as one JSON document on stdout with --json', async () => {
    const home = await newHome();
    const { code, stdout } = await xpost(['auth', 'status', '--nope', '--json'], { XPOST_HOME: home });
    expect(code).toBe(EXIT.USAGE);
    expect(JSON.parse(stdout)).toEqual({
      error: {
        code: 'usage',
        message: "unknown option '--nope'",
        exitCode: 2,
        commanderCode: 'commander.unknownOption',
      },
    });
  });

  it('exits 6 when X cannot be reached, and shows the stack only with --verbose', async () => {
    const emu = emulator();
    const home = await newHome();
    const args = [
      '--api-base',
      'http://127.0.0.1:1',
      'auth',
      'import',
      '--access-token',
      emu.user.accessToken,
    ];
    const quiet = await xpost(args, { XPOST_HOME: home });
    expect(quiet.code).toBe(EXIT.NETWORK);
    expect(quiet.stderr).toMatch(/^xpost: .*; check the network connection and --api-base\n$/);
    const verbose = await xpost([...args, '--verbose'], { XPOST_HOME: home });
    expect(verbose.code).toBe(EXIT.NETWORK);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('answers --help with examples on every command of this half', async () => {
    for (const command of [['login'], ['logout'], ['auth'], ['auth', 'status'], ['auth', 'import']]) {
      const { code, stdout } = await xpost([...command, '--help'], {});
      expect(code).toBe(0);
      expect(stdout).toMatch(/Examples:/);
      expect(stdout).toMatch(/--api-base <url>/);
    }
  });
});

describe('a reader that stops early', () => {
  it('ends quietly when stdout is closed (`xpost --help | head -1`)', async () => {
    const { spawn } = await import('node:child_process');
    const { XPOST_BIN } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [XPOST_BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // Close our end before it writes, as a `head` that already has its lines does.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../src/emulator/index.js';
import { assertBuilt, XPOST_BIN } from '../helpers/cli.js';
import { formFields, postConsent } from '../helpers/oauth2-flow.js';

/**
 * Helpers for the tests of `xpost login`, `auth`, `logout` and configuration: the built binary with
 * stdout and stderr apart (so `--json` can be parsed) and stdin open, a fresh `$XPOST_HOME` per test,
 * and the browser's part of a login played over HTTP against the emulator's consent page.
 */

/** `XPOST_*` variables from the developer's shell must not leak into the tests. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('XPOST_') && k !== 'DISPLAY' && k !== 'WAYLAND_DISPLAY') env[k] = v;
  return { ...env, XPOST_NO_BROWSER: '1', ...extra };
}

export interface XpostRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The first match of `pattern` in stderr. */
  waitForStderr: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  write: (text: string) => void;
  exit: Promise<number | null>;
}

export function spawnXpost(args: string[], env: NodeJS.ProcessEnv): XpostRun {
  assertBuilt();
  const child = spawn(process.execPath, [XPOST_BIN, ...args], {
    env: cleanEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    write: (text) => child.stdin?.write(text),
    waitForStderr: (pattern, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const check = (): void => {
          const match = err.match(pattern);
          if (match) resolve(match);
          else if (child.exitCode !== null)
            reject(new Error(`xpost exited (${child.exitCode}) before printing ${pattern}:\n${err}`));
          else if (Date.now() - started > timeoutMs)
            reject(new Error(`timed out waiting for ${pattern}:\n${err}`));
          else setTimeout(check, 20);
        };
        check();
      }),
  };
}

export interface XpostResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `xpost …args` to the end, with `input` on stdin. */
export async function xpost(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<XpostResult> {
  const run = spawnXpost(args, env);
  run.child.stdin?.end(input);
  const code = await run.exit;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** `newHome()` makes a fresh `$XPOST_HOME`; every one is removed after its test. */
export function useHomes(): () => Promise<string> {
  const homes: string[] = [];
  afterEach(async () => {
    await Promise.all(homes.splice(0).map((h) => rm(h, { recursive: true, force: true })));
  });
  return async () => {
    const home = await mkdtemp(join(tmpdir(), 'xpost-cli-'));
    homes.push(home);
    return home;
  };
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** What the browser does: load the consent page the CLI printed, press a button, follow the redirect. */
export async function actInBrowser(
  emu: EmulatorHandle,
  authorizeUrl: string,
  options: {
    decision?: 'approve' | 'deny';
    userId?: string;
    tamper?: (location: URL) => void;
    follow?: boolean;
  } = {},
): Promise<{ location: URL; page?: { status: number; text: string } }> {
  const consentPage = await fetch(authorizeUrl, { redirect: 'manual' });
  if (consentPage.status !== 200)
    throw new Error(`consent page answered ${consentPage.status}: ${await consentPage.text()}`);
  const fields = formFields(await consentPage.text());
  if (options.userId) fields.user_id = options.userId;
  const answer = await postConsent(emu, { ...fields, decision: options.decision ?? 'approve' });
  if (answer.status !== 302) throw new Error(`consent post answered ${answer.status}`);
  const location = new URL(answer.headers.get('location') as string);
  options.tamper?.(location);
  if (options.follow === false) return { location };
  const landing = await fetch(location);
  return { location, page: { status: landing.status, text: await landing.text() } };
}

/** The authorize URL from the CLI's stderr. */
export const AUTHORIZE_URL = /(http:\/\/127\.0\.0\.1:\d+\/i\/oauth2\/authorize\?\S+)/;

/**
 * An emulator for the file whose fixture app accepts `count` loopback redirect URIs on ports free at
 * start (the fixture app allows only registered URIs, exactly as X does). `port()` hands them out in turn.
 */
export function useLoginEmulator(count = 8): { emulator: () => EmulatorHandle; port: () => number } {
  let emu: EmulatorHandle | undefined;
  const ports: number[] = [];
  let next = 0;
  beforeAll(async () => {
    for (let i = 0; i < count; i++) ports.push(await freePort());
    emu = await startEmulator({
      fixtures: { app: { redirectUris: ports.map((p) => `http://127.0.0.1:${p}/callback`) } },
    });
  });
  afterEach(() => {
    emu?.reset({ faults: true, rateLimits: true, clock: true });
  });
  afterAll(async () => {
    await emu?.close();
  });
  return {
    emulator: () => {
      if (!emu) throw new Error('the emulator is not started yet (use it inside a test)');
      return emu;
    },
    port: () => ports[next++ % ports.length] as number,
  };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built binary: tests run what users run (`npm test` builds first). */
export const XPOST_BIN = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(XPOST_BIN))
    throw new Error(`${XPOST_BIN} is missing: run \`npm run build\` (npm test does it for you)`);
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  /** Resolve with the first match of `pattern` in stdout, or reject after `timeoutMs`. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  stop: () => Promise<number | null>;
}

/** Start `xpost ...args` and collect its stdout and stderr. */
export function startXpost(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  assertBuilt();
  const child = spawn(process.execPath, [XPOST_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    waitFor: (pattern, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const check = (): void => {
          const match = out.match(pattern);
          if (match) resolve(match);
          else if (child.exitCode !== null)
            reject(new Error(`xpost exited (${child.exitCode}) before printing ${pattern}:\n${out}`));
          else if (Date.now() - started > timeoutMs)
            reject(new Error(`timed out waiting for ${pattern}:\n${out}`));
          else setTimeout(check, 20);
        };
        check();
      }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Run `xpost ...args` to completion. */
export async function runXpost(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const running = startXpost(args, env);
  const code = await new Promise<number | null>((resolve) => running.child.once('exit', resolve));
  return { code, output: running.output() };
}

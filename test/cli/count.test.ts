import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { json, runCli } from '../fixtures/cli/posting.js';

/** `count` sends nothing and needs no credentials: an empty home, an API base nothing listens on. */
let home: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'xpost-count-'));
  env = { XPOST_HOME: home, XPOST_API_BASE: 'http://127.0.0.1:9' };
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

interface Count {
  weightedLength: number;
  limit: number;
  valid: boolean;
  remaining: number;
}

describe('xpost count', () => {
  it('counts the way X does (a URL is 23, an emoji 2) and exits 0 when it fits', async () => {
    const run = await runCli(['count', 'Hi https://example.com/launch 🚀 日本'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('34 weighted characters of 280: fits (246 left)');
  });

  it('prints { weightedLength, limit, valid, remaining } with --json', async () => {
    const run = await runCli(['count', '--json', 'hello'], env);
    expect(run.code).toBe(0);
    expect(json<Count>(run)).toEqual({ weightedLength: 5, limit: 280, valid: true, remaining: 275 });
  });

  it('exits VALIDATION when the text is too long, saying by how much', async () => {
    const run = await runCli(['count', 'x'.repeat(312)], env);
    expect(run.code).toBe(EXIT.VALIDATION);
    expect(run.stdout).toContain('312 weighted characters, 32 over the limit of 280');
    const asJson = await runCli(['count', '--json', 'x'.repeat(312)], env);
    expect(asJson.code).toBe(EXIT.VALIDATION);
    expect(json<Count>(asJson)).toEqual({ weightedLength: 312, limit: 280, valid: false, remaining: -32 });
  });

  it('reads stdin, with - or when left out', async () => {
    expect(json<Count>(await runCli(['count', '--json', '-'], env, 'four\n')).weightedLength).toBe(4);
    expect(json<Count>(await runCli(['count', '--json'], env, 'abcde')).weightedLength).toBe(5);
  });

  it('counts against 25,000 with --premium or for an account configured as X Premium', async () => {
    const long = 'x'.repeat(1000);
    expect(json<Count>(await runCli(['count', '--json', '--premium', long], env))).toMatchObject({
      limit: 25_000,
      valid: true,
    });
    await writeFile(join(home, 'config.json'), JSON.stringify({ accounts: { default: { premium: true } } }));
    const run = await runCli(['count', long], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('of 25,000: fits (24,000 left)');
  });

  it('says an empty text is empty', async () => {
    const run = await runCli(['count', '-'], env, '');
    expect(run.code).toBe(EXIT.VALIDATION);
    expect(run.stdout).toMatch(/the text is empty/);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, runXpost, startXpost } from '../helpers/cli.js';

describe('xpost keys and xpost serve (built binary, embedded database)', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  const running: Running[] = [];
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'xpost-keys-'));
    env = { XPOST_HOME: home, LOG_LEVEL: 'warn', DATABASE_URL: '', XPOST_SECRET_KEY: '' };
  });
  afterAll(async () => {
    for (const r of running) await r.stop();
    await rm(home, { recursive: true, force: true });
  });

  async function serve(): Promise<{ url: string; server: Running }> {
    const server = startXpost(['serve', '--port', '0'], env);
    running.push(server);
    const [, url] = await server.waitFor(/listening on (http:\/\/\S+)/, 30_000);
    return { url: url!, server };
  }

  it('creates a key, serves with it, revokes it', async () => {
    const created = await runXpost(['--json', 'keys', 'create', '--name', 'ci'], env);
    expect(created.code, created.output).toBe(0);
    const key = JSON.parse(created.output) as { id: string; key: string; prefix: string; name: string };
    expect(key.key).toMatch(/^xpk_live_/);
    expect(key.key.startsWith(key.prefix)).toBe(true);
    expect(key.name).toBe('ci');

    const human = await runXpost(['keys', 'create'], env);
    expect(human.code, human.output).toBe(0);
    expect(human.output).toMatch(/shown only this once/);
    expect(human.output).toMatch(/xpk_live_\w{43}/);

    const listed = await runXpost(['keys', 'list'], env);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.output).toContain(key.id);
    expect(listed.output).not.toContain(key.key);

    let { url, server } = await serve();
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string; code: string }).status).toBe('ok');
    const auth = { authorization: `Bearer ${key.key}` };
    const notFound = await fetch(`${url}/nope`, { headers: auth });
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as { status: string; code: string }).code).toBe('not_found');
    expect(await server.stop()).toBe(0);

    const revoked = await runXpost(['keys', 'revoke', key.id], env);
    expect(revoked.code, revoked.output).toBe(0);
    expect(revoked.output).toContain('revoked');
    const listedJson = JSON.parse((await runXpost(['--json', 'keys', 'list'], env)).output);
    expect(listedJson.keys.find((k: { id: string }) => k.id === key.id).revoked_at).not.toBeNull();

    ({ url, server } = await serve());
    const refused = await fetch(`${url}/nope`, { headers: auth });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { status: string; code: string }).code).toBe('invalid_api_key');
    expect(await server.stop()).toBe(0);
  }, 120_000);

  it('refuses to revoke what is not a key id, or an unknown one', async () => {
    expect((await runXpost(['keys', 'revoke', 'nope'], env)).code).toBe(2);
    const unknown = await runXpost(['keys', 'revoke', '00000000-0000-4000-8000-000000000000'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('no API key');
  }, 60_000);
});

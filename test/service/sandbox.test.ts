import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../../src/service/config.js';
import { SecretBox } from '../../src/service/crypto/secret-box.js';
import { createJobQueue } from '../../src/service/queue/queue.js';
import { type RunningSandbox, startSandbox } from '../../src/service/sandbox.js';
import {
  type AccountRow,
  accounts,
  type PostTargetRow,
  posts,
  targets,
} from '../../src/service/store/sql.js';
import { startWorker } from '../../src/service/worker/runtime.js';
import {
  authorizeUrlFor,
  XAccessUnavailableError,
  xAccessFromConfig,
  xAppFromConfig,
} from '../../src/service/x-access.js';
import { describeDatabases } from '../helpers/database.js';

const box = new SecretBox(randomBytes(32));
const sandboxConfig = loadServiceConfig({ XPOST_HOME: '/tmp/xpost-sandbox-test', PORT: '4123' });
const realConfig = loadServiceConfig({
  XPOST_HOME: '/tmp/xpost-sandbox-test',
  XPOST_CLIENT_ID: 'real-client',
  XPOST_CLIENT_SECRET: 'real-secret',
});

function collectingLog() {
  const warnings: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
  const quiet = () => {};
  return {
    warnings,
    log: {
      debug: quiet,
      info: quiet,
      error: quiet,
      warn: (obj: object, msg?: string) => warnings.push({ obj: obj as Record<string, unknown>, msg }),
    },
  };
}

describeDatabases('sandbox mode', ({ db }) => {
  it('starts an emulator, connects its user as a sandbox account, and says so plainly', async () => {
    const { warnings, log } = collectingLog();
    let sandbox: RunningSandbox | undefined = await startSandbox({
      db: db(),
      box,
      config: sandboxConfig,
      log,
    });
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.account).toMatchObject({
        sandbox: true,
        username: 'sandbox',
        x_user_id: '1580000000000000001',
        auth_kind: 'oauth2',
      });
      // Sealed at rest: the token is not in the row in clear text.
      const stored = (await db().query<AccountRow>(accounts.get(sandbox.account.id))).rows[0]!;
      expect(Buffer.from(stored.access_token).toString('latin1')).not.toContain(
        sandbox.emulator.user.accessToken,
      );

      expect(warnings).toHaveLength(1);
      const message = warnings[0]!.msg!;
      expect(message).toContain(`posts go to the X API emulator running in this process at ${sandbox.url}`);
      expect(message).toContain(`${sandbox.url}/__emulator/posts`);
      expect(message).toContain('set XPOST_CLIENT_ID and XPOST_CLIENT_SECRET');
      expect(message).toContain('http://localhost:4123/connect/x/callback');
      expect(message).toContain('GET /connect/x');
      expect(message).not.toContain(sandbox.emulator.user.accessToken);
      expect(sandbox.notice.join(' ')).toBe(message);

      // Accounts connect through the emulator's app, which accepts this service's callback.
      expect(sandbox.xApp).toMatchObject({
        sandbox: true,
        apiBase: sandbox.url,
        authorizeUrl: `${sandbox.url}/i/oauth2/authorize`,
        clientId: sandbox.emulator.app.clientId,
      });
      expect(sandbox.emulator.app.redirectUris).toContain('http://localhost:4123/connect/x/callback');
      expect(sandbox.xAccess(sandbox.account).client?.apiBase).toBe(sandbox.url);

      // A restart is a fresh emulator with fresh tokens; the account keeps its id.
      const firstId = sandbox.account.id;
      const firstUrl = sandbox.url;
      await sandbox.stop();
      sandbox = await startSandbox({ db: db(), box, config: sandboxConfig, log });
      expect(sandbox.account.id).toBe(firstId);
      expect(sandbox.url).not.toBe(firstUrl);
      expect((await db().query(accounts.list())).rows).toHaveLength(1);
    } finally {
      await sandbox?.stop();
    }
  });

  it('publishes a post of the sandbox account to the in-process emulator', async () => {
    const { log } = collectingLog();
    const sandbox = await startSandbox({ db: db(), box, config: sandboxConfig, log });
    const queue = createJobQueue(db());
    await queue.start();
    const worker = await startWorker({
      db: db(),
      box,
      config: {
        workerConcurrency: 1,
        dataDir: tmpdir(),
        mediaMaxBytes: 1 << 20,
        allowPrivateMediaUrls: true,
        mediaRetentionMs: 0,
        leaseMs: 300_000,
      },
      queue,
      x: sandbox.xAccess,
      sweepIntervalMs: 60_000,
      log: { ...log, warn: () => {} },
    });
    try {
      const text = `hello sandbox ${randomBytes(4).toString('hex')}`;
      const post = await db().query<{ id: string }>(
        posts.insert({
          apiKeyId: null,
          body: text,
          scheduledAt: null,
          draft: false,
          state: 'processing',
          request: { items: [{ body: text }] },
        }),
      );
      const target = (
        await db().query<PostTargetRow>(
          targets.insert({
            postId: post.rows[0]!.id,
            accountId: sandbox.account.id,
            state: 'queued',
            runAt: new Date(),
          }),
        )
      ).rows[0]!;
      await queue.schedulePublish({ targetId: target.id });
      const deadline = Date.now() + 10_000;
      let row = target;
      while (row.state !== 'published' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        row = (await db().query<PostTargetRow>(targets.get(target.id))).rows[0]!;
      }
      expect(row.state).toBe('published');
      const onEmulator = sandbox.emulator.store.postsByAuthor(sandbox.emulator.user.id);
      expect(onEmulator.map((p) => ({ id: p.id, text: p.text }))).toEqual([{ id: row.x_post_ids[0], text }]);
      // The control API shows it too, as the notice says.
      const listed = (await (await fetch(`${sandbox.url}/__emulator/posts`)).json()) as unknown;
      expect(JSON.stringify(listed)).toContain(text);
    } finally {
      await worker.stop();
      await queue.stop({ timeoutMs: 1_000 });
      await sandbox.stop();
    }
  });

  it('refuses to start when an X app is configured', async () => {
    const { log } = collectingLog();
    await expect(startSandbox({ db: db(), box, config: realConfig, log })).rejects.toThrow(/XPOST_CLIENT_ID/);
  });
});

describe('x access from the configuration', () => {
  const account = (fields: Partial<AccountRow>) =>
    ({ id: 'a1', sandbox: false, post_length_limit: 280, ...fields }) as AccountRow;
  const sandboxX = { apiBase: 'http://127.0.0.1:9999', clientId: 'sandbox-client-id', clientSecret: 's' };

  it('sends real accounts to the configured X app', () => {
    const access = xAccessFromConfig(realConfig, sandboxX)(account({ post_length_limit: 25_000 }));
    expect(access).toEqual({
      clientId: 'real-client',
      clientSecret: 'real-secret',
      client: { apiBase: 'https://api.x.com', maxWeightedLength: 25_000 },
    });
    expect(xAppFromConfig(realConfig)).toEqual({
      clientId: 'real-client',
      clientSecret: 'real-secret',
      apiBase: 'https://api.x.com',
      authorizeUrl: 'https://x.com/i/oauth2/authorize',
      sandbox: false,
    });
  });

  it('sends sandbox accounts to the sandbox, and refuses them clearly without one', () => {
    expect(xAccessFromConfig(realConfig, sandboxX)(account({ sandbox: true })).client?.apiBase).toBe(
      sandboxX.apiBase,
    );
    const refuse = () => xAccessFromConfig(realConfig)(account({ sandbox: true }));
    expect(refuse).toThrow(XAccessUnavailableError);
    expect(refuse).toThrow(
      'this account was connected to the sandbox; connect a real account with GET /connect/x',
    );
    try {
      refuse();
    } catch (error) {
      expect(error).toMatchObject({ code: 'sandbox_account', statusCode: 409 });
    }
  });

  it('refuses a real account in sandbox mode, naming the variables to set', () => {
    const refuse = () => xAccessFromConfig(sandboxConfig, sandboxX)(account({}));
    expect(refuse).toThrow(/XPOST_CLIENT_ID and XPOST_CLIENT_SECRET/);
    try {
      refuse();
    } catch (error) {
      expect(error).toMatchObject({ code: 'x_app_not_configured' });
    }
    expect(() => xAppFromConfig(sandboxConfig)).toThrow(/sandbox emulator/);
  });

  it('uses the API base for the authorize page unless it is X', () => {
    expect(authorizeUrlFor('https://api.x.com')).toBe('https://x.com/i/oauth2/authorize');
    expect(authorizeUrlFor('https://api.twitter.com')).toBe('https://x.com/i/oauth2/authorize');
    expect(authorizeUrlFor('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787/i/oauth2/authorize');
  });
});

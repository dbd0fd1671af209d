import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type Home, json, makeHome } from '../fixtures/cli/posting.js';
import { useEmulator } from '../helpers/emulator.js';

const emulator = useEmulator();
let home: Home;

beforeEach(async () => {
  home = await makeHome(emulator());
});

afterEach(async () => {
  await home.remove();
});

interface ThreadJson {
  ids: string[];
  posts: { id: string; url: string; text: string; resumed: boolean }[];
}

const FIVE = ['One: the start.', 'Two: the middle.', 'Three: more.', 'Four: nearly.', 'Five: the end.'];

async function threadFile(name: string, text: string): Promise<string> {
  const file = join(home.dir, name);
  await writeFile(file, text);
  return file;
}

function livePosts() {
  return [...emulator().store.posts.values()].filter((p) => p.deletedAt === undefined);
}

/** Each post replies to the one before: the chain X holds, in order. */
function chain(): string[] {
  const posts = livePosts();
  const first = posts.find((p) => p.inReplyToTweetId === undefined);
  const texts: string[] = [];
  for (let p = first; p; p = posts.find((q) => q.inReplyToTweetId === p?.id)) texts.push(p.sourceText);
  return texts;
}

async function threadStateFiles(): Promise<string[]> {
  return readdir(join(home.dir, 'accounts', 'default', 'threads')).catch(() => []);
}

describe('xpost thread', () => {
  it('posts a file whose posts are separated by blank lines, each replying to the one before', async () => {
    const file = await threadFile(
      'thread.txt',
      `${FIVE.slice(0, 3).join('\n\n')}\n \n${FIVE.slice(3).join('\n\n\n')}\n`,
    );
    const run = await home.run(['thread', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(chain()).toEqual(FIVE);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^1\/5 \d+ https:\/\/x\.com\/i\/status\/\d+$/);
  });

  it('reads stdin and prints { ids, posts } with --json', async () => {
    const run = await home.run(['thread', '--json'], 'first\n\nsecond\n');
    expect(run.code, run.stderr).toBe(0);
    const out = json<ThreadJson>(run);
    expect(out.ids).toHaveLength(2);
    expect(out.posts.map((p) => p.text)).toEqual(['first', 'second']);
    expect(out.posts[1]?.url).toBe(`https://x.com/i/status/${out.ids[1]}`);
  });

  it('splits one long text into numbered posts that fit with --split --number', async () => {
    const sentence = 'Every sentence here is short, but together they make a long post. ';
    const file = await threadFile('essay.txt', sentence.repeat(12));
    const run = await home.run(['thread', '--split', '--number', file, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const texts = chain();
    expect(texts.length).toBeGreaterThan(2);
    texts.forEach((text, i) => {
      expect(text.endsWith(` ${i + 1}/${texts.length}`)).toBe(true);
      expect(text.length).toBeLessThanOrEqual(280);
    });
  });

  it('refuses a post over the limit before sending any, naming it and suggesting --split', async () => {
    const file = await threadFile('long.txt', `fine\n\n${'x'.repeat(300)}\n\nalso fine`);
    const run = await home.run(['thread', file]);
    expect(run.code).toBe(EXIT.VALIDATION);
    expect(run.stderr).toContain('post 2 of 3 is 300 weighted characters, 20 over the limit of 280');
    expect(run.stderr).toContain('--split');
    expect(emulator().requestCounts()['POST /2/tweets']).toBeUndefined();
  });

  it('stops on a refusal, says what was posted and how to resume; the same command resumes without reposting', async () => {
    emulator().faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 402, skip: 2, times: 1 });
    const file = await threadFile('thread.txt', FIVE.join('\n\n'));

    const failed = await home.run(['thread', file]);
    expect(failed.code).toBe(EXIT.FORBIDDEN);
    const posted = livePosts();
    expect(posted.map((p) => p.sourceText)).toEqual(FIVE.slice(0, 2));
    for (const p of posted) expect(failed.stderr).toContain(`https://x.com/i/status/${p.id}`);
    expect(failed.stderr).toMatch(/thread stopped at post 3 of 5 after posting 2/);
    expect(failed.stderr).toMatch(/run the same command again to resume/);
    expect(await threadStateFiles()).toHaveLength(1);

    const resumed = await home.run(['thread', file, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(livePosts()).toHaveLength(5);
    expect(chain()).toEqual(FIVE);
    const out = json<ThreadJson>(resumed);
    expect(out.ids.slice(0, 2)).toEqual(posted.map((p) => p.id));
    expect(out.posts.map((p) => p.resumed)).toEqual([true, true, false, false, false]);
    // Done: nothing left to resume.
    expect(await threadStateFiles()).toEqual([]);
  });

  it('stops on Ctrl-C with exit 130 and how to resume; the rerun checks the post in flight and never reposts', async () => {
    // Each post is answered 400 ms late: Ctrl-C lands while one is in flight, its outcome unknown.
    emulator().faults.add({ endpoint: 'POST /2/tweets', kind: 'latency', latencyMs: 400 });
    const file = await threadFile('thread.txt', FIVE.join('\n\n'));
    const thread = home.spawn(['thread', file]);
    for (const started = Date.now(); livePosts().length < 2; ) {
      if (Date.now() - started > 10_000) {
        const tokens = await readdir(join(home.dir, 'tokens')).catch((e: Error) => e.message);
        throw new Error(`no posts yet (tokens: ${JSON.stringify(tokens)}):\n${thread.stderr()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    thread.child.kill('SIGINT');
    const interrupted = await thread.exited;
    expect(interrupted.code).toBe(EXIT.INTERRUPTED);
    expect(interrupted.stderr).toMatch(
      /thread stopped at post \d of 5 .*interrupted; run the same command again to resume/,
    );
    expect(interrupted.stderr).not.toMatch(/\n\s+at /);

    emulator().faults.clear();
    const resumed = await home.run(['thread', file]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming: \d of 5 posts are on X already/);
    expect(livePosts()).toHaveLength(5);
    expect(chain()).toEqual(FIVE);
  });

  it('puts the failure in the --json error document', async () => {
    emulator().faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 402, skip: 1, times: 1 });
    const run = await home.run(['thread', '--json'], 'a\n\nb\n\nc');
    expect(run.code).toBe(EXIT.FORBIDDEN);
    const { error } = json<{ error: { code: string; message: string; postedIds: string[] } }>(run);
    expect(error).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/thread stopped at post 2 of 3 after posting 1.*resume/),
      failedIndex: 1,
      outcomeUnknown: false,
      resumeFile: expect.stringContaining('threads'),
    });
    expect(error.postedIds).toHaveLength(1);
    expect(emulator().store.posts.has(error.postedIds[0]!)).toBe(true);
  });
});

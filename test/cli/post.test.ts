import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type Home, json, makeHome } from '../fixtures/cli/posting.js';
import { useEmulator } from '../helpers/emulator.js';
import { jpeg, png } from '../helpers/media.js';

const emulator = useEmulator({ media: { processingMs: { video: 0, gif: 0 } } });

let files: string;
let home: Home;

beforeAll(async () => {
  files = await mkdtemp(join(tmpdir(), 'xpost-post-files-'));
  await writeFile(join(files, 'chart.png'), png(640, 480, 2048));
  await writeFile(join(files, 'photo.jpg'), jpeg(800, 600, 4096));
  await writeFile(join(files, 'notes.txt'), 'not an image at all');
});

afterAll(async () => {
  await rm(files, { recursive: true, force: true });
});

beforeEach(async () => {
  home = await makeHome(emulator());
});

afterEach(async () => {
  await home.remove();
});

function posts() {
  return [...emulator().store.posts.values()];
}

describe('xpost post', () => {
  it('posts the text argument and prints the id and URL', async () => {
    const run = await home.run(['post', 'hello from the CLI']);
    expect(run.code, run.stderr).toBe(0);
    const [post] = posts();
    expect(post?.sourceText).toBe('hello from the CLI');
    expect(run.stdout.trim()).toBe(`posted ${post?.id} https://x.com/i/status/${post?.id}`);
  });

  it('reads the text from stdin, with - or when left out, dropping the trailing newline', async () => {
    expect((await home.run(['post', '-'], 'from a dash\n')).code).toBe(0);
    expect((await home.run(['post'], 'from a pipe\n')).code).toBe(0);
    expect(posts().map((p) => p.sourceText)).toEqual(['from a dash', 'from a pipe']);
  });

  it('prints { id, url, text } with --json and nothing else on stdout', async () => {
    const run = await home.run(['post', 'as JSON', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = json<{ id: string; url: string; text: string }>(run);
    expect(out).toEqual({ id: posts()[0]?.id, url: `https://x.com/i/status/${out.id}`, text: 'as JSON' });
  });

  it('uploads --media files with their --alt texts in order and attaches them', async () => {
    const run = await home.run([
      'post',
      'two pictures',
      '--media',
      join(files, 'chart.png'),
      '--alt',
      'a bar chart',
      '--media',
      join(files, 'photo.jpg'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const [post] = posts();
    expect(post?.mediaIds).toHaveLength(2);
    const [chart, photo] = (post?.mediaIds ?? []).map((id) => emulator().store.media.get(id));
    expect(chart?.mediaType).toBe('image/png');
    expect(chart?.altText).toBe('a bar chart');
    expect(photo?.mediaType).toBe('image/jpeg');
    expect(photo?.altText).toBeUndefined();
    // Not a terminal: progress is plain lines on stderr, never on stdout.
    expect(run.stdout).not.toMatch(/upload/);
  });

  it('posts media without text', async () => {
    const run = await home.run(['post', '--media', join(files, 'chart.png'), '--alt', 'only a chart']);
    expect(run.code, run.stderr).toBe(0);
    expect(posts()[0]?.mediaIds).toHaveLength(1);
  });

  it('refuses more --alt than --media before sending anything', async () => {
    const run = await home.run([
      'post',
      'hi',
      '--media',
      join(files, 'chart.png'),
      '--alt',
      'one',
      '--alt',
      'two',
    ]);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(/2 --alt for 1 --media/);
    expect(emulator().requestCounts()['POST /2/media/upload/initialize']).toBeUndefined();
  });

  it('refuses a file that is not media before uploading anything', async () => {
    const run = await home.run(['post', 'hi', '--media', join(files, 'notes.txt')]);
    expect(run.code).toBe(EXIT.VALIDATION);
    expect(run.stderr).toMatch(/notes\.txt/);
    expect(emulator().requestCounts()['POST /2/media/upload/initialize']).toBeUndefined();
    expect(emulator().requestCounts()['POST /2/tweets']).toBeUndefined();
  });

  it('refuses text over the limit before sending anything, saying by how much and what to do', async () => {
    const run = await home.run(['post', 'x'.repeat(312)]);
    expect(run.code).toBe(EXIT.VALIDATION);
    expect(run.stderr).toContain('312 weighted characters, 32 over the limit of 280');
    expect(run.stderr).toContain('xpost thread --split');
    expect(emulator().requestCounts()['POST /2/tweets']).toBeUndefined();
  });

  it('checks against 25,000 for an account whose settings say X Premium', async () => {
    emulator().setPremium(emulator().user.id, true);
    const configFile = join(home.dir, 'config.json');
    const config = JSON.parse(await readFile(configFile, 'utf8'));
    config.accounts.default = { ...config.accounts.default, premium: true };
    await writeFile(configFile, JSON.stringify(config));
    const run = await home.run(['post', 'long form '.repeat(100)]);
    expect(run.code, run.stderr).toBe(0);
    expect(posts()[0]?.sourceText).toHaveLength(1000);
  });

  it('says what is wrong with --json too, as one JSON document', async () => {
    const run = await home.run(['post', 'x'.repeat(300), '--json']);
    expect(run.code).toBe(EXIT.VALIDATION);
    expect(json<{ error: { code: string; message: string } }>(run).error).toMatchObject({
      code: 'validation',
      message: expect.stringContaining('20 over the limit of 280'),
    });
  });

  it('replies, quotes and sets who may reply', async () => {
    const first = json<{ id: string }>(await home.run(['post', 'the original', '--json']));
    const reply = await home.run([
      'post',
      'a reply',
      '--reply-to',
      first.id,
      '--reply-settings',
      'following',
    ]);
    expect(reply.code, reply.stderr).toBe(0);
    const quote = await home.run(['post', 'a quote', '--quote', first.id]);
    expect(quote.code, quote.stderr).toBe(0);
    const [, replied, quoted] = posts();
    expect(replied?.inReplyToTweetId).toBe(first.id);
    expect(replied?.replySettings).toBe('following');
    expect(quoted?.quoteTweetId).toBe(first.id);
  });

  it('posts a poll, one day long unless --poll-minutes says otherwise', async () => {
    expect((await home.run(['post', 'Tea or coffee?', '--poll', 'Tea', '--poll', 'Coffee'])).code).toBe(0);
    const timed = await home.run([
      'post',
      'Cats or dogs?',
      '--poll',
      'Cats',
      '--poll',
      'Dogs',
      '--poll-minutes',
      '60',
    ]);
    expect(timed.code, timed.stderr).toBe(0);
    expect(
      posts().map((p) => p.poll && { options: p.poll.options, minutes: p.poll.durationMinutes }),
    ).toEqual([
      { options: ['Tea', 'Coffee'], minutes: 1440 },
      { options: ['Cats', 'Dogs'], minutes: 60 },
    ]);
  });

  it('refuses a bad --poll-minutes or --reply-settings as usage errors', async () => {
    const minutes = await home.run(['post', 'poll', '--poll', 'a', '--poll', 'b', '--poll-minutes', '3']);
    expect(minutes.code).toBe(EXIT.USAGE);
    expect(minutes.stderr).toMatch(/5 to 10080/);
    const who = await home.run(['post', 'hi', '--reply-settings', 'everyone']);
    expect(who.code).toBe(EXIT.USAGE);
    expect(emulator().requestCounts()['POST /2/tweets']).toBeUndefined();
  });

  it('refuses a poll with one option before sending (the SDK checks every field first)', async () => {
    const run = await home.run(['post', 'poll?', '--poll', 'only one']);
    expect(run.code).toBe(EXIT.VALIDATION);
    expect(emulator().requestCounts()['POST /2/tweets']).toBeUndefined();
  });

  it('refuses an empty post', async () => {
    const run = await home.run(['post'], '');
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(/nothing to post/);
  });
});

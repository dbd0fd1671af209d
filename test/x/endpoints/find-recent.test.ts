import { describe, expect, it } from 'vitest';
import { useEmulator } from '../../helpers/emulator.js';
import { png, uploadChunked } from '../../helpers/media.js';
import { endpoints } from './clients.js';

describe('PostsApi.findRecent', () => {
  const emu = useEmulator({ clock: { start: '2026-03-01T12:00:00Z', scale: 0 } });

  it('matches a text with URLs through their t.co links and the appended media link', async () => {
    const { posts } = endpoints(emu());
    const media = await uploadChunked(emu(), png(32, 32), 'image/png');
    const text = 'launch notes https://example.com/notes?id=1 and docs.example.org/start';
    const created = await posts.create({ text, mediaIds: [media.body.data.id] });
    expect(created.text).not.toContain('example.com');
    await posts.create({ text: 'something newer' });

    const found = await posts.findRecent({ text });
    expect(found?.id).toBe(created.id);
    expect(found?.text).toBe(created.text);
    expect(
      await posts.findRecent({ text: 'launch notes https://example.com/other and docs.example.org/start x' }),
    ).toBeNull();
  });

  it('matches the reply target: a reply is found only under its own parent', async () => {
    const { posts } = endpoints(emu());
    const root = await posts.create({ text: 'root' });
    const other = await posts.create({ text: 'another root' });
    const reply = await posts.create({ text: 'the answer', reply: { inReplyTo: root.id } });

    expect((await posts.findRecent({ text: 'the answer', inReplyTo: root.id }))?.id).toBe(reply.id);
    expect(await posts.findRecent({ text: 'the answer', inReplyTo: other.id })).toBeNull();
    // No inReplyTo means "not a reply", so the reply does not match.
    expect(await posts.findRecent({ text: 'the answer' })).toBeNull();
    expect((await posts.findRecent({ text: 'root' }))?.id).toBe(root.id);
  });

  it('looks only as far back as since or sinceId, with the fields reconciliation needs', async () => {
    const { posts } = endpoints(emu());
    const old = await posts.create({ text: 'old news' });
    emu().clock.advance(60_000);
    const cutoff = new Date(emu().clock.now());
    const fresh = await posts.create({ text: 'fresh news' });

    expect(await posts.findRecent({ text: 'old news', since: cutoff })).toBeNull();
    expect((await posts.findRecent({ text: 'fresh news', since: cutoff }))?.id).toBe(fresh.id);
    expect(await posts.findRecent({ text: 'old news', sinceId: old.id })).toBeNull();
    const url = new URL(emu().requests('GET /2/users/:id/tweets')[0]!.url, emu().url);
    expect(url.searchParams.get('tweet.fields')).toBe(
      'created_at,referenced_tweets,conversation_id,in_reply_to_user_id,note_tweet',
    );
    expect(url.searchParams.get('start_time')).toBe(cutoff.toISOString().replace('.000Z', 'Z'));
    expect(url.searchParams.get('max_results')).toBe('100');
  });

  it('reads at most maxPages pages of 100', async () => {
    emu().rateLimits.set('POST /2/tweets', []);
    const { posts } = endpoints(emu());
    const target = await posts.create({ text: 'the oldest' });
    for (let i = 0; i < 100; i++) await posts.create({ text: `filler ${i}` });
    expect(await posts.findRecent({ text: 'the oldest', maxPages: 1 })).toBeNull();
    expect(emu().requestCounts()['GET /2/users/:id/tweets']).toBe(1);
    expect((await posts.findRecent({ text: 'the oldest', maxPages: 2 }))?.id).toBe(target.id);
  });
});

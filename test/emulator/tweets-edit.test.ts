import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';

const forbidden = (detail: string) => ({ detail, type: 'about:blank', title: 'Forbidden', status: 403 });

describe('POST /2/tweets: edit_options.previous_post_id', () => {
  const emu = useEmulator();
  const post = (json: Record<string, unknown>, token?: string) =>
    api(emu(), 'POST', '/2/tweets', { json, token });
  const edit = (id: string, text: string, token?: string) =>
    post({ text, edit_options: { previous_post_id: id } }, token);

  it('lets a Premium author edit their own post within the hour, as a new id in the history', async () => {
    emu().setPremium(emu().user.id, true);
    const original = await post({ text: 'helo world' });
    emu().clock.advance(30 * 60_000);
    const edited = await edit(original.body.data.id, 'hello world');
    expect(edited.status).toBe(201);
    expect(edited.body.data.id).not.toBe(original.body.data.id);
    expect(edited.body.data.edit_history_tweet_ids).toEqual([original.body.data.id, edited.body.data.id]);
    expect(edited.body.data.text).toBe('hello world');

    // Both versions report the whole history; the timeline shows only the latest.
    const lookup = await api(emu(), 'GET', `/2/tweets/${original.body.data.id}`);
    expect(lookup.body.data.edit_history_tweet_ids).toEqual([original.body.data.id, edited.body.data.id]);
    const timeline = await api(emu(), 'GET', `/2/users/${emu().user.id}/tweets`);
    expect(timeline.body.data.map((p: { id: string }) => p.id)).toEqual([edited.body.data.id]);
  });

  it('refuses authors without X Premium', async () => {
    const original = await post({ text: 'no premium' });
    const res = await edit(original.body.data.id, 'no premium!');
    expect(res.status).toBe(403);
    expect(res.body).toEqual(forbidden('Editing a Post requires an X Premium subscription.'));
  });

  it('refuses someone else’s post, a missing post, and a post older than an hour', async () => {
    emu().setPremium(emu().user.id, true);
    const theirs = await post({ text: 'theirs' }, emu().otherUser.accessToken);
    expect((await edit(theirs.body.data.id, 'mine now')).body).toEqual(
      forbidden('You can only edit your own Posts.'),
    );
    expect((await edit('1234567890123456789', 'x')).body).toEqual(
      forbidden('You attempted to edit a Tweet that is deleted or not visible to you.'),
    );
    const old = await post({ text: 'old' });
    emu().clock.advance(60 * 60_000);
    const res = await edit(old.body.data.id, 'old, edited', emu().issueToken().access_token);
    expect(res.body).toEqual(
      forbidden('This Post can no longer be edited: Posts can be edited for 1 hour after posting.'),
    );
  });

  it('only edits the latest version', async () => {
    emu().setPremium(emu().user.id, true);
    const v1 = await post({ text: 'v1' });
    await edit(v1.body.data.id, 'v2');
    const res = await edit(v1.body.data.id, 'v3');
    expect(res.body).toEqual(forbidden('Only the latest version of a Post can be edited.'));
  });
});

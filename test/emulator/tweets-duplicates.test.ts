import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';

const DUPLICATE = {
  detail: 'You are not allowed to create a Tweet with duplicate content.',
  type: 'about:blank',
  title: 'Forbidden',
  status: 403,
};

describe('POST /2/tweets: duplicate content', () => {
  const emu = useEmulator();
  const post = (text: string, token?: string) => api(emu(), 'POST', '/2/tweets', { json: { text }, token });

  it('refuses the same text from the same user with X 403 body', async () => {
    expect((await post('same words')).status).toBe(201);
    const again = await post('same words');
    expect(again.status).toBe(403);
    expect(again.body).toEqual(DUPLICATE);
  });

  it('compares normalised text: surrounding and repeated whitespace do not make it new', async () => {
    expect((await post('hello   there')).status).toBe(201);
    expect((await post('  hello there\n')).status).toBe(403);
    expect((await post('Hello there')).status).toBe(201);
  });

  it('is per user', async () => {
    expect((await post('shared text')).status).toBe(201);
    expect((await post('shared text', emu().otherUser.accessToken)).status).toBe(201);
  });

  it('ends when the earlier post is deleted', async () => {
    const first = await post('delete me then repeat');
    await api(emu(), 'DELETE', `/2/tweets/${first.body.data.id}`);
    expect((await post('delete me then repeat')).status).toBe(201);
  });

  it('ends after the duplicate window (24 h by default) on the emulator clock', async () => {
    expect((await post('daily note')).status).toBe(201);
    // Access tokens live 2 hours: mint a fresh one after each jump.
    emu().clock.advance(23 * 3_600_000);
    expect((await post('daily note', emu().issueToken().access_token)).status).toBe(403);
    emu().clock.advance(3_600_000 + 1);
    expect((await post('daily note', emu().issueToken().access_token)).status).toBe(201);
  });
});

describe('POST /2/tweets: duplicate window option', () => {
  const emu = useEmulator({ posts: { duplicateWindowSecs: 60 } });

  it('follows posts.duplicateWindowSecs', async () => {
    expect((await api(emu(), 'POST', '/2/tweets', { json: { text: 'tick' } })).status).toBe(201);
    emu().clock.advance(61_000);
    expect((await api(emu(), 'POST', '/2/tweets', { json: { text: 'tick' } })).status).toBe(201);
  });
});

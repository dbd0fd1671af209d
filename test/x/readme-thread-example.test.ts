import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTokenStore, oauth2UserAuth, splitThread, XClient } from '../../src/x/index.js';
import { useEmulator } from '../helpers/emulator.js';

// The README's thread example, run against the emulator: if the README's API drifts, this fails.
describe('README: posting a thread with the SDK', () => {
  const emu = useEmulator();

  it('posts a numbered thread from one long text, each part replying to the one before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpost-readme-'));
    const store = fileTokenStore({ dir });
    const { user, app } = emu();
    await store.set('default', {
      accessToken: user.accessToken,
      refreshToken: user.refreshToken,
      expiresAt: emu().clock.now() + 7_200_000,
      scopes: user.scopes,
      tokenType: 'bearer',
    });
    const essay = Array.from(
      { length: 12 },
      (_, i) => `Paragraph ${i + 1}: ${'words that go on '.repeat(4)}.`,
    ).join('\n\n');

    const auth = oauth2UserAuth({
      store,
      key: 'default',
      clientId: app.clientId,
      clientSecret: app.clientSecret!,
      apiBase: emu().url,
    });
    const x = new XClient({ auth, apiBase: emu().url });
    const { ids } = await x.posts.thread(splitThread(essay, { numbering: 'suffix' }));

    expect(ids.length).toBeGreaterThan(1);
    const posts = ids.map((id) => emu().store.posts.get(id)!);
    posts.forEach((post, i) => {
      expect(post.text.endsWith(` ${i + 1}/${ids.length}`)).toBe(true);
      expect(post.inReplyToTweetId).toBe(i === 0 ? undefined : ids[i - 1]);
    });
  });
});

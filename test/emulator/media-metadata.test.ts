import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';
import { expectInvalid, initialize, png, uploadChunked } from '../helpers/media.js';

const emu = useEmulator();

const setAlt = (id: string, text: string, token?: string) =>
  api(emu(), 'POST', '/2/media/metadata', { json: { id, metadata: { alt_text: { text } } }, token });

describe('POST /2/media/metadata', () => {
  it('stores alt text and echoes it back', async () => {
    const done = await uploadChunked(emu(), png(2, 2, 100), 'image/png');
    const id = done.body.data.id;
    const res = await setAlt(id, 'A red square');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { id, associated_metadata: { alt_text: { text: 'A red square' } } } });
    expect(emu().store.media.get(id)!.altText).toBe('A red square');
  });

  it('accepts exactly 1000 characters and refuses 1001', async () => {
    const done = await uploadChunked(emu(), png(2, 2, 100), 'image/png');
    expect((await setAlt(done.body.data.id, 'a'.repeat(1000))).status).toBe(200);
    expectInvalid(
      await setAlt(done.body.data.id, 'a'.repeat(1001)),
      '$.metadata.alt_text.text: may only be 1000 characters long',
    );
  });

  it('lets an additional owner set alt text, and refuses anyone else', async () => {
    const stranger = emu().createUser({ username: 'stranger' });
    const init = await initialize(emu(), {
      media_type: 'image/png',
      total_bytes: 10,
      additional_owners: [emu().otherUser.id],
    });
    const id = init.body.data.id;
    expect((await setAlt(id, 'shared', emu().otherUser.accessToken)).status).toBe(200);
    expectInvalid(await setAlt(id, 'nope', stranger.accessToken), `Invalid media_id: ${id}`);
  });

  it('refuses an unknown id and a malformed one', async () => {
    expectInvalid(await setAlt('42', 'x'), 'Invalid media_id: 42');
    expectInvalid(await setAlt('abc', 'x'), /\$\.id: does not match the regex pattern/);
  });

  it('needs the media.write scope', async () => {
    const { access_token } = emu().issueToken({ scopes: ['tweet.read', 'tweet.write', 'users.read'] });
    const res = await setAlt('42', 'x', access_token);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ title: 'Forbidden', type: 'about:blank', status: 403, detail: 'Forbidden' });
  });
});

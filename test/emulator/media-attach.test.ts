import { beforeEach, describe, expect, it } from 'vitest';
import { checkAttachableMedia } from '../../src/emulator/media/attach.js';
import { useEmulator } from '../helpers/emulator.js';
import { append, finalize, gif, initialize, mp4, png, uploadChunked } from '../helpers/media.js';

const emu = useEmulator();
beforeEach(() => emu().clock.setScale(0));

const photo = async () => (await uploadChunked(emu(), png(4, 4, 100), 'image/png')).body.data.id as string;
const video = async (bytes = mp4(100)) =>
  (await uploadChunked(emu(), bytes, 'video/mp4')).body.data.id as string;

function expectRefused(ids: string[], userId = emu().user.id): void {
  const result = checkAttachableMedia(emu(), userId, ids);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.problem.status).toBe(400);
  expect(result.problem.body).toEqual({
    errors: [{ parameters: { 'media.media_ids': ids }, message: 'Your media IDs are invalid.' }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });
}

describe('checkAttachableMedia (what POST /2/tweets asks before attaching)', () => {
  it('accepts up to four finalized photos of the caller', async () => {
    const ids = [await photo(), await photo(), await photo(), await photo()];
    const result = checkAttachableMedia(emu(), emu().user.id, ids);
    expect(result.ok && result.media.map((m) => m.id)).toEqual(ids);
    expectRefused([...ids, await photo()]);
  });

  it('accepts a video only once processing succeeded', async () => {
    const id = await video();
    expectRefused([id]); // pending
    emu().clock.advance(2000);
    expectRefused([id]); // in_progress
    emu().clock.advance(2000);
    expect(checkAttachableMedia(emu(), emu().user.id, [id]).ok).toBe(true);
  });

  it('refuses a video whose processing failed', async () => {
    const id = await video(png(2, 2, 100));
    emu().clock.advance(4000);
    expectRefused([id]);
  });

  it('refuses a video or GIF next to any other media', async () => {
    const v = await video();
    const g = (await uploadChunked(emu(), gif(4, 4, 100), 'image/gif')).body.data.id as string;
    const p = await photo();
    emu().clock.advance(4000);
    expect(checkAttachableMedia(emu(), emu().user.id, [g]).ok).toBe(true);
    expectRefused([v, p]);
    expectRefused([g, p]);
    expectRefused([v, g]);
  });

  it('refuses unknown, unfinalized, foreign and expired ids', async () => {
    expectRefused(['123']);
    const init = await initialize(emu(), { media_type: 'image/png', total_bytes: 10 });
    expectRefused([init.body.data.id]);
    const p = await photo();
    expectRefused([p], emu().otherUser.id);
    emu().clock.advance(86_400 * 1000);
    expectRefused([p]);
  });

  it('lets additional owners attach the media', async () => {
    const init = await initialize(emu(), {
      media_type: 'image/png',
      total_bytes: 100,
      additional_owners: [emu().otherUser.id],
    });
    const id = init.body.data.id;
    await append(emu(), id, 0, png(1, 1, 100));
    await finalize(emu(), id);
    expect(checkAttachableMedia(emu(), emu().otherUser.id, [id]).ok).toBe(true);
  });
});

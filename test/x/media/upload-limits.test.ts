import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_LIMITS } from '../../../src/emulator/options.js';
import { XMediaError } from '../../../src/x/errors/x-media-error.js';
import { XValidationError } from '../../../src/x/errors/x-validation-error.js';
import { chunkSizeFor, MEDIA_SIZE_LIMITS } from '../../../src/x/media/index.js';
import { useEmulator } from '../../helpers/emulator.js';
import { gif, png } from '../../helpers/media.js';
import { failure } from '../../helpers/x-requests.js';
import { MiB, mediaClient, mp4Bytes, removeTempFiles, tempFile } from './upload-helpers.js';

const emu = useEmulator();
afterEach(removeTempFiles);
const GiB = 1024 * MiB;

/** A stream that claims `size` bytes but only ever gives its header: the checks must not read on. */
function claimed(head: Buffer): Readable {
  return Readable.from([head]);
}

/** Every limit is checked before the first request: the emulator saw nothing. */
async function refusedBeforeSending(promise: Promise<unknown>): Promise<XMediaError | XValidationError> {
  const error = (await failure(promise)) as XMediaError | XValidationError;
  expect(emu().requestCounts()).toEqual({});
  return error;
}

describe('media.upload() checks X limits before sending a byte', () => {
  it('one table: the emulator defaults are the SDK table', () => {
    expect(DEFAULT_MEDIA_LIMITS.sizeLimits).toEqual(MEDIA_SIZE_LIMITS.standard);
    expect(DEFAULT_MEDIA_LIMITS.premiumSizeLimits).toEqual(MEDIA_SIZE_LIMITS.premium);
  });

  it('an image over 5 MiB, named with its figure and the limit', async () => {
    const { client } = mediaClient(emu);
    const path = await tempFile('photo.png', png(100, 100, 5 * MiB + 1));
    const error = await refusedBeforeSending(client.media.upload(path));
    expect(error).toBeInstanceOf(XMediaError);
    expect(error).toMatchObject({ code: 'too_large', limit: 5 * MiB, actual: 5 * MiB + 1 });
    expect(error.message).toBe('photo.png is 5242881 bytes; tweet_image allows at most 5242880 bytes');
  });

  it('a GIF over 15 MiB', async () => {
    const { client } = mediaClient(emu);
    const error = await refusedBeforeSending(
      client.media.upload(claimed(gif(10, 10)), { size: 15 * MiB + 1, name: 'loop.gif' }),
    );
    expect(error).toMatchObject({ code: 'too_large', limit: 15 * MiB });
    expect(error.message).toBe('loop.gif is 15728641 bytes; tweet_gif allows at most 15728640 bytes');
  });

  it('a video over 8 GiB says what X Premium allows; premium then takes it to the segment check', async () => {
    const { client } = mediaClient(emu);
    const size = Math.round(9.1 * GiB);
    const error = await refusedBeforeSending(
      client.media.upload(claimed(mp4Bytes(4096)), { size, name: 'clip.mp4' }),
    );
    expect(error.message).toBe(
      'clip.mp4 is 9.1 GiB; tweet_video allows at most 8 GiB (16 GiB with X Premium: pass premium: true)',
    );
    const premium = await refusedBeforeSending(
      client.media.upload(claimed(mp4Bytes(4096)), { size, name: 'clip.mp4', premium: true }),
    );
    expect(premium).toMatchObject({ code: 'too_many_segments' });
  });

  it('a dm_video over 512 MiB', async () => {
    const { client } = mediaClient(emu);
    const error = await refusedBeforeSending(
      client.media.upload(claimed(mp4Bytes(4096)), { size: 600 * MiB, mediaCategory: 'dm_video' }),
    );
    expect(error.message).toMatch(/the stream is 600 MiB; dm_video allows at most 512 MiB/);
  });

  it('a stream of unknown size stops spooling once past its category limit', async () => {
    const { client } = mediaClient(emu);
    const big = png(10, 10, 6 * MiB);
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < big.length; i += 256 * 1024) yield big.subarray(i, i + 256 * 1024);
      })(),
    );
    const error = await refusedBeforeSending(client.media.upload(stream, { mediaCategory: 'tweet_image' }));
    expect(error).toMatchObject({ code: 'too_large', limit: 5 * MiB });
    expect(error.message).toBe('the stream is larger than 5 MiB, the most tweet_image allows');
  });

  it('more than 1000 segments of 4 MiB', async () => {
    const { client } = mediaClient(emu);
    const error = await refusedBeforeSending(
      client.media.upload(claimed(mp4Bytes(4096)), { size: 5 * GiB, name: 'long.mp4' }),
    );
    expect(error).toMatchObject({ code: 'too_many_segments' });
    expect(error.message).toBe('long.mp4 is 5 GiB; X takes at most 1000 segments of at most 4 MiB (3.9 GiB)');
  });

  it('the chunk size grows within 1–4 MiB to stay under 1000 segments', () => {
    expect(chunkSizeFor('a', 1000 * MiB, MiB)).toBe(MiB);
    expect(chunkSizeFor('a', 1000 * MiB + 1, MiB)).toBe(MiB + 1024);
    expect(chunkSizeFor('a', 3000 * MiB, MiB)).toBe(3 * MiB);
    expect(chunkSizeFor('a', 4000 * MiB, 2 * MiB)).toBe(4 * MiB);
    expect(() => chunkSizeFor('a', 4000 * MiB + 1, MiB)).toThrow(XMediaError);
  });

  it('bytes of no supported format', async () => {
    const { client } = mediaClient(emu);
    const error = await refusedBeforeSending(
      client.media.upload(Buffer.alloc(1000, 1), { name: 'notes.txt' }),
    );
    expect(error).toMatchObject({ code: 'unsupported_type' });
    expect(error.message).toMatch(/^notes\.txt: its first bytes match no format X takes/);
  });

  it('a category that does not take the type', async () => {
    const { client } = mediaClient(emu);
    const error = await refusedBeforeSending(
      client.media.upload(png(10, 10, 100), { mediaCategory: 'tweet_video' }),
    );
    expect(error.message).toBe('the buffer is image/png, which media_category tweet_video does not take');
  });

  it('an empty file', async () => {
    const { client } = mediaClient(emu);
    const path = await tempFile('empty.mp4', Buffer.alloc(0));
    const error = await refusedBeforeSending(client.media.upload(path));
    expect(error).toMatchObject({ code: 'empty' });
  });

  it('alt text over 1000 characters (code points, so emoji count once)', async () => {
    const { client } = mediaClient(emu);
    const error = await refusedBeforeSending(
      client.media.upload(png(10, 10), { altText: '😀'.repeat(1001) }),
    );
    expect(error).toBeInstanceOf(XValidationError);
    expect((error as XValidationError).issues[0]).toMatchObject({ field: 'altText', rule: 'length' });
  });

  it('bad options are programming errors that say the fix', async () => {
    const { client } = mediaClient(emu);
    await expect(client.media.upload(png(10, 10), { chunkSize: 5 * MiB })).rejects.toThrow(
      /chunkSize must be a whole number of bytes from 1 MiB/,
    );
    await expect(client.media.upload(png(10, 10), { concurrency: 0 })).rejects.toThrow(TypeError);
    await expect(client.media.upload(png(10, 10), { mediaCategory: 'photo' as never })).rejects.toThrow(
      /mediaCategory must be one of tweet_image/,
    );
    await expect(client.media.upload(png(10, 10), { chunk: 1 } as never)).rejects.toThrow(
      /unknown option "chunk"/,
    );
    await expect(client.media.upload(42 as never)).rejects.toThrow(/pass a file path/);
    expect(emu().requestCounts()).toEqual({});
  });

  it('a missing file', async () => {
    const { client } = mediaClient(emu);
    const error = await refusedBeforeSending(client.media.upload('/nonexistent/clip.mp4'));
    expect(error).toMatchObject({ code: 'source_unreadable' });
    expect(error.message).toMatch(/there is no such file/);
  });
});

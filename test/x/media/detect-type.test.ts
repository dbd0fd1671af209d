import { afterEach, describe, expect, it } from 'vitest';
import { detectMediaType } from '../../../src/x/media/index.js';
import { useEmulator } from '../../helpers/emulator.js';
import { gif, jpeg, png } from '../../helpers/media.js';
import { mediaClient, mp4Bytes, removeTempFiles, tempFile } from './upload-helpers.js';

const emu = useEmulator();
afterEach(removeTempFiles);

function ascii(text: string, size = 64): Buffer {
  const b = Buffer.alloc(size);
  b.write(text, 0, 'latin1');
  return b;
}

describe('the media type comes from the first bytes (magic numbers)', () => {
  it.each([
    ['image/jpeg', jpeg(10, 10)],
    ['image/png', png(10, 10)],
    ['image/gif', gif(10, 10)],
    ['image/webp', Buffer.concat([ascii('RIFF', 8), ascii('WEBPVP8 ', 56)])],
    ['image/bmp', ascii('BM')],
    ['image/tiff', ascii('II*\0')],
    ['video/mp4', mp4Bytes(64)],
    ['video/mp4', Buffer.concat([Buffer.from([0, 0, 0, 8]), ascii('moov', 60)])],
    ['video/webm', Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0])],
    ['text/vtt', Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n')],
    ['text/srt', Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nhi\n')],
  ])('%s', (type, bytes) => {
    expect(detectMediaType(bytes)).toBe(type);
  });

  it('bytes of no known format', () => {
    expect(detectMediaType(Buffer.from('hello world'))).toBeUndefined();
    expect(detectMediaType(new Uint8Array(0))).toBeUndefined();
  });

  it('a PNG named clip.mp4 is uploaded as a PNG image', async () => {
    const { client } = mediaClient(emu);
    const path = await tempFile('clip.mp4', png(320, 200, 5000));
    const result = await client.media.upload(path);
    expect(result).toMatchObject({ mediaType: 'image/png', mediaCategory: 'tweet_image' });
    expect(emu().store.media.get(result.mediaId)).toMatchObject({
      mediaType: 'image/png',
      category: 'tweet_image',
    });
  });

  it('an MP4 named photo.jpg is uploaded as a video', async () => {
    const { client } = mediaClient(emu);
    const path = await tempFile('photo.jpg', mp4Bytes(3000));
    const result = await client.media.upload(path);
    expect(result).toMatchObject({ mediaType: 'video/mp4', mediaCategory: 'tweet_video' });
  });
});

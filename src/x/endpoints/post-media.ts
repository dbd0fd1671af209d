import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { type ValidationIssue, XValidationError } from '../errors/x-validation-error.js';
import { DETECT_TYPE_BYTES, detectMediaType } from '../media/detect-type.js';
import { categoryForType, isProcessedAsync } from '../media/limits.js';
import type { MediaApi } from '../media/media-api.js';
import type { UploadOptions } from '../media/upload-options.js';
import type { MediaAttachment } from '../types/tweets.js';

/** What a caller of `posts.create({ media })` may pass down to each upload. */
export type AttachmentUploadOptions = Pick<UploadOptions, 'journal' | 'onProgress' | 'premium' | 'signal'>;

interface Sniffed {
  attachment: MediaAttachment;
  name: string;
  mediaType: string;
  /** A video or GIF: X allows it only alone (REFERENCE §3.1: up to 4 photos, or 1 GIF, or 1 video). */
  alone: boolean;
}

/**
 * Upload a post's attachments and return their media ids, in order. Every file's type is read from its
 * bytes first, so a video or GIF beside other media is refused before a single byte is uploaded; then
 * images go up in parallel and a video or GIF on its own.
 */
export async function uploadAttachments(
  media: MediaApi,
  attachments: readonly MediaAttachment[],
  otherMediaIds: number,
  options: AttachmentUploadOptions = {},
): Promise<string[]> {
  const sniffed = await Promise.all(attachments.map(sniff));
  const problems: ValidationIssue[] = sniffed.flatMap((s, i) =>
    s.mediaType === ''
      ? [
          {
            field: `media[${i}]`,
            rule: 'type',
            message: `media[${i}] (${s.name}) is not an image, GIF or video X accepts (its bytes match no known format)`,
          },
        ]
      : [],
  );
  const total = sniffed.length + otherMediaIds;
  const alone = sniffed.findIndex((s) => s.alone);
  if (alone >= 0 && total > 1) {
    problems.push({
      field: 'media',
      rule: 'exclusive',
      message: `media[${alone}] (${sniffed[alone]!.name}) is a ${sniffed[alone]!.mediaType === 'image/gif' ? 'GIF' : 'video'}, which X allows only on its own; this post has ${total} media`,
    });
  }
  if (problems.length > 0) throw new XValidationError(problems, { endpoint: 'POST /2/tweets' });

  const results = await Promise.all(
    sniffed.map((s) => {
      const input =
        'path' in s.attachment && s.attachment.path !== undefined ? s.attachment.path : s.attachment.data!;
      return media.upload(input, {
        ...options,
        mediaType: s.mediaType,
        ...(s.attachment.alt !== undefined ? { altText: s.attachment.alt } : {}),
        ...('name' in s.attachment && s.attachment.name !== undefined ? { name: s.attachment.name } : {}),
      });
    }),
  );
  return results.map((r) => r.mediaId);
}

async function sniff(attachment: MediaAttachment): Promise<Sniffed> {
  let head: Uint8Array;
  let name: string;
  if (attachment.path !== undefined) {
    name = basename(attachment.path);
    const file = await open(attachment.path, 'r').catch((error: NodeJS.ErrnoException) => {
      throw new XValidationError(
        [
          {
            field: 'media',
            rule: 'type',
            message: `cannot read ${attachment.path}: ${error.code ?? error.message}`,
          },
        ],
        { endpoint: 'POST /2/tweets' },
      );
    });
    try {
      const buffer = Buffer.alloc(DETECT_TYPE_BYTES);
      const { bytesRead } = await file.read(buffer, 0, DETECT_TYPE_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } else {
    name = attachment.name ?? 'bytes';
    head = attachment.data.subarray(0, DETECT_TYPE_BYTES);
  }
  const mediaType = detectMediaType(head) ?? '';
  const category = mediaType ? categoryForType(mediaType) : undefined;
  return { attachment, name, mediaType, alone: category !== undefined && isProcessedAsync(category) };
}

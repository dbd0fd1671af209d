import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Queryable } from '../../src/service/db/types.js';
import { mediaFilePath } from '../../src/service/media/storage.js';
import { media } from '../../src/service/store/media-api.js';

/**
 * An uploaded media item as `POST /api/media` stores it: its `xpost.media` row, created at
 * `createdAt`, and (unless `file: false`, for a test that writes the file itself or needs none) a
 * file of `size` random bytes at `<dataDir>/media/<id>`. The media tests (retention, orphan files,
 * the worker's hourly pass) share it.
 */
export async function insertUploadedMedia(
  db: Queryable,
  options: { dataDir: string; createdAt: Date; size?: number; id?: string; file?: boolean },
): Promise<{ id: string; path: string }> {
  const id = options.id ?? randomUUID();
  const size = options.size ?? 1000;
  const path = mediaFilePath(options.dataDir, id);
  if (options.file !== false) await writeFile(path, randomBytes(size), { mode: 0o600 });
  await db.query(
    media.insertUploaded({
      id,
      apiKeyId: null,
      altText: null,
      localPath: path,
      contentType: 'image/png',
      mediaCategory: 'tweet_image',
      sizeBytes: size,
      sha256: 'a'.repeat(64),
      now: options.createdAt,
    }),
  );
  return { id, path };
}

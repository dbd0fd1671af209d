import type { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/**
 * What `media.upload()` accepts: a file path, bytes, a Node stream, a web stream, or an http(s) URL
 * (a string starting with `http://`/`https://`, or a `URL`).
 */
export type MediaInput = string | URL | Uint8Array | Readable | WebReadableStream<Uint8Array>;

/** X's media categories (REFERENCE §4.1). */
export type MediaCategory =
  | 'tweet_image'
  | 'tweet_gif'
  | 'tweet_video'
  | 'amplify_video'
  | 'dm_image'
  | 'dm_gif'
  | 'dm_video'
  | 'subtitles';

export type ProcessingState = 'pending' | 'in_progress' | 'succeeded' | 'failed';

/** One progress report; `phase` says which fields moved. */
export interface UploadProgress {
  phase: 'initialize' | 'append' | 'finalize' | 'processing' | 'metadata' | 'done';
  mediaId?: string;
  totalBytes: number;
  /** Bytes X has acknowledged (resumed segments included). */
  bytesSent: number;
  segmentsDone: number;
  segmentsTotal: number;
  /** X's `processing_info.progress_percent`, during processing. */
  processingPercent?: number;
  processingState?: ProcessingState;
}

/** The identity of a file on disk: enough to tell that a rerun uploads the same bytes. */
export interface FileIdentity {
  path: string;
  size: number;
  mtimeMs: number;
  /** SHA-256 of the first and last MiB (the whole file when smaller), hex. */
  headTailSha256: string;
}

/** What the journal remembers of an upload in progress, so a crashed upload continues. */
export interface UploadJournalEntry {
  identity: FileIdentity;
  mediaId: string;
  mediaKey?: string;
  mediaType: string;
  mediaCategory: MediaCategory;
  totalBytes: number;
  /** The chunk size the segments were cut with: a resumed upload must cut the same way. */
  chunkSize: number;
  /** Epoch ms after which the media id is gone and the upload starts over. */
  expiresAt: number;
  /** Segment indexes X acknowledged. */
  segmentsDone: number[];
  /** Set once FINALIZE was accepted: a rerun only polls. */
  finalized?: boolean;
  /**
   * Set after X refused a segment size (413) and the rest was cut smaller: from segment `index` on
   * (at byte `offset`), segments are `chunkSize` long. Absent: every segment is `chunkSize` long.
   */
  spans?: { index: number; offset: number; chunkSize: number }[];
}

/**
 * A pluggable store for upload journals (a file store for the SDK and CLI; the service may keep them
 * in its database). Keys are opaque strings chosen by the uploader (derived from the file identity
 * and the account).
 */
export interface UploadJournal {
  get(key: string): Promise<UploadJournalEntry | undefined>;
  set(key: string, entry: UploadJournalEntry): Promise<void>;
  delete(key: string): Promise<void>;
}

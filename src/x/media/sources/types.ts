/**
 * Where an upload's bytes come from. Two shapes, because a file and a buffer can be read at any offset
 * (segments read in parallel, re-read after a 413) while a stream can only be read forward.
 */
export interface ByteSource {
  /** `random`: `read` takes any offset. `sequential`: offsets must follow on, `unread` steps back. */
  readonly access: 'random' | 'sequential';
  /** Total bytes, known before INITIALIZE (a stream of unknown size is spooled to a file first). */
  readonly size: number;
  /** A name for messages: the file's base name, the URL's last path segment, or "the stream". */
  readonly name: string;
  /** The file path, for a file source (the journal keys on it). */
  readonly path?: string;
  /** Up to `length` leading bytes, without consuming them (type detection). */
  head(length: number): Promise<Uint8Array>;
  /** `length` bytes at `offset` (fewer only at the end). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Random sources that can hand out a segment without copying it into memory (a file-backed `Blob`
   * slice, read from disk as the request body is sent).
   */
  blob?(offset: number, length: number): Blob;
  /** Sequential sources: give back bytes already read, in order, so the next `read` returns them again. */
  unread?(chunks: Uint8Array[]): void;
  /** Sequential sources: throws when the stream holds more bytes than `size`. */
  assertEnd?(): Promise<void>;
  /** Release the file handle, cancel the stream, delete a spool file. */
  close(): Promise<void>;
}

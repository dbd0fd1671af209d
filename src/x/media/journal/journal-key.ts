import { createHash } from 'node:crypto';
import type { FileIdentity } from '../types.js';

/** Bumped if what goes into a key changes, so old entries are simply not found again. */
const KEY_VERSION = 1;

/**
 * A stable, opaque journal key for uploading one file as one account: the same `subject` (whatever
 * names the account, e.g. the user id or the token store key) and the same identity (absolute path,
 * size, mtime, head/tail hash) give the same key in every process and on every run; a change to any
 * of them gives another key, so an edited file never resumes an upload of its old bytes.
 *
 * The path is part of the key on purpose: two different files that share size, mtime and both ends
 * (the limit documented in `file-identity.ts`) can then only collide at the same path. The key is
 * `upload-v1-` and 64 hex characters: safe as a file name or a database key, and it reveals nothing.
 */
export function journalKey(subject: string, identity: FileIdentity): string {
  if (typeof subject !== 'string' || subject === '') {
    throw new TypeError('journalKey(subject, identity): pass the account the upload is for as subject');
  }
  const material = JSON.stringify([
    KEY_VERSION,
    subject,
    identity.path,
    identity.size,
    identity.mtimeMs,
    identity.headTailSha256,
  ]);
  return `upload-v${KEY_VERSION}-${createHash('sha256').update(material).digest('hex')}`;
}

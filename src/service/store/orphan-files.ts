import type { SqlQuery } from '../db/types.js';
import { sql } from './sql.js';

/**
 * The SQL of the orphan media file sweep (src/service/media/orphan-files.ts). Pure functions, as in
 * sql.ts.
 */

export const orphanFiles = {
  /** Which of these media ids still have an `xpost.media` row (the rest are orphans' names). */
  existingMedia: (ids: readonly string[]): SqlQuery =>
    sql('SELECT id FROM xpost.media WHERE id = ANY($1::uuid[])', [[...ids]]),
};

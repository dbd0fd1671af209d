import { openEmbedded } from './embedded.js';
import { openServer } from './server.js';
import type { Db } from './types.js';

export { DatabaseConnectionError, describeDatabaseUrl } from './server.js';

export interface OpenDatabaseOptions {
  /** postgres://… (from `DATABASE_URL`): a PostgreSQL server through a node-postgres pool. */
  url?: string;
  /** Without `url`: PGlite in this folder (created with mode 0700). */
  dataDir?: string;
  /** Without `url` and `dataDir`: PGlite in memory (tests). Saying so is required, so a missing
   *  data folder is never silently an in-memory database that forgets everything. */
  memory?: boolean;
  /** The variable `url` came from, named in errors. Default `DATABASE_URL`. */
  source?: string;
  /** Server only: connections in the pool (default 10). */
  poolSize?: number;
}

/** The service's database: a server when `url` is given, else embedded PGlite (DESIGN, "storage"). */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Db> {
  if (options.url !== undefined && options.url !== '') {
    return openServer({
      url: options.url,
      ...(options.source !== undefined && { source: options.source }),
      ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
    });
  }
  if (options.dataDir) return openEmbedded({ dataDir: options.dataDir });
  if (options.memory) return openEmbedded();
  throw new TypeError(
    'openDatabase(): pass url (a PostgreSQL server), dataDir (PGlite on disk) or memory: true',
  );
}

export type { Db, Queryable, QueryResult, SqlQuery, Transaction } from './types.js';

import pg from 'pg';
import { assertOpen, assertOutsideTransaction, runInTransactionScope } from './scope.js';
import type { Db, QueryResult, SqlQuery, Transaction } from './types.js';

export interface ServerOptions {
  url: string;
  /** The name the URL came by, for error messages. Default `DATABASE_URL`. */
  source?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** How long to wait for a connection, in ms. Default 10 000. */
  connectTimeoutMs?: number;
}

/** A database URL that is malformed or that the server refused or could not be reached with. */
export class DatabaseConnectionError extends Error {
  override readonly name = 'DatabaseConnectionError';
}

/**
 * node-postgres with a pool. A transaction checks out one client for its whole life (BEGIN, the
 * callback's statements, COMMIT or ROLLBACK) and always releases it; a client whose ROLLBACK failed
 * is destroyed rather than returned to the pool in an unknown state.
 *
 * Types are parsed as PGlite parses them, so rows look the same on both: int8 as a number (counts and
 * sizes here stay far below 2^53), bytea as bytes (a Buffer, which is a Uint8Array), timestamptz as a
 * Date, jsonb as values. The parser is this pool's own, not pg's global one that pg-boss shares.
 *
 * `openServer` connects once before returning, so a wrong URL, password or host fails at start with
 * an error naming the variable and the server (never the password).
 */
export async function openServer(options: ServerOptions): Promise<Db> {
  const source = options.source ?? 'DATABASE_URL';
  const where = describeDatabaseUrl(options.url, source);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types: { getTypeParser },
  });
  // An idle client's connection can drop (server restart, network). pg emits that on the pool, and
  // an unhandled 'error' event would crash the process; the pool discards the client, and the next
  // statement gets a fresh connection or a clear error.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseConnectionError(
      `could not connect to PostgreSQL at ${where} (${source}): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return new ServerDb(pool);
}

/**
 * `user@host:port/database` of a postgres:// URL, without the password; throws a
 * `DatabaseConnectionError` naming `source` when it is not such a URL.
 */
export function describeDatabaseUrl(url: string, source = 'DATABASE_URL'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseConnectionError(
      `${source} is not a valid URL; expected postgres://user:password@host:5432/database`,
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseConnectionError(
      `${source} must start with postgres:// or postgresql:// (got ${parsed.protocol}//…); expected postgres://user:password@host:5432/database`,
    );
  }
  const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
  const host = parsed.host || 'localhost';
  return `${user}${host}${parsed.pathname || '/'}`;
}

const INT8 = 20;

function getTypeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8 && format !== 'binary') return (value: string) => Number(value);
  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads do not accept a union format
  return pg.types.getTypeParser(oid, format as any) as (value: string) => unknown;
}

class ServerDb implements Db {
  readonly kind = 'server' as const;
  readonly #pool: pg.Pool;
  #closed = false;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async query<Row = Record<string, unknown>>(query: SqlQuery): Promise<QueryResult<Row>> {
    assertOutsideTransaction(this, 'query');
    return toResult<Row>(await this.#pool.query(config(query)));
  }

  async exec(sql: string): Promise<void> {
    assertOutsideTransaction(this, 'exec');
    await this.#pool.query(sql);
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    assertOutsideTransaction(this, 'transaction');
    const client = await this.#pool.connect();
    let ended = false;
    const tx: Transaction = {
      query: async <Row>(query: SqlQuery) => {
        assertOpen(ended);
        return toResult<Row>(await client.query(config(query)));
      },
      exec: async (sql: string) => {
        assertOpen(ended);
        await client.query(sql);
      },
    };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      let result: T;
      try {
        result = await runInTransactionScope(this, () => fn(tx));
      } catch (error) {
        ended = true;
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      }
      ended = true;
      try {
        await client.query('COMMIT');
      } catch (error) {
        // A failed COMMIT has ended the transaction; a ROLLBACK tidies the rare case where it has not.
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
      return result;
    } catch (error) {
      if (!broken && isConnectionError(error)) broken = error as Error;
      throw error;
    } finally {
      ended = true;
      // `release(error)` destroys the client instead of pooling a connection in an unknown state.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

function config(query: SqlQuery): pg.QueryConfig {
  return query.values === undefined ? { text: query.text } : { text: query.text, values: [...query.values] };
}

function toResult<Row>(result: pg.QueryResult | pg.QueryResult[]): QueryResult<Row> {
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  const rows = (last?.rows ?? []) as Row[];
  return { rows, rowCount: last?.rowCount ?? rows.length };
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('E') || code.startsWith('08') || code === '57P01');
}

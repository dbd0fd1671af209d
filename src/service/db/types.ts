/**
 * The service's one view of PostgreSQL, whether it is PGlite (embedded, the default) or a server
 * (`DATABASE_URL`, node-postgres). One SQL dialect and one code path for both (DESIGN, "storage").
 */

/** A parameterised statement, as the pure functions of the SQL module return it (pg-boss's shape). */
export interface SqlQuery {
  text: string;
  values?: readonly unknown[];
}

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** Something that runs statements: the database itself, or one transaction on it. */
export interface Queryable {
  query<Row = Record<string, unknown>>(query: SqlQuery): Promise<QueryResult<Row>>;
}

/** One transaction: statements with parameters, and parameterless scripts (a migration file). */
export interface Transaction extends Queryable {
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  /** `embedded` (PGlite in a data folder or in memory) or `server` (node-postgres pool). */
  readonly kind: 'embedded' | 'server';
  /** Run several statements without parameters (migrations, pg-boss's schema): PGlite's `exec`. */
  exec(sql: string): Promise<void>;
  /**
   * Run `fn` in one transaction on one connection; commit when it resolves, roll back when it throws.
   * Row locks (`FOR UPDATE`, `SKIP LOCKED`) taken inside hold until it ends.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

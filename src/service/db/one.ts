import type { Queryable, SqlQuery } from './types.js';

/** The first row a statement returns, or undefined: for statements that return one row or none. */
export async function one<Row>(q: Queryable, query: SqlQuery): Promise<Row | undefined> {
  return (await q.query<Row>(query)).rows[0];
}

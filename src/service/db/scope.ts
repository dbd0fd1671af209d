import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which database's `transaction()` callback the current async context runs in. Inside one, the
 * statements must go through the `tx` argument: on PGlite (one connection) a call on the database
 * itself would wait for the transaction that waits for it, forever; on a server it would run on
 * another connection, outside the transaction and possibly blocked by the transaction's own row
 * locks. Both backends refuse it at once with the same error, so code cannot work on one and hang on
 * the other.
 */
const scope = new AsyncLocalStorage<object>();

export function runInTransactionScope<T>(owner: object, fn: () => Promise<T>): Promise<T> {
  return scope.run(owner, fn);
}

export function assertOutsideTransaction(owner: object, what: string): void {
  if (scope.getStore() === owner) {
    throw new Error(
      `db.${what}() was called inside db.transaction() on the same database: use the transaction's tx argument (on PGlite this would wait forever)`,
    );
  }
}

/** Throws once a transaction has ended: a `tx` kept after its callback returned is a bug. */
export function assertOpen(ended: boolean): void {
  if (ended) throw new Error('this transaction has already ended: its tx cannot run statements any more');
}

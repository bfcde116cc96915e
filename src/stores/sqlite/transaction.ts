import type { DatabaseSync } from 'node:sqlite';
import { CodedError } from '../../errors.ts';

/**
 * Runs `work` inside one write transaction and returns its result; any throw rolls everything
 * back. `BEGIN IMMEDIATE` takes the write lock up front, so a read-check-write inside `work`
 * cannot interleave with another process's writer (the busy timeout makes it wait instead).
 *
 * `work` must be synchronous: `DatabaseSync` is, and an `await` inside would let other callers
 * run statements in the middle of this transaction. Nested calls join the outer transaction.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  if (db.isTransaction) return work();
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    if (result instanceof Promise) {
      throw new CodedError('bug', 'async_transaction', 'inTransaction() needs a synchronous callback', 500);
    }
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

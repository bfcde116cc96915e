import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RefundOutbox, RefundOutboxEntry } from '../ports.ts';
import { assertCount, assertDurationMs } from '../limits.ts';
import { date, integer, text, type Row } from './rows.ts';
import { inTransaction } from './transaction.ts';

/**
 * The refund outbox in sqlite (`refund_outbox`, written by the case store with each approval).
 * A lease moves the entry's `due_at` to when the lease lapses and stamps it with a token, in one
 * `BEGIN IMMEDIATE` transaction: another connection (another process on this DATA_DIR) waits for
 * it and then sees the entries as not due.
 */
export class SqliteRefundOutbox implements RefundOutbox {
  readonly #db: DatabaseSync;
  readonly #due: StatementSync;
  readonly #take: StatementSync;
  readonly #done: StatementSync;
  readonly #retry: StatementSync;
  readonly #list: StatementSync;

  constructor(options: { db: DatabaseSync }) {
    const db = options.db;
    this.#db = db;
    this.#due = db.prepare('SELECT case_id FROM refund_outbox WHERE due_at <= ? ORDER BY due_at, case_id LIMIT ?');
    this.#take = db.prepare(
      'UPDATE refund_outbox SET due_at = ?, lease = ?, attempts = attempts + 1 WHERE case_id = ? RETURNING case_id, attempts, queued_at',
    );
    this.#done = db.prepare('DELETE FROM refund_outbox WHERE case_id = ? AND lease = ?');
    this.#retry = db.prepare('UPDATE refund_outbox SET due_at = ?, lease = NULL WHERE case_id = ? AND lease = ?');
    this.#list = db.prepare('SELECT case_id, due_at, attempts, queued_at FROM refund_outbox ORDER BY due_at, case_id');
  }

  async lease(now: Date, leaseMs: number, limit: number): Promise<RefundOutboxEntry[]> {
    assertDurationMs('leaseMs', leaseMs);
    assertCount('limit', limit);
    const lease = randomUUID();
    return inTransaction(this.#db, () =>
      this.#due.all(now.getTime(), limit).map((row) => {
        const taken = this.#take.get(now.getTime() + leaseMs, lease, text(row, 'case_id')) as Row;
        return { caseId: text(taken, 'case_id'), attempt: integer(taken, 'attempts'), lease, queuedAt: date(taken, 'queued_at') };
      }),
    );
  }

  async done(caseId: string, lease: string): Promise<boolean> {
    return this.#done.run(caseId, lease).changes === 1;
  }

  async retry(caseId: string, lease: string, at: Date): Promise<boolean> {
    return this.#retry.run(at.getTime(), caseId, lease).changes === 1;
  }

  async list(): Promise<{ caseId: string; dueAt: Date; attempts: number; queuedAt: Date }[]> {
    return this.#list.all().map((row) => ({
      caseId: text(row, 'case_id'),
      dueAt: date(row, 'due_at'),
      attempts: integer(row, 'attempts'),
      queuedAt: date(row, 'queued_at'),
    }));
  }
}

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { InputError } from '../../errors.ts';
import type { TranscriptEntry, TranscriptStore } from '../ports.ts';
import type { ConversationExpiry } from './expiry.ts';
import { integer, json } from './rows.ts';
import { inTransaction } from './transaction.ts';

/**
 * Each conversation's history, both sides, numbered 1, 2, 3… with no gaps. Activities are
 * stored as JSON (a `Date` timestamp comes back as its ISO string). An append counts as the
 * conversation's activity (it restarts its TTL).
 */
export class SqliteTranscriptStore implements TranscriptStore {
  readonly #db: DatabaseSync;
  readonly #expiry: ConversationExpiry;
  readonly #last: StatementSync;
  readonly #insert: StatementSync;
  readonly #after: StatementSync;

  constructor(options: { db: DatabaseSync; expiry: ConversationExpiry }) {
    this.#db = options.db;
    this.#expiry = options.expiry;
    this.#last = this.#db.prepare(
      'SELECT coalesce(max(seq), 0) AS last FROM transcript_entries WHERE conversation_id = ?',
    );
    this.#insert = this.#db.prepare(
      'INSERT INTO transcript_entries (conversation_id, seq, activity) VALUES (?, ?, ?)',
    );
    this.#after = this.#db.prepare(
      'SELECT seq, activity FROM transcript_entries WHERE conversation_id = ? AND seq > ? ORDER BY seq',
    );
  }

  async append(conversationId: string, activities: Record<string, unknown>[]): Promise<number[]> {
    const serialised = activities.map((activity) => JSON.stringify(activity));
    if (serialised.length === 0) return [];
    return this.appendSync(conversationId, serialised);
  }

  /**
   * Appends activities already serialised to JSON and returns their seqs. Synchronous, so a
   * turn commit can run it inside its own transaction; reading the last seq and inserting after
   * it under one write lock keeps seqs gap-free and unique even with several writers.
   */
  appendSync(conversationId: string, serialised: readonly string[]): number[] {
    if (serialised.length === 0) return [];
    return inTransaction(this.#db, () => {
      const row = this.#last.get(conversationId);
      const last = row ? integer(row, 'last') : 0;
      const seqs = serialised.map((activity, index) => {
        const seq = last + index + 1;
        this.#insert.run(conversationId, seq, activity);
        return seq;
      });
      this.#expiry.touchSync(conversationId);
      return seqs;
    });
  }

  async list(conversationId: string, after: number): Promise<TranscriptEntry[]> {
    if (!Number.isSafeInteger(after) || after < 0) {
      throw new InputError('invalid_watermark', 'The watermark must be a whole number of 0 or more');
    }
    return this.#after.all(conversationId, after).map((row) => ({
      seq: integer(row, 'seq'),
      activity: json<Record<string, unknown>>(row, 'activity'),
    }));
  }
}

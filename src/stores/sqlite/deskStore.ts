import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../../domain/clock.ts';
import type { DeskStore, DeskThread } from '../ports.ts';
import { json, text } from './rows.ts';

/** The agent desk's index in the embedded store. */
export class SqliteDeskStore implements DeskStore {
  readonly #clock: Clock;
  readonly #putOpen: StatementSync;
  readonly #close: StatementSync;
  readonly #listOpen: StatementSync;
  readonly #getOpen: StatementSync;
  readonly #setThread: StatementSync;
  readonly #thread: StatementSync;
  readonly #byThread: StatementSync;

  constructor(options: { db: DatabaseSync; clock: Clock }) {
    const { db } = options;
    this.#clock = options.clock;
    // Updating an open conversation keeps its place in the list (opened_at is not touched).
    this.#putOpen = db.prepare(
      `INSERT INTO desk_open (conversation_id, entry, opened_at) VALUES (?, ?, ?)
       ON CONFLICT (conversation_id) DO UPDATE SET entry = excluded.entry`,
    );
    this.#close = db.prepare('DELETE FROM desk_open WHERE conversation_id = ?');
    this.#listOpen = db.prepare('SELECT conversation_id, entry FROM desk_open ORDER BY opened_at, conversation_id');
    this.#getOpen = db.prepare('SELECT entry FROM desk_open WHERE conversation_id = ?');
    this.#setThread = db.prepare(
      `INSERT INTO desk_threads (conversation_id, channel, ts) VALUES (?, ?, ?)
       ON CONFLICT (conversation_id) DO UPDATE SET channel = excluded.channel, ts = excluded.ts`,
    );
    this.#thread = db.prepare('SELECT channel, ts FROM desk_threads WHERE conversation_id = ?');
    this.#byThread = db.prepare('SELECT conversation_id FROM desk_threads WHERE channel = ? AND ts = ?');
  }

  async putOpen(conversationId: string, entry: Record<string, unknown>): Promise<void> {
    this.#putOpen.run(conversationId, JSON.stringify(entry), this.#clock.now().getTime());
  }

  async close(conversationId: string): Promise<void> {
    this.#close.run(conversationId);
  }

  async listOpen(): Promise<{ conversationId: string; entry: Record<string, unknown> }[]> {
    return this.#listOpen.all().map((row) => ({ conversationId: text(row, 'conversation_id'), entry: json<Record<string, unknown>>(row, 'entry') }));
  }

  async getOpen(conversationId: string): Promise<Record<string, unknown> | undefined> {
    const row = this.#getOpen.get(conversationId);
    return row ? json<Record<string, unknown>>(row, 'entry') : undefined;
  }

  async setThread(conversationId: string, thread: DeskThread): Promise<void> {
    this.#setThread.run(conversationId, thread.channel, thread.ts);
  }

  async thread(conversationId: string): Promise<DeskThread | undefined> {
    const row = this.#thread.get(conversationId);
    return row ? { channel: text(row, 'channel'), ts: text(row, 'ts') } : undefined;
  }

  async conversationOfThread(thread: DeskThread): Promise<string | undefined> {
    const row = this.#byThread.get(thread.channel, thread.ts);
    return row ? text(row, 'conversation_id') : undefined;
  }
}

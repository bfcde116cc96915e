import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { LOCALES } from '../../domain/locale.ts';
import { ConflictError } from '../../errors.ts';
import type { ConversationRecord, ConversationStore } from '../ports.ts';
import type { ConversationExpiry } from './expiry.ts';
import { date, oneOf, text, type Row } from './rows.ts';
import { inTransaction } from './transaction.ts';

/**
 * Conversations of the conversation API, keyed by id; only the token's hash is kept. A
 * conversation idle for longer than the TTL is answered as unknown at once, before the sweep
 * deletes it.
 */
export class SqliteConversationStore implements ConversationStore {
  readonly #db: DatabaseSync;
  readonly #expiry: ConversationExpiry;
  readonly #insert: StatementSync;
  readonly #select: StatementSync;

  constructor(options: { db: DatabaseSync; expiry: ConversationExpiry }) {
    this.#db = options.db;
    this.#expiry = options.expiry;
    this.#insert = options.db.prepare(
      `INSERT INTO conversations (id, token_hash, channel, locale, created_at, external_id) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    // No activity row (impossible since migration 2, but harmless) counts as live.
    this.#select = options.db.prepare(
      `SELECT c.* FROM conversations c LEFT JOIN conversation_activity a ON a.conversation_id = c.id
       WHERE c.id = ? AND (a.last_active_at IS NULL OR a.last_active_at > ?)`,
    );
  }

  /** Throws `ConflictError` `conversation_exists` rather than replacing another conversation. */
  async create(record: ConversationRecord): Promise<void> {
    inTransaction(this.#db, () => {
      const result = this.#insert.run(record.id, record.tokenHash, record.channel, record.locale, record.createdAt.getTime(), record.externalId ?? null);
      if (result.changes === 0) {
        throw new ConflictError('conversation_exists', `Conversation ${record.id} already exists`);
      }
      this.#expiry.touchSync(record.id);
    });
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    const row = this.#select.get(id, this.#expiry.cutoff());
    if (!row) return undefined;
    return conversationRecord(row);
  }
}

/** A `conversations` row as a record (also read by the privacy export). */
export function conversationRecord(row: Row): ConversationRecord {
  return {
    id: text(row, 'id'),
    tokenHash: text(row, 'token_hash'),
    channel: text(row, 'channel'),
    locale: oneOf(row, 'locale', LOCALES),
    createdAt: date(row, 'created_at'),
    ...(typeof row.external_id === 'string' ? { externalId: row.external_id } : {}),
  };
}

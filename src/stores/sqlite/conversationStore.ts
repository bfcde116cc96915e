import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { LOCALES } from '../../domain/locale.ts';
import { ConflictError } from '../../errors.ts';
import type { ConversationRecord, ConversationStore } from '../ports.ts';
import { date, oneOf, text } from './rows.ts';

/** Conversations of the conversation API, keyed by id; only the token's hash is kept. */
export class SqliteConversationStore implements ConversationStore {
  readonly #insert: StatementSync;
  readonly #select: StatementSync;

  constructor(options: { db: DatabaseSync }) {
    this.#insert = options.db.prepare(
      `INSERT INTO conversations (id, token_hash, channel, locale, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.#select = options.db.prepare('SELECT * FROM conversations WHERE id = ?');
  }

  /** Throws `ConflictError` `conversation_exists` rather than replacing another conversation. */
  async create(record: ConversationRecord): Promise<void> {
    const result = this.#insert.run(
      record.id,
      record.tokenHash,
      record.channel,
      record.locale,
      record.createdAt.getTime(),
    );
    if (result.changes === 0) {
      throw new ConflictError('conversation_exists', `Conversation ${record.id} already exists`);
    }
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    const row = this.#select.get(id);
    if (!row) return undefined;
    return {
      id: text(row, 'id'),
      tokenHash: text(row, 'token_hash'),
      channel: text(row, 'channel'),
      locale: oneOf(row, 'locale', LOCALES),
      createdAt: date(row, 'created_at'),
    };
  }
}

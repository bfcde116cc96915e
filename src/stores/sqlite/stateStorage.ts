import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { CodedError, ConflictError } from '../../errors.ts';
import type { StateStorage } from '../ports.ts';
import { json, text } from './rows.ts';
import { inTransaction } from './transaction.ts';

type Item = Record<string, unknown>;

/**
 * Conversation and dialog state with botbuilder's `Storage` eTag contract (see ports.ts).
 * State is stored as JSON: a `Date` inside state comes back as its ISO string and `undefined`
 * properties disappear, exactly as with botbuilder's own storages.
 */
export class SqliteStateStorage implements StateStorage {
  readonly #db: DatabaseSync;
  readonly #select: StatementSync;
  readonly #upsert: StatementSync;
  readonly #remove: StatementSync;

  constructor(options: { db: DatabaseSync }) {
    this.#db = options.db;
    this.#select = this.#db.prepare('SELECT etag, value FROM state WHERE key = ?');
    this.#upsert = this.#db.prepare(
      `INSERT INTO state (key, etag, value) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, value = excluded.value`,
    );
    this.#remove = this.#db.prepare('DELETE FROM state WHERE key = ?');
  }

  async read(keys: string[]): Promise<Record<string, Item>> {
    const items: Record<string, Item> = {};
    for (const key of new Set(keys)) {
      const row = this.#select.get(key);
      if (row) items[key] = { ...json<Item>(row, 'value'), eTag: text(row, 'etag') };
    }
    return items;
  }

  async write(changes: Record<string, unknown>): Promise<void> {
    // Serialise everything before touching the database, so a value JSON cannot represent
    // fails the call without a half-written batch.
    const rows = Object.entries(changes).map(([key, item]) => toRow(key, item));
    if (rows.length === 0) return;
    inTransaction(this.#db, () => {
      for (const row of rows) this.#checkETag(row.key, row.eTag);
      for (const row of rows) this.#upsert.run(row.key, randomUUID(), row.value);
    });
  }

  async delete(keys: string[]): Promise<void> {
    inTransaction(this.#db, () => {
      for (const key of new Set(keys)) this.#remove.run(key);
    });
  }

  // Same rule as botbuilder's MemoryStorage: no eTag, '*' or an item not stored yet always
  // write; otherwise the eTag must be the stored one.
  #checkETag(key: string, eTag: unknown): void {
    if (eTag === undefined || eTag === null || eTag === '' || eTag === '*') return;
    const stored = this.#select.get(key);
    if (stored && text(stored, 'etag') !== eTag) {
      throw new ConflictError('etag_conflict', `State "${key}" was changed by another writer`);
    }
  }
}

function toRow(key: string, item: unknown): { key: string; eTag: unknown; value: string } {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new CodedError('bug', 'invalid_state_item', `State "${key}" must be an object`, 500);
  }
  const { eTag, ...value } = item as Item;
  return { key, eTag, value: JSON.stringify(value) };
}

import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { CodedError, ConflictError } from '../../errors.ts';
import type { StateStorage } from '../ports.ts';
import { json, optionalText, text } from './rows.ts';
import { inTransaction } from './transaction.ts';

type Item = Record<string, unknown>;

/** A state item ready to store: its key, the eTag it came with and its JSON without the eTag. */
export interface StateRow {
  key: string;
  eTag: unknown;
  value: string;
}

/**
 * Conversation and dialog state with botbuilder's `Storage` eTag contract (see ports.ts).
 * State is stored as JSON: a `Date` inside state comes back as its ISO string and `undefined`
 * properties disappear, exactly as with botbuilder's own storages.
 *
 * The `…Sync` methods are the same operations for the turn store, which must run them inside
 * its own transaction (`inTransaction` needs synchronous work: a rejected promise inside it
 * would not roll anything back).
 */
export class SqliteStateStorage implements StateStorage {
  readonly #db: DatabaseSync;
  readonly #select: StatementSync;
  readonly #upsert: StatementSync;
  readonly #adopt: StatementSync;
  readonly #remove: StatementSync;

  constructor(options: { db: DatabaseSync }) {
    this.#db = options.db;
    this.#select = this.#db.prepare('SELECT etag, value FROM state WHERE key = ?');
    // A plain write keeps the item's conversation (and so its expiry) if a turn set one.
    this.#upsert = this.#db.prepare(
      `INSERT INTO state (key, etag, value, conversation_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, value = excluded.value,
         conversation_id = coalesce(excluded.conversation_id, conversation_id)`,
    );
    this.#adopt = this.#db.prepare('UPDATE state SET conversation_id = ? WHERE key = ?');
    this.#remove = this.#db.prepare('DELETE FROM state WHERE key = ?');
  }

  async read(keys: string[]): Promise<Record<string, Item>> {
    const items: Record<string, Item> = {};
    for (const key of new Set(keys)) {
      const item = this.readSync(key);
      if (item) items[key] = item;
    }
    return items;
  }

  async write(changes: Record<string, unknown>): Promise<void> {
    // Serialise everything before touching the database, so a value JSON cannot represent
    // fails the call without a half-written batch.
    const rows = Object.entries(changes).map(([key, item]) => toStateRow(key, item));
    if (rows.length === 0) return;
    inTransaction(this.#db, () => {
      for (const row of rows) this.#checkETag(row.key, row.eTag);
      for (const row of rows) this.#upsert.run(row.key, randomUUID(), row.value, null);
    });
  }

  async delete(keys: string[]): Promise<void> {
    inTransaction(this.#db, () => {
      for (const key of new Set(keys)) this.#remove.run(key);
    });
  }

  /** The stored item with its eTag, or undefined. */
  readSync(key: string): Item | undefined {
    const row = this.#select.get(key);
    return row ? { ...json<Item>(row, 'value'), eTag: text(row, 'etag') } : undefined;
  }

  /**
   * A turn's write, with the stricter rule of `TurnCommit`: the stored item must still be the
   * one the turn read (`expectedETag`, null: none stored), else `ConflictError` `etag_conflict`.
   * The item then belongs to `conversationId` and expires with it.
   */
  commitSync(key: string, value: string, expectedETag: string | null, conversationId: string): void {
    inTransaction(this.#db, () => {
      const stored = this.#select.get(key);
      const storedETag = stored ? optionalText(stored, 'etag') : undefined;
      if ((storedETag ?? null) !== expectedETag) {
        throw new ConflictError('etag_conflict', `State "${key}" was changed by another writer`);
      }
      this.#upsert.run(key, randomUUID(), value, conversationId);
    });
  }

  /** Marks a stored item as `conversationId`'s (a turn that read it but left it unchanged). */
  adoptSync(key: string, conversationId: string): void {
    this.#adopt.run(conversationId, key);
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

/** Checks and serialises a state item (without its eTag). */
export function toStateRow(key: string, item: unknown): StateRow {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new CodedError('bug', 'invalid_state_item', `State "${key}" must be an object`, 500);
  }
  const { eTag, ...value } = item as Item;
  return { key, eTag, value: JSON.stringify(value) };
}

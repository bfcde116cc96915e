import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../../domain/clock.ts';
import { assertDurationMs, assertKey } from '../limits.ts';
import type { SharedValueStore } from '../ports.ts';

/** Shared values in one table; an expired row reads as absent until the sweep deletes it. */
export class SqliteSharedValueStore implements SharedValueStore {
  readonly #clock: Clock;
  readonly #get: StatementSync;
  readonly #set: StatementSync;
  readonly #delete: StatementSync;

  constructor(options: { db: DatabaseSync; clock: Clock }) {
    this.#clock = options.clock;
    this.#get = options.db.prepare('SELECT value FROM shared_values WHERE key = ? AND expires_at > ?');
    this.#set = options.db.prepare(
      `INSERT INTO shared_values (key, value, expires_at) VALUES (:key, :value, :expires)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    );
    this.#delete = options.db.prepare('DELETE FROM shared_values WHERE key = ?');
  }

  async get(key: string): Promise<string | undefined> {
    assertKey('key', key);
    const row = this.#get.get(key, this.#clock.now().getTime()) as { value: string } | undefined;
    return row?.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    assertKey('key', key);
    assertDurationMs('ttlMs', ttlMs);
    this.#set.run({ key, value, expires: this.#clock.now().getTime() + ttlMs });
  }

  async delete(key: string): Promise<void> {
    assertKey('key', key);
    this.#delete.run(key);
  }
}

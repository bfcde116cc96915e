import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../../domain/clock.ts';
import type { IdempotencyStore } from '../ports.ts';
import { assertDurationMs, assertKey } from '../limits.ts';

/** Deduplicates deliveries: one row per claimed key until it expires (the sweep deletes old rows). */
export class SqliteIdempotencyStore implements IdempotencyStore {
  readonly #clock: Clock;
  readonly #claim: StatementSync;

  constructor(options: { db: DatabaseSync; clock: Clock }) {
    this.#clock = options.clock;
    // One statement, so the check and the claim are atomic: inserts a new key, or takes over
    // one whose claim has expired; changes nothing (0 changes) while the claim holds.
    this.#claim = options.db.prepare(
      `INSERT INTO idempotency_keys (key, expires_at) VALUES (:key, :now + :ttl)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE expires_at <= :now`,
    );
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    assertKey('key', key);
    assertDurationMs('ttlMs', ttlMs);
    return this.#claim.run({ key, now: this.#clock.now().getTime(), ttl: ttlMs }).changes === 1;
  }
}

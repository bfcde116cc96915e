import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../../domain/clock.ts';
import { CodedError } from '../../errors.ts';
import type { RateLimitStore } from '../ports.ts';
import { assertDurationMs, assertKey } from '../limits.ts';
import { integer } from './rows.ts';

/**
 * Fixed-window counters: a window opens at a key's first hit and lasts `windowMs`; the first hit
 * after it opens the next. Expired rows are deleted by the sweep.
 */
export class SqliteRateLimitStore implements RateLimitStore {
  readonly #clock: Clock;
  readonly #hit: StatementSync;

  constructor(options: { db: DatabaseSync; clock: Clock }) {
    this.#clock = options.clock;
    // One statement, so concurrent hits (several processes on one DATA_DIR) count exactly.
    // Every SET expression sees the row as it was before the update.
    this.#hit = options.db.prepare(
      `INSERT INTO rate_limits (key, count, resets_at) VALUES (:key, 1, :now + :window)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN resets_at <= :now THEN 1 ELSE count + 1 END,
         resets_at = CASE WHEN resets_at <= :now THEN :now + :window ELSE resets_at END
       RETURNING count, resets_at`,
    );
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetAt: Date }> {
    assertKey('key', key);
    assertDurationMs('windowMs', windowMs);
    const row = this.#hit.get({ key, now: this.#clock.now().getTime(), window: windowMs });
    if (!row) throw new CodedError('bug', 'rate_limit_no_row', 'The rate-limit upsert returned no row', 500);
    return { count: integer(row, 'count'), resetAt: new Date(integer(row, 'resets_at')) };
  }
}

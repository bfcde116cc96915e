import type { IdempotencyStore } from '../ports.ts';
import type { RedisKeys } from './keys.ts';
import { assertDurationMs, assertKey } from '../limits.ts';
import type { RedisLink } from './link.ts';

/** Deduplicates deliveries with `SET key 1 NX PX ttl`: exactly one claimant wins, on every instance. */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;

  constructor(options: { link: RedisLink; keys: RedisKeys }) {
    this.#link = options.link;
    this.#keys = options.keys;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    assertKey('key', key);
    assertDurationMs('ttlMs', ttlMs);
    const reply = await this.#link.command(['SET', this.#keys.idempotency(key), '1', 'NX', 'PX', String(ttlMs)]);
    return reply !== null;
  }
}

import { assertDurationMs, assertKey } from '../limits.ts';
import type { SharedValueStore } from '../ports.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisLink } from './link.ts';

/** Shared values as plain strings with Redis's own expiry (`SET … PX`). */
export class RedisSharedValueStore implements SharedValueStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;

  constructor(options: { link: RedisLink; keys: RedisKeys }) {
    this.#link = options.link;
    this.#keys = options.keys;
  }

  async get(key: string): Promise<string | undefined> {
    assertKey('key', key);
    const reply = await this.#link.command(['GET', this.#keys.sharedValue(key)]);
    return typeof reply === 'string' ? reply : undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    assertKey('key', key);
    assertDurationMs('ttlMs', ttlMs);
    await this.#link.command(['SET', this.#keys.sharedValue(key), value, 'PX', String(ttlMs)]);
  }

  async delete(key: string): Promise<void> {
    assertKey('key', key);
    await this.#link.command(['DEL', this.#keys.sharedValue(key)]);
  }
}

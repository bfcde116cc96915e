import type { Clock } from '../domain/clock.ts';

/**
 * A small in-memory cache of looked-up values for a fixed time, per instance. Concurrent
 * lookups of one key share a single load; failed loads are not cached (the next caller tries
 * again). Bounded: the oldest entry goes when it is full.
 */
export class TtlCache<V> {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #clock: Clock;
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  readonly #loading = new Map<string, Promise<V>>();

  constructor(options: { ttlMs: number; clock: Clock; maxEntries?: number }) {
    if (!(options?.ttlMs > 0)) throw new RangeError('TtlCache: options.ttlMs must be positive');
    if (!options.clock) throw new TypeError('TtlCache: options.clock is required');
    this.#ttlMs = options.ttlMs;
    this.#clock = options.clock;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.#clock.now().getTime();
    const hit = this.#entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const pending = this.#loading.get(key);
    if (pending) return pending;
    const loading = load().then(
      (value) => {
        this.#loading.delete(key);
        this.#entries.delete(key);
        if (this.#entries.size >= this.#maxEntries) {
          const oldest = this.#entries.keys().next().value;
          if (oldest !== undefined) this.#entries.delete(oldest);
        }
        this.#entries.set(key, { value, expiresAt: this.#clock.now().getTime() + this.#ttlMs });
        return value;
      },
      (error: unknown) => {
        this.#loading.delete(key);
        throw error;
      },
    );
    this.#loading.set(key, loading);
    return loading;
  }
}

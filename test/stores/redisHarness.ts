import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { FixedClock } from '../../src/domain/clock.ts';
import { openRedisStores, type RedisStores, type RedisStoresOptions } from '../../src/stores/redis/index.ts';
import { T0, type StoreHarness } from './contract/harness.ts';

/** The Redis the tests use: REDIS_URL, or the one on this machine and in CI. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000;

/** Test settings: quick polling, so turn hand-overs and take-overs happen fast. */
export const TEST_TIMING = { turnPollMs: 50 } as const;

/**
 * A plain connection for the tests themselves: inspecting keys and deleting every key a test
 * wrote (SCAN + UNLINK under its prefix), so nothing is left behind in the shared Redis.
 */
export class RedisAdmin {
  readonly #client = createClient({ url: REDIS_URL });
  readonly #prefixes = new Set<string>();

  async connect(): Promise<void> {
    this.#client.on('error', () => undefined);
    await this.#client.connect();
  }

  /** A new random key prefix, remembered so that `leftovers` can check it is clean at the end. */
  newPrefix(): string {
    const prefix = `refundbot-test:${randomUUID()}:`;
    this.#prefixes.add(prefix);
    return prefix;
  }

  async keys(prefix: string): Promise<string[]> {
    const found: string[] = [];
    for await (const batch of this.#client.scanIterator({ MATCH: `${escapeGlob(prefix)}*`, COUNT: 1000 })) found.push(...batch);
    return found.sort();
  }

  async deleteKeys(prefix: string): Promise<void> {
    const keys = await this.keys(prefix);
    for (let index = 0; index < keys.length; index += 500) await this.#client.unlink(keys.slice(index, index + 500));
  }

  /** Members of a sorted set (a conversation's turn queue). */
  async queueLength(key: string): Promise<number> {
    return this.#client.zCard(key);
  }

  /** Deletes these keys (to put the data in the state an older release left it in). */
  async del(keys: string[]): Promise<void> {
    await this.#client.del(keys);
  }

  /** Overwrites a key with a string (to sabotage a store in a test). */
  async set(key: string, value: string): Promise<void> {
    await this.#client.set(key, value);
  }

  async ttl(key: string): Promise<number> {
    return this.#client.pTTL(key);
  }

  /** Keys still present under any prefix handed out (should be none once every test cleaned up). */
  async leftovers(): Promise<string[]> {
    const found: string[] = [];
    for (const prefix of this.#prefixes) found.push(...(await this.keys(prefix)));
    return found;
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}

/** Waits until `condition` holds, checking every 5 ms, for at most `ms`. */
export async function until(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(5);
  }
}

/** Redis stores on a fresh key prefix (or a given one, for a second "instance"), its keys deleted by `cleanup()`. */
export async function makeRedisHarness(
  admin: RedisAdmin,
  options: Partial<RedisStoresOptions> = {},
): Promise<StoreHarness & { stores: RedisStores; prefix: string; open(more?: Partial<RedisStoresOptions>): Promise<RedisStores> }> {
  const prefix = options.keyPrefix ?? admin.newPrefix();
  const clock = new FixedClock(T0);
  const others: RedisStores[] = [];
  /** Another instance of the app on the same Redis and prefix. */
  const open = async (more: Partial<RedisStoresOptions> = {}): Promise<RedisStores> => {
    const opened = await openRedisStores({
      url: REDIS_URL,
      keyPrefix: prefix,
      clock,
      conversationTtlMs: THIRTY_DAYS_MS,
      queueApprovals: true,
      ...TEST_TIMING,
      ...options,
      ...more,
    });
    others.push(opened);
    return opened;
  };
  let stores = await open();
  return {
    prefix,
    clock,
    open,
    get stores() {
      return stores;
    },
    async reopen() {
      await stores.close();
      stores = await open();
      return stores;
    },
    another: () => open(),
    async cleanup() {
      for (const opened of others) await opened.close();
      await admin.deleteKeys(prefix);
    },
    // Redis keeps TTLs in real time: wait for real, and move the stores' clock alike.
    async elapse(ms: number) {
      await sleep(ms);
      clock.advance(ms);
    },
  };
}

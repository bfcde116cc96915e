import type { Clock } from '../../domain/clock.ts';
import type { RateLimitStore } from '../ports.ts';
import type { RedisKeys } from './keys.ts';
import { assertDurationMs, assertKey } from '../limits.ts';
import { defineLua, type RedisLink } from './link.ts';
import { arrayReply, integerReply } from './replies.ts';

/**
 * KEYS: the counter. ARGV: window ms. Counts one hit; the first hit of a window starts its
 * expiry (a counter left without one, e.g. by an older release, gets it too). Returns the count
 * and the ms left in the window.
 */
const HIT = defineLua(
  'rate limit hit',
  `
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}
`,
);

/** The rate-limit store's scripts, loaded at start-up. */
export const RATE_LIMIT_SCRIPTS = [HIT];

/**
 * Fixed-window counters shared by every instance: a window opens at a key's first hit and lasts
 * `windowMs`; the counter expires with it. Use a key per limit and window length.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #clock: Clock;

  constructor(options: { link: RedisLink; keys: RedisKeys; clock: Clock }) {
    this.#link = options.link;
    this.#keys = options.keys;
    this.#clock = options.clock;
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetAt: Date }> {
    assertKey('key', key);
    assertDurationMs('windowMs', windowMs);
    const [count, left] = arrayReply(await this.#link.script(HIT, [this.#keys.rateLimit(key)], [String(windowMs)]), HIT.name);
    return {
      count: integerReply(count, HIT.name),
      resetAt: new Date(this.#clock.now().getTime() + integerReply(left, HIT.name)),
    };
  }
}

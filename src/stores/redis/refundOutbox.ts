import { randomUUID } from 'node:crypto';
import type { RefundOutbox, RefundOutboxEntry } from '../ports.ts';
import { assertCount, assertDurationMs } from '../limits.ts';
import { corrupt } from './records.ts';
import type { RedisKeys } from './keys.ts';
import { defineLua, type RedisLink } from './link.ts';
import { arrayReply, integerReply, stringReply } from './replies.ts';

/**
 * The Lua that queues an approved case, spliced into the case scripts (caseStore.ts) so the
 * approval and its outbox entry are one atomic write. Arguments are Lua expressions: the outbox
 * sorted set, the entry hash, the case id and the approval time (ms). A case approved again is
 * due at once with its attempts restarted and any lease in flight voided.
 */
export function QUEUE_APPROVAL(outbox: string, entry: string, caseId: string, at: string): string {
  return `
  redis.call('ZADD', ${outbox}, ${at}, ${caseId})
  redis.call('HSET', ${entry}, 'attempts', 0, 'queuedAt', ${at})
  redis.call('HDEL', ${entry}, 'lease')`;
}

/**
 * KEYS: refund outbox. ARGV: now ms, lease end ms, limit, lease token, entry key prefix.
 * Returns id, attempt and queuedAt of each leased entry, flat.
 */
const LEASE_REFUNDS = defineLua(
  'lease refund outbox entries',
  `
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[3])) do
  local entry = ARGV[5] .. id
  redis.call('ZADD', KEYS[1], ARGV[2], id)
  local attempt = redis.call('HINCRBY', entry, 'attempts', 1)
  redis.call('HSET', entry, 'lease', ARGV[4])
  out[#out + 1] = id
  out[#out + 1] = tostring(attempt)
  out[#out + 1] = redis.call('HGET', entry, 'queuedAt') or ARGV[1]
end
return out
`,
);

/** KEYS: refund outbox, entry. ARGV: case id, lease token. Returns 1 when removed, 0 when the lease is not the entry's. */
const FINISH_REFUND = defineLua(
  'finish refund outbox entry',
  `
if redis.call('HGET', KEYS[2], 'lease') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
`,
);

/** KEYS: refund outbox, entry. ARGV: case id, lease token, due ms. Returns 1 when released, 0 when the lease is not the entry's. */
const RETRY_REFUND = defineLua(
  'retry refund outbox entry',
  `
if redis.call('HGET', KEYS[2], 'lease') ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('HDEL', KEYS[2], 'lease')
return 1
`,
);

/** KEYS: refund outbox. ARGV: entry key prefix. Returns id, due, attempts, queuedAt of every entry, flat. */
const LIST_REFUNDS = defineLua(
  'list refund outbox',
  `
local out = {}
local all = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for index = 1, #all, 2 do
  local fields = redis.call('HMGET', ARGV[1] .. all[index], 'attempts', 'queuedAt')
  out[#out + 1] = all[index]
  out[#out + 1] = all[index + 1]
  out[#out + 1] = fields[1] or '0'
  out[#out + 1] = fields[2] or all[index + 1]
end
return out
`,
);

/** The refund outbox's scripts, loaded at start-up. */
export const REFUND_OUTBOX_SCRIPTS = [LEASE_REFUNDS, FINISH_REFUND, RETRY_REFUND, LIST_REFUNDS];

/**
 * The refund outbox in Redis: a sorted set of case ids by due time (a leased entry's score is
 * when its lease lapses) and a hash per entry. Each operation is one script, so two instances
 * leasing at once never get the same entry.
 */
export class RedisRefundOutbox implements RefundOutbox {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;

  constructor(options: { link: RedisLink; keys: RedisKeys }) {
    this.#link = options.link;
    this.#keys = options.keys;
  }

  async lease(now: Date, leaseMs: number, limit: number): Promise<RefundOutboxEntry[]> {
    assertDurationMs('leaseMs', leaseMs);
    assertCount('limit', limit);
    const lease = randomUUID();
    const reply = arrayReply(
      await this.#link.script(
        LEASE_REFUNDS,
        [this.#keys.refundOutbox],
        [String(now.getTime()), String(now.getTime() + leaseMs), String(limit), lease, this.#keys.refundOutboxEntryPrefix],
      ),
      LEASE_REFUNDS.name,
    );
    const entries: RefundOutboxEntry[] = [];
    for (let index = 0; index < reply.length; index += 3) {
      const field = (at: number): string => stringReply(reply[index + at], LEASE_REFUNDS.name);
      entries.push({
        caseId: field(0),
        attempt: wholeNumber(field(1), 'Refund outbox attempts'),
        lease,
        queuedAt: new Date(wholeNumber(field(2), 'Refund outbox queuedAt')),
      });
    }
    return entries;
  }

  async done(caseId: string, lease: string): Promise<boolean> {
    const keys = [this.#keys.refundOutbox, this.#keys.refundOutboxEntry(caseId)];
    return integerReply(await this.#link.script(FINISH_REFUND, keys, [caseId, lease]), FINISH_REFUND.name) === 1;
  }

  async retry(caseId: string, lease: string, at: Date): Promise<boolean> {
    const keys = [this.#keys.refundOutbox, this.#keys.refundOutboxEntry(caseId)];
    return integerReply(await this.#link.script(RETRY_REFUND, keys, [caseId, lease, String(at.getTime())]), RETRY_REFUND.name) === 1;
  }

  async list(): Promise<{ caseId: string; dueAt: Date; attempts: number; queuedAt: Date }[]> {
    const reply = arrayReply(
      await this.#link.script(LIST_REFUNDS, [this.#keys.refundOutbox], [this.#keys.refundOutboxEntryPrefix]),
      LIST_REFUNDS.name,
    );
    const entries: { caseId: string; dueAt: Date; attempts: number; queuedAt: Date }[] = [];
    for (let index = 0; index < reply.length; index += 4) {
      const field = (at: number): string => stringReply(reply[index + at], LIST_REFUNDS.name);
      entries.push({
        caseId: field(0),
        dueAt: new Date(wholeNumber(field(1), 'Refund outbox due time')),
        attempts: wholeNumber(field(2), 'Refund outbox attempts'),
        queuedAt: new Date(wholeNumber(field(3), 'Refund outbox queuedAt')),
      });
    }
    return entries;
  }
}

// Numbers these scripts wrote themselves (scores and counters); anything else is a damaged key.
function wholeNumber(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw corrupt(what, 'value', 'an integer');
  return n;
}

import type { Clock } from '../../domain/clock.ts';
import type { DeskStore, DeskThread } from '../ports.ts';
import type { RedisKeys } from './keys.ts';
import { defineLua, type RedisLink } from './link.ts';
import { arrayReply, integerReply, stringReply } from './replies.ts';

/** KEYS: open hash, open order. ARGV: conversation id, handoff JSON, now ms (NX keeps the first time). */
const PUT_OPEN = defineLua(
  'desk put open',
  `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
return 1
`,
);

/** KEYS: open hash, open order. ARGV: conversation id. */
const CLOSE = defineLua(
  'desk close',
  `
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`,
);

/** KEYS: threads, thread index. ARGV: conversation id, thread JSON, thread key. */
const SET_THREAD = defineLua(
  'desk set thread',
  `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
return 1
`,
);

/**
 * Lua: drops one conversation's desk entries — its open entry and place in the order, its thread
 * and the thread's index entry — and answers how many of the two it had. Shared by the prune
 * below and the privacy erasure (privacyStore.ts).
 */
export const DROP_DESK_ENTRIES = `
local function drop_desk_entries(open, order, threads, thread_index, id)
  local dropped = redis.call('HDEL', open, id)
  redis.call('ZREM', order, id)
  local thread = redis.call('HGET', threads, id)
  if thread then
    local ok, parsed = pcall(cjson.decode, thread)
    if ok and type(parsed) == 'table' and parsed.channel and parsed.ts then
      redis.call('HDEL', thread_index, tostring(parsed.channel) .. ' ' .. tostring(parsed.ts))
    end
    redis.call('HDEL', threads, id)
    dropped = dropped + 1
  end
  return dropped
end
`;

/**
 * KEYS: open hash, open order, threads, thread index. ARGV: conversation record key prefix.
 * Drops the entries of conversations whose record has expired (or was erased); returns how many.
 */
const PRUNE = defineLua(
  'desk prune',
  `${DROP_DESK_ENTRIES}
local removed = 0
local ids = redis.call('ZRANGE', KEYS[2], 0, -1)
for _, id in ipairs(redis.call('HKEYS', KEYS[3])) do ids[#ids + 1] = id end
for _, id in ipairs(ids) do
  if redis.call('EXISTS', ARGV[1] .. id) == 0 then
    removed = removed + drop_desk_entries(KEYS[1], KEYS[2], KEYS[3], KEYS[4], id)
  end
end
return removed
`,
);

/** The desk store's scripts, loaded at start-up. */
export const DESK_SCRIPTS = [PUT_OPEN, CLOSE, SET_THREAD, PRUNE];

/**
 * The agent desk's index in Redis: a few small hashes, each change one script. Hash fields cannot
 * expire, so `prune` (run periodically by index.ts) drops the entries of expired conversations.
 */
export class RedisDeskStore implements DeskStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #clock: Clock;

  constructor(options: { link: RedisLink; keys: RedisKeys; clock: Clock }) {
    this.#link = options.link;
    this.#keys = options.keys;
    this.#clock = options.clock;
  }

  async putOpen(conversationId: string, entry: Record<string, unknown>): Promise<void> {
    const keys = this.#keys;
    // NX keeps the original hand-over time, so updates do not reorder the list.
    await this.#link.script(PUT_OPEN, [keys.deskOpen, keys.deskOpenOrder], [conversationId, JSON.stringify(entry), String(this.#clock.now().getTime())]);
  }

  /** Drops the entries of conversations that expired or were erased; returns how many. */
  async prune(): Promise<number> {
    const keys = this.#keys;
    return integerReply(
      await this.#link.script(PRUNE, [keys.deskOpen, keys.deskOpenOrder, keys.deskThreads, keys.deskThreadIndex], [keys.conversation('')]),
      PRUNE.name,
    );
  }

  async close(conversationId: string): Promise<void> {
    await this.#link.script(CLOSE, [this.#keys.deskOpen, this.#keys.deskOpenOrder], [conversationId]);
  }

  async listOpen(): Promise<{ conversationId: string; entry: Record<string, unknown> }[]> {
    const ids = arrayReply(await this.#link.command(['ZRANGE', this.#keys.deskOpenOrder, '0', '-1']), 'ZRANGE desk').map((id) => stringReply(id, 'ZRANGE desk'));
    if (ids.length === 0) return [];
    const entries = arrayReply(await this.#link.command(['HMGET', this.#keys.deskOpen, ...ids]), 'HMGET desk');
    return ids.flatMap((conversationId, index) => {
      const entry = entries[index];
      return entry === null || entry === undefined ? [] : [{ conversationId, entry: JSON.parse(stringReply(entry, 'HMGET desk')) as Record<string, unknown> }];
    });
  }

  async getOpen(conversationId: string): Promise<Record<string, unknown> | undefined> {
    const reply = await this.#link.command(['HGET', this.#keys.deskOpen, conversationId]);
    return reply === null ? undefined : (JSON.parse(stringReply(reply, 'HGET desk')) as Record<string, unknown>);
  }

  async setThread(conversationId: string, thread: DeskThread): Promise<void> {
    await this.#link.script(SET_THREAD, [this.#keys.deskThreads, this.#keys.deskThreadIndex], [conversationId, JSON.stringify(thread), threadKey(thread)]);
  }

  async thread(conversationId: string): Promise<DeskThread | undefined> {
    const reply = await this.#link.command(['HGET', this.#keys.deskThreads, conversationId]);
    return reply === null ? undefined : (JSON.parse(stringReply(reply, 'HGET desk thread')) as DeskThread);
  }

  async conversationOfThread(thread: DeskThread): Promise<string | undefined> {
    const reply = await this.#link.command(['HGET', this.#keys.deskThreadIndex, threadKey(thread)]);
    return reply === null ? undefined : stringReply(reply, 'HGET desk thread index');
  }
}

function threadKey(thread: DeskThread): string {
  return `${thread.channel} ${thread.ts}`;
}

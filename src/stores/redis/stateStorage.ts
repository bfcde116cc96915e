import { randomUUID } from 'node:crypto';
import { CodedError, ConflictError } from '../../errors.ts';
import type { StateStorage } from '../ports.ts';
import type { RedisKeys } from './keys.ts';
import { defineLua, type RedisLink } from './link.ts';
import { parseRecord } from './records.ts';
import { arrayReply, integerReply, optionalStringReply } from './replies.ts';

type Item = Record<string, unknown>;

// Each state item is a hash { etag, value (JSON without the eTag) }. HSET keeps a key's TTL, so
// an item a turn commit gave its conversation's TTL keeps it when written here.

/** KEYS: the items' keys. Returns etag and value (nil when missing) of each key, flat. */
const READ_STATE = defineLua(
  'read state',
  `
local out = {}
for i, key in ipairs(KEYS) do
  local item = redis.call('HMGET', key, 'etag', 'value')
  out[2 * i - 1] = item[1]
  out[2 * i] = item[2]
end
return out
`,
);

/**
 * KEYS: the items' keys; ARGV: per key, the eTag it must still have ('' for none), its new
 * eTag and its JSON value. Checks every key before writing any, so the batch is all or nothing.
 * Returns 0, or the 1-based index of the first key whose stored eTag differs.
 */
const WRITE_STATE = defineLua(
  'write state',
  `
for i, key in ipairs(KEYS) do
  local expected = ARGV[3 * i - 2]
  if expected ~= '' then
    local stored = redis.call('HGET', key, 'etag')
    if stored and stored ~= expected then return i end
  end
end
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 'etag', ARGV[3 * i - 1], 'value', ARGV[3 * i])
end
return 0
`,
);

/** The state storage's scripts, loaded at start-up. */
export const STATE_SCRIPTS = [READ_STATE, WRITE_STATE];

/**
 * Conversation and dialog state with botbuilder's `Storage` eTag contract (ports.ts), one Lua
 * script per call. Stored as JSON, like the embedded store: dates come back as ISO strings.
 */
export class RedisStateStorage implements StateStorage {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;

  constructor(options: { link: RedisLink; keys: RedisKeys }) {
    this.#link = options.link;
    this.#keys = options.keys;
  }

  async read(keys: string[]): Promise<Record<string, Item>> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return {};
    const reply = arrayReply(await this.#link.script(READ_STATE, unique.map((key) => this.#keys.state(key)), []), READ_STATE.name);
    const items: Record<string, Item> = {};
    unique.forEach((key, index) => {
      const eTag = optionalStringReply(reply[2 * index], READ_STATE.name);
      const value = optionalStringReply(reply[2 * index + 1], READ_STATE.name);
      if (eTag !== undefined && value !== undefined) items[key] = { ...parseRecord(value, `State "${key}"`), eTag };
    });
    return items;
  }

  async write(changes: Record<string, unknown>): Promise<void> {
    // Serialise everything first, so a value JSON cannot represent fails the call before any write.
    const rows = Object.entries(changes).map(([key, item]) => toRow(key, item));
    if (rows.length === 0) return;
    const args = rows.flatMap((row) => [unconditional(row.eTag) ? '' : String(row.eTag), randomUUID(), row.value]);
    const conflict = integerReply(
      await this.#link.script(WRITE_STATE, rows.map((row) => this.#keys.state(row.key)), args),
      WRITE_STATE.name,
    );
    if (conflict > 0) {
      throw new ConflictError('etag_conflict', `State "${rows[conflict - 1]?.key}" was changed by another writer`);
    }
  }

  async delete(keys: string[]): Promise<void> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return;
    await this.#link.command(['DEL', ...unique.map((key) => this.#keys.state(key))]);
  }
}

// Same rule as botbuilder's MemoryStorage: no eTag or '*' always writes (and so does an eTag
// for an item not stored yet, which the script lets through).
function unconditional(eTag: unknown): boolean {
  return eTag === undefined || eTag === null || eTag === '' || eTag === '*';
}

function toRow(key: string, item: unknown): { key: string; eTag: unknown; value: string } {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new CodedError('bug', 'invalid_state_item', `State "${key}" must be an object`, 500);
  }
  const { eTag, ...value } = item as Item;
  return { key, eTag, value: JSON.stringify(value) };
}

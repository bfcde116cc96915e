import { InputError } from '../../errors.ts';
import type { TranscriptEntry, TranscriptStore } from '../ports.ts';
import type { RedisKeys } from './keys.ts';
import { defineLua, type RedisLink } from './link.ts';
import { parseRecord } from './records.ts';
import { arrayReply, integerReply, stringReply } from './replies.ts';

/**
 * KEYS: transcript list, conversation record; ARGV: TTL ms, then the activities' JSON.
 * Appends in order and restarts both keys' TTL; returns the list's new length (the last seq).
 */
const APPEND_TRANSCRIPT = defineLua(
  'append transcript',
  `
local length = 0
for i = 2, #ARGV do
  length = redis.call('RPUSH', KEYS[1], ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return length
`,
);

/** The transcript store's scripts, loaded at start-up. */
export const TRANSCRIPT_SCRIPTS = [APPEND_TRANSCRIPT];

/**
 * Each conversation's history as a Redis list: an entry's seq is its position from 1, so seqs
 * are consecutive and an append (RPUSH) can never leave a gap or interleave with another. The
 * list expires with its conversation (`ttlMs` after the last append or turn commit).
 */
export class RedisTranscriptStore implements TranscriptStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #ttlMs: number;

  constructor(options: { link: RedisLink; keys: RedisKeys; ttlMs: number }) {
    this.#link = options.link;
    this.#keys = options.keys;
    this.#ttlMs = options.ttlMs;
  }

  async append(conversationId: string, activities: Record<string, unknown>[]): Promise<number[]> {
    const serialised = activities.map((activity) => JSON.stringify(activity));
    if (serialised.length === 0) return [];
    const last = integerReply(
      await this.#link.script(
        APPEND_TRANSCRIPT,
        [this.#keys.transcript(conversationId), this.#keys.conversation(conversationId)],
        [String(this.#ttlMs), ...serialised],
      ),
      APPEND_TRANSCRIPT.name,
    );
    return seqsEndingAt(last, serialised.length);
  }

  async list(conversationId: string, after: number): Promise<TranscriptEntry[]> {
    if (!Number.isSafeInteger(after) || after < 0) {
      throw new InputError('invalid_watermark', 'The watermark must be a whole number of 0 or more');
    }
    const reply = arrayReply(await this.#link.command(['LRANGE', this.#keys.transcript(conversationId), String(after), '-1']), 'LRANGE transcript');
    return reply.map((json, index) => ({
      seq: after + index + 1,
      activity: parseRecord(stringReply(json, 'LRANGE transcript'), `Transcript entry of ${conversationId}`),
    }));
  }
}

/** The seqs of the last `count` entries of a list now `last` long. */
function seqsEndingAt(last: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => last - count + index + 1);
}

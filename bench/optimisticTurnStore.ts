/**
 * Bench-only: the other strategy issue 3 asked us to weigh against the turn queue —
 * optimistic concurrency on the state item's eTag, with retry. NOT used by the product.
 *
 * Same key layout (RedisKeys), same state encoding and eTag rule (the snapshot is read with the
 * real RedisStateStorage; the commit refuses when the stored eTag is not the one read, a missing
 * item counting as "must not exist"), same commit effects as COMMIT_TURN (state, transcript
 * RPUSH, conversation TTL, 'transcript' notice on the channel), over the project's own RedisLink
 * so round trips are counted exactly as `RedisStores.roundTrips()` counts them.
 *
 * A turn: read the snapshot (1 round trip), run `work`, commit with one Lua script (1 round trip).
 * On an eTag conflict: back off a little (full jitter), read again and run `work` again, up to
 * `maxAttempts` times, then fail with `conversation_busy` like the queue does when it waits too long.
 *
 * What this cannot give that the lock (RedisTurnStore) gives:
 * - Arrival order. Whichever attempt commits first wins; a message that arrived earlier can be
 *   answered after a later one (the bench counts conversations whose transcript is out of order).
 * - Run-once `work`. A losing attempt's `work` has already run and is run again; any side effect
 *   inside it (opening a case, calling the order API, sending a refund, publishing to a channel)
 *   happens once per attempt. The product would have to defer every side effect until after the
 *   commit (an outbox) or make each idempotent, keyed by the turn — today the bot's dialogs do
 *   them inline, inside the turn.
 * - Bounded waste. Under contention most attempts are thrown away: with n turns racing on one
 *   conversation, about n²/2 runs of `work` for n commits (the lock runs it n times).
 * - Fairness. An unlucky turn can lose every race until its attempts run out (a 503) while
 *   later arrivals succeed; the queue never fails a turn that is within its wait limit.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CodedError, UpstreamError } from '../src/errors.ts';
import type { TurnCommit, TurnKey, TurnSnapshot, TurnStore } from '../src/stores/ports.ts';
import { CHANNEL_MESSAGES } from '../src/stores/redis/channelHub.ts';
import { connectRedis, redactUrl } from '../src/stores/redis/connection.ts';
import { RedisKeys } from '../src/stores/redis/keys.ts';
import { defineLua, RedisLink } from '../src/stores/redis/link.ts';
import { arrayReply, integerReply } from '../src/stores/redis/replies.ts';
import { prepareServer } from '../src/stores/redis/serverCheck.ts';
import { RedisStateStorage, STATE_SCRIPTS } from '../src/stores/redis/stateStorage.ts';
import { RedisTranscriptStore, TRANSCRIPT_SCRIPTS } from '../src/stores/redis/transcriptStore.ts';

/**
 * KEYS: 1 state item, 2 transcript, 3 conversation record. ARGV: 1 conversation TTL ms,
 * 2 channel, 3 the eTag read at the start ('' = the item did not exist), 4 '1' to write the
 * state, 5 its new eTag, 6 its JSON, 7… the transcript activities' JSON.
 *
 * The eTag is checked whether or not the turn writes the state: the turn's decisions were made
 * on what it read, so a transcript-only commit on a stale read must be refused too. {-2} on a
 * conflict (nothing written); otherwise writes, appends, restarts the TTLs, publishes, {1, last seq}.
 */
const OPTIMISTIC_COMMIT = defineLua(
  'optimistic commit',
  `
local stored = redis.call('HGET', KEYS[1], 'etag')
local expected = ARGV[3]
if (expected == '' and stored) or (expected ~= '' and stored ~= expected) then return {-2} end
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], 'etag', ARGV[5], 'value', ARGV[6])
end
local last = 0
for i = 7, #ARGV do
  last = redis.call('RPUSH', KEYS[2], ARGV[i])
end
for i = 1, 3 do
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
end
if last > 0 then redis.call('PUBLISH', ARGV[2], '${CHANNEL_MESSAGES.transcript}') end
return {1, last}
`,
);

/** Retry policy of the optimistic store. */
export interface OptimisticRetry {
  /** Attempts (read + work + commit) before failing with `conversation_busy`. */
  maxAttempts: number;
  /** Backoff before attempt k+1 is uniform in [0, min(capMs, baseMs · 2^(k-1))) ("full jitter"). */
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: OptimisticRetry = { maxAttempts: 200, baseMs: 1, capMs: 16 };

/** A TurnStore with optimistic retry on the eTag instead of a queue. */
export class OptimisticTurnStore implements TurnStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #state: RedisStateStorage;
  readonly #ttlMs: number;
  readonly #retry: OptimisticRetry;
  #retries = 0;
  #attempts = 0;

  constructor(options: { link: RedisLink; keys: RedisKeys; ttlMs: number; retry?: OptimisticRetry }) {
    this.#link = options.link;
    this.#keys = options.keys;
    this.#state = new RedisStateStorage({ link: options.link, keys: options.keys });
    this.#ttlMs = options.ttlMs;
    this.#retry = options.retry ?? DEFAULT_RETRY;
  }

  /** Attempts that lost the race on the eTag and were run again (or gave up). */
  retries(): number {
    return this.#retries;
  }

  /** Runs of `work` so far (successful turns + retries). */
  attempts(): number {
    return this.#attempts;
  }

  async run<T>(key: TurnKey, work: (snapshot: TurnSnapshot) => Promise<{ result: T; commit: TurnCommit }>): Promise<T> {
    if (!key || typeof key.conversationId !== 'string' || !key.conversationId || typeof key.stateKey !== 'string' || !key.stateKey) {
      throw new CodedError('bug', 'invalid_turn_key', 'A turn needs a conversationId and a stateKey', 500);
    }
    const keys = [this.#keys.state(key.stateKey), this.#keys.transcript(key.conversationId), this.#keys.conversation(key.conversationId)];
    const channel = this.#keys.channel(key.conversationId);
    for (let attempt = 1; ; attempt++) {
      // 1 round trip: the real store's READ_STATE script (HMGET etag, value).
      const items = await this.#state.read([key.stateKey]);
      const state = items[key.stateKey];
      const readETag = typeof state?.eTag === 'string' ? state.eTag : '';
      this.#attempts++;
      // If work throws, nothing has been written: the error goes to the caller, no retry.
      const outcome = await work({ state });
      const args = commitArgs(key, outcome.commit);
      // 1 round trip: check the eTag read, write state + transcript atomically.
      const reply = arrayReply(
        await this.#link.script(OPTIMISTIC_COMMIT, keys, [String(this.#ttlMs), channel, readETag, ...args]),
        OPTIMISTIC_COMMIT.name,
      );
      if (integerReply(reply[0], OPTIMISTIC_COMMIT.name) === 1) return outcome.result;
      this.#retries++;
      if (attempt >= this.#retry.maxAttempts) {
        throw new UpstreamError(
          'conversation_busy',
          `Conversation ${key.conversationId} lost the eTag race ${attempt} times in a row; giving up`,
        );
      }
      await sleep(Math.random() * Math.min(this.#retry.capMs, this.#retry.baseMs * 2 ** (attempt - 1)));
    }
  }
}

/** ARGV 4… of OPTIMISTIC_COMMIT, serialised before anything is sent (same checks as the real store). */
function commitArgs(key: TurnKey, commit: TurnCommit): string[] {
  if (!commit || !Array.isArray(commit.transcript)) {
    throw new CodedError('bug', 'invalid_turn_commit', `The turn of ${key.conversationId} returned no commit with a transcript list`, 500);
  }
  const transcript = commit.transcript.map((activity) => JSON.stringify(activity));
  if (!commit.state) return ['0', '', '', ...transcript];
  const { item } = commit.state;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new CodedError('bug', 'invalid_state_item', `State "${key.stateKey}" must be an object`, 500);
  }
  // The eTag checked is the one this store read, not commit.state.expectedETag: with optimistic
  // concurrency the read is what the turn's decisions rest on (the two are equal for a
  // well-behaved turn).
  const { eTag: _stored, ...value } = item;
  return ['1', randomUUID(), JSON.stringify(value), ...transcript];
}

/** The optimistic store on its own connections, with the stores the bench needs to check its work. */
export interface OptimisticStores {
  turns: OptimisticTurnStore;
  state: RedisStateStorage;
  transcripts: RedisTranscriptStore;
  /** Network round trips made so far (RedisLink's count, as `RedisStores.roundTrips()`). */
  roundTrips(): number;
  close(): Promise<void>;
}

/** Connects like `openRedisStores` (connectRedis + RedisLink + prepareServer) and loads the scripts. */
export async function openOptimisticStores(options: {
  url: string;
  keyPrefix: string;
  conversationTtlMs: number;
  retry?: OptimisticRetry;
}): Promise<OptimisticStores> {
  const connections = await connectRedis({ url: options.url, connectTimeoutMs: 5_000 });
  const link = new RedisLink({ ...connections, commandTimeoutMs: 5_000 });
  try {
    await prepareServer(link, [...STATE_SCRIPTS, ...TRANSCRIPT_SCRIPTS, OPTIMISTIC_COMMIT], redactUrl(options.url));
  } catch (error) {
    await link.close();
    throw error;
  }
  const keys = new RedisKeys(options.keyPrefix);
  return {
    turns: new OptimisticTurnStore({ link, keys, ttlMs: options.conversationTtlMs, retry: options.retry }),
    state: new RedisStateStorage({ link, keys }),
    transcripts: new RedisTranscriptStore({ link, keys, ttlMs: options.conversationTtlMs }),
    roundTrips: () => link.roundTrips(),
    close: () => link.close(),
  };
}

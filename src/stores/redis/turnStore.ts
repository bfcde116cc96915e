import { randomUUID } from 'node:crypto';
import { CodedError, ConflictError, UpstreamError } from '../../errors.ts';
import type { TurnCommit, TurnKey, TurnSnapshot, TurnStore } from '../ports.ts';
import { parseChannelMessage, type ChannelHub } from './channelHub.ts';
import type { StoreLogger } from './connection.ts';
import { storeUnavailable } from './errors.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisLink } from './link.ts';
import { parseRecord } from './records.ts';
import { arrayReply, integerReply, optionalStringReply } from './replies.ts';
import { summaryMember } from './keys.ts';
import { SUMMARY_ARGC, summaryArgs } from './summaryStore.ts';
import { customerLinks } from '../customerLinks.ts';
import { COMMIT_TURN, ENTER_TURN, POLL_TURN, RELEASE_TURN } from './turnScripts.ts';
import { Wake } from './wake.ts';

/** Timing of the Redis turn queue. */
export interface TurnTiming {
  /** Longest a turn may hold its conversation; a holder that died is taken over after it. */
  leaseMs: number;
  /** Longest a turn waits for the turns ahead of it before failing with `conversation_busy`. */
  waitMs: number;
  /** A waiter checks at least this often (pub/sub normally wakes it sooner). */
  pollMs: number;
}

// A waiter that has not polled for this many poll intervals is taken for dead and skipped (its
// instance died before its turn came). Several intervals, so a busy event loop is not fatal.
const GRACE_POLLS = 4;

type Entry = { kind: 'taken'; snapshot: TurnSnapshot } | { kind: 'waiting'; headExpiresInMs: number } | { kind: 'gone' };

interface QueueKeys {
  queue: string;
  deadlines: string;
  state: string;
  transcript: string;
  conversation: string;
  channel: string;
  /** The conversation's customer links and proof-file uploads, whose TTLs the commit restarts. */
  customers: string;
  evidence: string;
}

/**
 * Runs each conversation's turns one at a time across every instance, first come first served
 * (the queue and its Lua scripts are described in turnScripts.ts). Without contention a turn costs
 * two round trips: ENTER takes the turn and reads the state snapshot, COMMIT checks the turn is
 * still ours, checks the eTag, writes state and transcript, refreshes the conversation's TTL,
 * merges the conversation's summary, ends the turn and publishes. A turn whose work throws costs ENTER and RELEASE.
 *
 * A turn that has to wait subscribes to its conversation's channel (on the shared subscriber
 * connection) and polls when woken by a hand-over, when the holder's lease runs out, and at least
 * every `pollMs` (which also proves it is still alive), until it is the live head of the queue.
 */
export class RedisTurnStore implements TurnStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #hub: ChannelHub;
  readonly #ttlMs: number;
  readonly #summaryRetentionMs: number;
  readonly #timing: TurnTiming;
  readonly #logger: StoreLogger | undefined;
  readonly #waiting = new Set<Wake>();
  #closed = false;

  constructor(options: { link: RedisLink; keys: RedisKeys; hub: ChannelHub; ttlMs: number; summaryRetentionMs: number; timing: TurnTiming; logger?: StoreLogger }) {
    this.#link = options.link;
    this.#keys = options.keys;
    this.#hub = options.hub;
    this.#ttlMs = options.ttlMs;
    this.#summaryRetentionMs = options.summaryRetentionMs;
    this.#timing = options.timing;
    this.#logger = options.logger;
  }

  async run<T>(key: TurnKey, work: (snapshot: TurnSnapshot) => Promise<{ result: T; commit: TurnCommit }>): Promise<T> {
    assertTurnKey(key);
    const started = performance.now();
    const token = randomUUID();
    const keys = this.#queueKeys(key);

    const entry = await this.#enter(keys, token);
    const snapshot = entry.kind === 'taken' ? entry.snapshot : await this.#waitForTurn(key, keys, token, started);

    let args: string[];
    let summaryKeys: string[];
    let outcome: { result: T; commit: TurnCommit };
    try {
      outcome = await work(snapshot);
      args = commitArgs(key, outcome, this.#summaryRetentionMs, this.#keys);
      const summary = outcome.commit.summary;
      // Without a summary the script touches neither key; any declared key will do.
      summaryKeys = summary
        ? [this.#keys.conversationSummary(summaryMember(summary.startedAt, key.conversationId)), this.#keys.conversationSummaries]
        : [this.#keys.conversationSummaries, this.#keys.conversationSummaries];
    } catch (error) {
      await this.#release(keys, token);
      throw error;
    }

    let reply: unknown[];
    try {
      reply = arrayReply(
        await this.#link.script(COMMIT_TURN, [keys.queue, keys.deadlines, keys.state, keys.transcript, keys.conversation, ...summaryKeys, keys.customers, keys.evidence], [
          token,
          String(this.#ttlMs),
          keys.channel,
          ...args,
        ]),
        COMMIT_TURN.name,
      );
    } catch (error) {
      // The commit may or may not have happened; if it did not, free the conversation now
      // rather than after the lease (if it did, our token is gone and this changes nothing).
      void this.#release(keys, token);
      throw error;
    }
    const status = integerReply(reply[0], COMMIT_TURN.name);
    if (status === -1) {
      throw new UpstreamError(
        'turn_lease_expired',
        `The turn of conversation ${key.conversationId} ran longer than its ${this.#timing.leaseMs} ms lease and was taken over; nothing was written`,
      );
    }
    if (status === -2) throw new ConflictError('etag_conflict', `State "${key.stateKey}" was changed by another writer`);
    return outcome.result;
  }

  /** Wakes every waiting turn so it notices the store closed (it then fails with `store_unavailable`). */
  close(): void {
    this.#closed = true;
    for (const wake of this.#waiting) wake.notify();
  }

  async #waitForTurn(key: TurnKey, keys: QueueKeys, token: string, started: number): Promise<TurnSnapshot> {
    const wake = new Wake();
    this.#waiting.add(wake);
    const subscription = this.#hub.listen(keys.channel, (message) => {
      // A hand-over names the turn now first in line; the others need not poll.
      const { next } = parseChannelMessage(message);
      if (next === undefined || next === token) wake.notify();
    });
    try {
      // Poll once the subscription is active: a hand-over between ENTER and the subscription
      // would otherwise only be noticed by the next timed poll. While Redis is down the
      // subscription waits for the reconnection, so bound that wait.
      // A plain timer, not `wake.wait`: a wait left pending when `ready` wins would swallow the
      // next notice, and a hand-over arriving during the first poll would then be slept through.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        subscription.ready.catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.#timing.pollMs);
        }),
      ]);
      clearTimeout(timer);
      for (;;) {
        if (this.#closed) throw storeUnavailable('the store was closed while the turn waited');
        let entry = await this.#poll(keys, token);
        // Our entry was dropped (we did not poll within the grace period): queue again.
        if (entry.kind === 'gone') entry = await this.#enter(keys, token);
        if (entry.kind === 'taken') return entry.snapshot;
        const left = this.#timing.waitMs - (performance.now() - started);
        if (left <= 0) {
          throw new UpstreamError(
            'conversation_busy',
            `Conversation ${key.conversationId} stayed busy with earlier turns for more than ${this.#timing.waitMs} ms`,
          );
        }
        // Wake when the holder's lease runs out, in case it died and nobody will publish.
        const headExpiresInMs = entry.kind === 'waiting' ? entry.headExpiresInMs : 0;
        await wake.wait(Math.max(1, Math.min(this.#timing.pollMs, headExpiresInMs + 1, left)));
      }
    } catch (error) {
      // Leave the queue rather than make the turns behind wait out our grace period. Not when
      // the store closed: then this is a process going away, and the grace period is for that.
      if (!this.#closed) await this.#release(keys, token);
      throw error;
    } finally {
      subscription.stop();
      this.#waiting.delete(wake);
    }
  }

  async #enter(keys: QueueKeys, token: string): Promise<Entry> {
    return this.#entry(ENTER_TURN.name, await this.#link.script(ENTER_TURN, [keys.queue, keys.deadlines, keys.state], this.#queueArgs(token)), keys);
  }

  async #poll(keys: QueueKeys, token: string): Promise<Entry> {
    return this.#entry(POLL_TURN.name, await this.#link.script(POLL_TURN, [keys.queue, keys.deadlines, keys.state], this.#queueArgs(token)), keys);
  }

  /** Best effort: if Redis cannot be told, the turn's deadline frees the conversation anyway. */
  async #release(keys: QueueKeys, token: string): Promise<void> {
    try {
      await this.#link.script(RELEASE_TURN, [keys.queue, keys.deadlines], [token, keys.channel]);
    } catch (error) {
      this.#logger?.warn({ err: error, channel: keys.channel }, 'could not release a turn; its deadline will');
    }
  }

  #queueArgs(token: string): string[] {
    const { leaseMs, pollMs } = this.#timing;
    const graceMs = GRACE_POLLS * pollMs;
    // Long enough never to cut a live lease or waiter short; refreshed by every ENTER and POLL.
    const keepMs = 2 * Math.max(leaseMs, graceMs);
    return [token, String(leaseMs), String(graceMs), String(keepMs)];
  }

  #entry(what: string, raw: unknown, keys: QueueKeys): Entry {
    const reply = arrayReply(raw, what);
    const status = integerReply(reply[0], what);
    if (status === -1) return { kind: 'gone' };
    if (status === 0) return { kind: 'waiting', headExpiresInMs: integerReply(reply[1], what) };
    const eTag = optionalStringReply(reply[1], what);
    const value = optionalStringReply(reply[2], what);
    const state = eTag !== undefined && value !== undefined ? { ...parseRecord(value, `State "${keys.state}"`), eTag } : undefined;
    return { kind: 'taken', snapshot: { state } };
  }

  #queueKeys(key: TurnKey): QueueKeys {
    const keys = this.#keys;
    return {
      queue: keys.turnQueue(key.conversationId),
      deadlines: keys.turnDeadlines(key.conversationId),
      state: keys.state(key.stateKey),
      transcript: keys.transcript(key.conversationId),
      conversation: keys.conversation(key.conversationId),
      channel: keys.channel(key.conversationId),
      customers: keys.conversationCustomers(key.conversationId),
      evidence: keys.conversationEvidence(key.conversationId),
    };
  }
}

function assertTurnKey(key: TurnKey): void {
  if (!key || typeof key.conversationId !== 'string' || !key.conversationId || typeof key.stateKey !== 'string' || !key.stateKey) {
    throw new CodedError('bug', 'invalid_turn_key', 'A turn needs a conversationId and a stateKey', 500);
  }
}

/** COMMIT_TURN's ARGV from the 4th on; serialised before anything is sent, so a bad value writes nothing. */
function commitArgs(key: TurnKey, outcome: { commit: TurnCommit }, summaryRetentionMs: number, keys: RedisKeys): string[] {
  const commit = outcome?.commit;
  if (!commit || !Array.isArray(commit.transcript)) {
    throw new CodedError('bug', 'invalid_turn_commit', `The turn of ${key.conversationId} returned no commit with a transcript list`, 500);
  }
  const summary = commit.summary === undefined ? ['0', ...Array<string>(SUMMARY_ARGC).fill('')] : ['1', ...summaryArgs(key.conversationId, commit.summary, summaryRetentionMs)];
  const customers = customerLinks(key.conversationId, commit.customers);
  const links = [keys.customerConversationsPrefix, keys.evidencePrefix, key.conversationId, String(customers.length), ...customers];
  const transcript = [...summary, ...links, ...commit.transcript.map((activity) => JSON.stringify(activity))];
  if (!commit.state) return ['0', '', '', '', ...transcript];
  const { item, expectedETag } = commit.state;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new CodedError('bug', 'invalid_state_item', `State "${key.stateKey}" must be an object`, 500);
  }
  if (expectedETag !== null && typeof expectedETag !== 'string') {
    throw new CodedError('bug', 'invalid_turn_commit', `The expected eTag of "${key.stateKey}" must be a string or null`, 500);
  }
  const { eTag: _stored, ...value } = item;
  return ['1', expectedETag ?? '', randomUUID(), JSON.stringify(value), ...transcript];
}

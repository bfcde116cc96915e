import type { DatabaseSync } from 'node:sqlite';
import { InProcessTurnSerializer } from '../../concurrency/keyedQueue.ts';
import { CodedError, UpstreamError } from '../../errors.ts';
import type { ConversationEvents, TurnCommit, TurnKey, TurnSnapshot, TurnStore } from '../ports.ts';
import type { ConversationExpiry } from './expiry.ts';
import type { SqliteStateStorage } from './stateStorage.ts';
import { customerLinks } from '../customerLinks.ts';
import type { SqlitePrivacyStore } from './privacyStore.ts';
import { assertTurnSummary } from '../../domain/conversationSummary.ts';
import type { SqliteSummaryStore } from './summaryStore.ts';
import type { SqliteTranscriptStore } from './transcriptStore.ts';
import { inTransaction } from './transaction.ts';

/**
 * Runs each conversation's turns one at a time in this process, in call order (a promise chain
 * per conversation, dropped when idle): the state snapshot is read when a turn starts, and its
 * commit (eTag-checked state, transcript, conversation activity, the conversation's summary, its
 * customer links) is one sqlite transaction.
 * The embedded store serves one process, so no lease is needed: a turn's "instance" cannot die
 * without the queue dying with it.
 */
export class SqliteTurnStore implements TurnStore {
  readonly #db: DatabaseSync;
  readonly #state: SqliteStateStorage;
  readonly #transcripts: SqliteTranscriptStore;
  readonly #expiry: ConversationExpiry;
  readonly #summaries: SqliteSummaryStore;
  readonly #events: ConversationEvents;
  readonly #privacy: SqlitePrivacyStore;
  readonly #waitMs: number;
  readonly #queue = new InProcessTurnSerializer();

  constructor(options: {
    db: DatabaseSync;
    state: SqliteStateStorage;
    transcripts: SqliteTranscriptStore;
    expiry: ConversationExpiry;
    summaries: SqliteSummaryStore;
    events: ConversationEvents;
    privacy: SqlitePrivacyStore;
    waitMs: number;
  }) {
    this.#db = options.db;
    this.#state = options.state;
    this.#transcripts = options.transcripts;
    this.#expiry = options.expiry;
    this.#summaries = options.summaries;
    this.#events = options.events;
    this.#privacy = options.privacy;
    this.#waitMs = options.waitMs;
  }

  async run<T>(key: TurnKey, work: (snapshot: TurnSnapshot) => Promise<{ result: T; commit: TurnCommit }>): Promise<T> {
    assertTurnKey(key);
    return new Promise<T>((resolve, reject) => {
      let phase: 'waiting' | 'running' | 'abandoned' = 'waiting';
      // A turn still queued after `waitMs` gives up; its place in the chain then does nothing.
      const timer = setTimeout(() => {
        if (phase !== 'waiting') return;
        phase = 'abandoned';
        reject(
          new UpstreamError(
            'conversation_busy',
            `Conversation ${key.conversationId} stayed busy with earlier turns for more than ${this.#waitMs} ms`,
          ),
        );
      }, this.#waitMs);
      this.#queue
        .run(key.conversationId, async () => {
          if (phase === 'abandoned') return undefined;
          phase = 'running';
          clearTimeout(timer);
          return this.#turn(key, work);
        })
        .then(
          (result) => {
            if (phase === 'running') resolve(result as T);
          },
          (error: unknown) => {
            if (phase === 'running') reject(error);
          },
        );
    });
  }

  async #turn<T>(key: TurnKey, work: (snapshot: TurnSnapshot) => Promise<{ result: T; commit: TurnCommit }>): Promise<T> {
    const outcome = await work({ state: this.#state.readSync(key.stateKey) });
    const { state, transcript } = serialise(key, outcome?.commit);
    const summary = outcome.commit.summary;
    if (summary !== undefined) assertTurnSummary(key.conversationId, summary);
    const customers = customerLinks(key.conversationId, outcome.commit.customers);
    const appended = inTransaction(this.#db, () => {
      if (state) this.#state.commitSync(key.stateKey, state.value, state.expectedETag, key.conversationId);
      else this.#state.adoptSync(key.stateKey, key.conversationId);
      const seqs = this.#transcripts.appendSync(key.conversationId, transcript);
      this.#expiry.touchSync(key.conversationId);
      if (summary !== undefined) this.#summaries.mergeSync(key.conversationId, summary);
      for (const customerId of customers) this.#privacy.linkSync(customerId, key.conversationId);
      return seqs.length;
    });
    if (appended > 0) await this.#events.publish(key.conversationId);
    return outcome.result;
  }
}

function assertTurnKey(key: TurnKey): void {
  if (!key || typeof key.conversationId !== 'string' || !key.conversationId || typeof key.stateKey !== 'string' || !key.stateKey) {
    throw new CodedError('bug', 'invalid_turn_key', 'A turn needs a conversationId and a stateKey', 500);
  }
}

/** Checks and serialises a commit before the transaction, so a bad value writes nothing. */
function serialise(
  key: TurnKey,
  commit: TurnCommit,
): { state: { value: string; expectedETag: string | null } | undefined; transcript: string[] } {
  if (!commit || !Array.isArray(commit.transcript)) {
    throw new CodedError('bug', 'invalid_turn_commit', `The turn of ${key.conversationId} returned no commit with a transcript list`, 500);
  }
  const transcript = commit.transcript.map((activity) => JSON.stringify(activity));
  if (!commit.state) return { state: undefined, transcript };
  const { item, expectedETag } = commit.state;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new CodedError('bug', 'invalid_state_item', `State "${key.stateKey}" must be an object`, 500);
  }
  if (expectedETag !== null && typeof expectedETag !== 'string') {
    throw new CodedError('bug', 'invalid_turn_commit', `The expected eTag of "${key.stateKey}" must be a string or null`, 500);
  }
  const { eTag: _stored, ...value } = item;
  return { state: { value: JSON.stringify(value), expectedETag }, transcript };
}

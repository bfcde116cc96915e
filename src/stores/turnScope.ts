import { AsyncLocalStorage } from 'node:async_hooks';
import type { TurnSummary } from '../domain/conversationSummary.ts';
import type { StateStorage, TranscriptStore, TranscriptEntry, TurnCommit, TurnKey, TurnSnapshot, TurnStore } from './ports.ts';

type Item = Record<string, unknown>;

/** The state item's field holding the keys of the last client messages run (see `noteClientMessage`). */
const CLIENT_KEYS = 'refundbotClientKeys';
/** How many client message keys a conversation remembers: a client retries one of its latest messages. */
const KEPT_CLIENT_KEYS = 16;

/**
 * One running turn of a conversation: reads of its state come from the snapshot taken when the
 * turn started, and its state change and transcript entries wait to be committed together when
 * it ends. botbuilder's ConversationState reaches it through `ScopedStateStorage`.
 */
class TurnScope {
  readonly key: TurnKey;
  readonly transcript: Item[] = [];
  readonly #expectedETag: string | null;
  #state: Item | undefined;
  #changed = false;

  constructor(key: TurnKey, snapshot: TurnSnapshot) {
    this.key = key;
    this.#state = snapshot.state;
    // botbuilder always writes with eTag '*'; the turn's own check uses the eTag it read.
    this.#expectedETag = typeof snapshot.state?.eTag === 'string' ? snapshot.state.eTag : null;
  }

  readState(): Item | undefined {
    return this.#state === undefined ? undefined : structuredClone(this.#state);
  }

  writeState(item: Item): void {
    this.#state = structuredClone(item);
    this.#changed = true;
  }

  /** Notes a client's message key in the state item; answers whether the conversation already ran it. */
  noteClientKey(key: string): boolean {
    const state = this.#state ?? {};
    const kept = Array.isArray(state[CLIENT_KEYS]) ? state[CLIENT_KEYS].filter((seen): seen is string => typeof seen === 'string') : [];
    if (kept.includes(key)) return true;
    this.#state = { ...state, [CLIENT_KEYS]: [...kept, key].slice(-KEPT_CLIENT_KEYS) };
    this.#changed = true;
    return false;
  }

  commit(): TurnCommit {
    if (!this.#changed || this.#state === undefined) return { transcript: this.transcript };
    const { eTag: _ignored, ...item } = this.#state;
    return { state: { item, expectedETag: this.#expectedETag }, transcript: this.transcript };
  }
}

const scopes = new AsyncLocalStorage<TurnScope>();

/**
 * Runs `work` as the conversation's next turn on the turn store: one snapshot read before, one
 * atomic commit after (state, transcript and, when `summarize` gives one, the conversation's
 * summary, from the turn's result and the activities it adds to the transcript; and the
 * customers `customersOf` names, for the privacy index), nothing written if it throws.
 */
export function runTurn<T>(
  turns: TurnStore,
  key: TurnKey,
  work: () => Promise<T>,
  summarize?: (result: T, transcript: readonly Item[]) => TurnSummary | undefined,
  customersOf?: (result: T) => string[] | undefined,
): Promise<T> {
  return turns.run(key, async (snapshot) => {
    const scope = new TurnScope(key, snapshot);
    const result = await scopes.run(scope, work);
    const commit: TurnCommit = scope.commit();
    const summary = summarize?.(result, scope.transcript);
    if (summary) commit.summary = summary;
    const customers = customersOf?.(result);
    if (customers && customers.length > 0) commit.customers = customers;
    return { result, commit };
  });
}

/**
 * Inside the conversation's turn: notes the client's key for the message being run (the API's
 * `Idempotency-Key`) in the conversation's state, committed with the turn, and answers whether
 * a turn with that key already committed — read from the snapshot the turn took anyway, so a
 * keyed message costs no extra read; only an actual retry reads the history for its replies.
 */
export function noteClientMessage(conversationId: string, key: string): boolean {
  const scope = scopeForConversation(conversationId);
  if (!scope) throw new Error('noteClientMessage runs inside the conversation\'s turn');
  return scope.noteClientKey(key);
}

function scopeForState(keys: string[]): TurnScope | undefined {
  const scope = scopes.getStore();
  return scope && keys.length > 0 && keys.every((key) => key === scope.key.stateKey) ? scope : undefined;
}

function scopeForConversation(conversationId: string): TurnScope | undefined {
  const scope = scopes.getStore();
  return scope?.key.conversationId === conversationId ? scope : undefined;
}

/**
 * The state storage botbuilder is given: inside a turn, the turn's own state item is read from
 * the snapshot and written at commit; anything else goes straight to the backend.
 */
export class ScopedStateStorage implements StateStorage {
  readonly #backend: StateStorage;

  constructor(options: { backend: StateStorage }) {
    if (!options.backend) throw new Error('ScopedStateStorage needs a backend');
    this.#backend = options.backend;
  }

  async read(keys: string[]): Promise<Record<string, Item>> {
    const scope = scopeForState(keys);
    if (!scope) return this.#backend.read(keys);
    const item = scope.readState();
    return item === undefined ? {} : { [scope.key.stateKey]: item };
  }

  async write(changes: Record<string, Item>): Promise<void> {
    const keys = Object.keys(changes);
    const scope = scopeForState(keys);
    if (!scope) return this.#backend.write(changes);
    scope.writeState(changes[scope.key.stateKey] as Item);
  }

  async delete(keys: string[]): Promise<void> {
    if (scopeForState(keys)) throw new Error('a turn cannot delete its own conversation state');
    return this.#backend.delete(keys);
  }
}

/** The transcript as the bot sees it: inside a turn, its entries are committed with the turn. */
export class ScopedTranscriptStore implements TranscriptStore {
  readonly #backend: TranscriptStore;

  constructor(options: { backend: TranscriptStore }) {
    if (!options.backend) throw new Error('ScopedTranscriptStore needs a backend');
    this.#backend = options.backend;
  }

  /** Inside the conversation's turn the seqs are assigned at commit, so this answers `[]`. */
  async append(conversationId: string, activities: Item[]): Promise<number[]> {
    const scope = scopeForConversation(conversationId);
    if (!scope) return this.#backend.append(conversationId, activities);
    scope.transcript.push(...activities);
    return [];
  }

  list(conversationId: string, after: number): Promise<TranscriptEntry[]> {
    return this.#backend.list(conversationId, after);
  }
}

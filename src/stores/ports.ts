import type { AuditEvent, AuditEventType, CaseDecision, CaseStatus, Escalation, EvidenceRef, RefundCase } from '../domain/case.ts';
import type { ConversationSummary, TurnSummary } from '../domain/conversationSummary.ts';
import type { Locale } from '../domain/locale.ts';

/**
 * Dialog/conversation state storage with the botbuilder `Storage` contract (structurally
 * identical, so botbuilder accepts it without this file importing the SDK):
 * - `read` returns only the keys that exist;
 * - `write` stores each item and gives it a new string `eTag`; when the written item carries an
 *   `eTag` other than `'*'` and it differs from the stored one, the whole write is rejected with
 *   a `ConflictError` (code `etag_conflict`) and nothing is changed;
 * - `delete` removes keys, ignoring missing ones.
 */
export interface StateStorage {
  // biome-ignore lint: botbuilder's Storage uses `any` for items.
  read(keys: string[]): Promise<Record<string, any>>;
  write(changes: Record<string, any>): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

/** A conversation of the conversation API / a channel. */
export interface ConversationRecord {
  id: string;
  /** SHA-256 hex of the bearer token; the token itself is never stored. */
  tokenHash: string;
  channel: string;
  locale: Locale;
  createdAt: Date;
  /** The channel's own id of the customer (a WeChat OpenID, a Slack user), to message them proactively. */
  externalId?: string;
}

/**
 * Conversations expire `ttl` after their last turn (configurable; cases never expire): an expired
 * conversation's record, state and transcript are gone and `get` answers undefined.
 */
export interface ConversationStore {
  create(record: ConversationRecord): Promise<void>;
  get(id: string): Promise<ConversationRecord | undefined>;
}

/** One stored activity of a conversation's history (both sides). */
export interface TranscriptEntry {
  /** Position in the conversation, from 1; the API's watermark is the last seq seen. */
  seq: number;
  activity: Record<string, unknown>;
}

export interface TranscriptStore {
  /** Appends activities in order and returns their seqs. */
  append(conversationId: string, activities: Record<string, unknown>[]): Promise<number[]>;
  /** Entries with seq > after, in order. */
  list(conversationId: string, after: number): Promise<TranscriptEntry[]>;
}

export interface EvidenceStore {
  /**
   * Stores a file by content hash after checking its type from its bytes (not the declared type):
   * JPEG, PNG, WebP or PDF only, at most `maxBytes`. Throws `InputError` (`unsupported_file_type`,
   * 415 / `file_too_large`, 413) otherwise. Storing the same bytes twice is idempotent.
   */
  put(bytes: Uint8Array, meta: { name: string; conversationId: string }): Promise<EvidenceRef>;
  get(id: string): Promise<{ ref: EvidenceRef; bytes: Uint8Array } | undefined>;
}

/**
 * Refund cases and their audit trails. When the backend was opened with `queueApprovals`, a case
 * that is created `approved`, or moved to `approved`, is added to the `RefundOutbox` in the same
 * atomic write as the case itself: an approval is never stored without its delivery to the
 * merchant being queued, nor queued without being stored.
 */
export interface CaseStore {
  /** Inserts a new case together with its first audit event; fails if the id exists. */
  create(refundCase: RefundCase, event: AuditEvent): Promise<void>;
  get(id: string): Promise<RefundCase | undefined>;
  byOrder(orderId: string): Promise<RefundCase[]>;
  /** Cases of one customer created at or after `since`, newest first. */
  byCustomer(customerId: string, since: Date): Promise<RefundCase[]>;
  byConversation(conversationId: string): Promise<RefundCase[]>;
  /**
   * Atomically moves a case from `from` to `to` and appends the event; throws `ConflictError`
   * (`case_status_changed`) when the stored status is no longer `from`. With `decision`, the
   * case's decision is replaced in the same step (an agent approving another amount).
   */
  transition(id: string, from: CaseStatus, to: CaseStatus, event: AuditEvent, at: Date, decision?: CaseDecision): Promise<RefundCase>;
  appendAudit(event: AuditEvent): Promise<void>;
  /** The case's audit trail in order. */
  audit(caseId: string): Promise<AuditEvent[]>;
  addEscalation(escalation: Escalation): Promise<void>;
  escalations(conversationId: string): Promise<Escalation[]>;

  // Reads by period, for the merchant's figures (src/insight/). Each answers one page, in a
  // stable order, in one round trip whatever the page size (at most `MAX_PAGE`); the next page
  // starts after the last item of this one. Periods are [from, to): `from` included, `to` not.

  /** Cases created in the period, ordered by (createdAt, id); `afterId` is the last case of the previous page. */
  listCreated(from: Date, to: Date, page: IdPage): Promise<RefundCase[]>;
  /** The same page as `listCreated`, each case with its whole audit trail. */
  listCreatedWithAudit(from: Date, to: Date, page: IdPage): Promise<CaseWithAudit[]>;
  /** These cases with their audit trails, in the order asked (unknown ids are left out). At most `MAX_PAGE` ids. */
  withAudit(caseIds: string[]): Promise<CaseWithAudit[]>;
  /**
   * Audit events of the kinds in `PERIOD_AUDIT_TYPES` whose `at` is in the period, ordered by
   * (at, caseId, seq); `after` is the last event of the previous page.
   */
  listAudit(from: Date, to: Date, page: { after?: AuditCursor; limit: number }): Promise<AuditEvent[]>;
  /** Escalations whose `at` is in the period, ordered by (at, id); `afterId` is the last escalation of the previous page. */
  listEscalations(from: Date, to: Date, page: IdPage): Promise<Escalation[]>;
}

/** The largest page the reads by period answer. */
export const MAX_PAGE = 1000;

/** A page of a listing whose items have unique ids. */
export interface IdPage {
  /** The id of the last item of the previous page; absent for the first page. */
  afterId?: string;
  limit: number;
}

/** Where a page of audit events starts: after this event. */
export interface AuditCursor {
  at: Date;
  caseId: string;
  seq: number;
}

/** A case and its audit trail. */
export interface CaseWithAudit {
  refundCase: RefundCase;
  audit: AuditEvent[];
}

/**
 * The audit events listed by period: what happens to a case after it was opened (its opening
 * events are read with the case). Refund-delivery events are not listed.
 */
export const PERIOD_AUDIT_TYPES = ['status_changed', 'escalated', 'note'] as const satisfies readonly AuditEventType[];

/**
 * Conversation summaries (domain/conversationSummary.ts). Turns write them through `TurnCommit`
 * inside their own commit; `record` is the same merge outside a turn (imports, seeding). A
 * summary is kept for the store's retention after its conversation started, long after the
 * conversation itself expired.
 */
export interface ConversationSummaryStore {
  /** Merges one turn into the summary of (conversationId, turn.startedAt), creating it if needed. */
  record(conversationId: string, turn: TurnSummary): Promise<void>;
  /**
   * Summaries of conversations started in the period, ordered by (startedAt, conversationId);
   * `after` is the last summary of the previous page. One round trip per page.
   */
  listStarted(from: Date, to: Date, page: { after?: { startedAt: Date; conversationId: string }; limit: number }): Promise<ConversationSummary[]>;
}

/** Every store the app needs, from one backend (embedded sqlite or Redis). */
export interface Stores {
  state: StateStorage;
  conversations: ConversationStore;
  transcripts: TranscriptStore;
  evidence: EvidenceStore;
  cases: CaseStore;
  summaries: ConversationSummaryStore;
  turns: TurnStore;
  events: ConversationEvents;
  idempotency: IdempotencyStore;
  rateLimits: RateLimitStore;
  values: SharedValueStore;
  desk: DeskStore;
  refundOutbox: RefundOutbox;
  privacy: PrivacyStore;
  /** Resolves when the backend is reachable (for /healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Identifies one conversation's turn: its id and the key of its dialog state item. */
export interface TurnKey {
  conversationId: string;
  /** The StateStorage key of the conversation's state (botbuilder's ConversationState key). */
  stateKey: string;
}

/** What a turn reads once, when it starts. */
export interface TurnSnapshot {
  /** The conversation's state item with its `eTag`, or undefined for a new conversation. */
  state: Record<string, unknown> | undefined;
}

/** What a turn writes once, when it ends: all of it or nothing. */
export interface TurnCommit {
  /**
   * The new state item, if the turn changed it. `expectedETag` is the eTag read at the start
   * (null: the item did not exist); if the stored item is no longer that one, nothing is written
   * and the commit fails with `ConflictError` `etag_conflict`.
   */
  state?: { item: Record<string, unknown>; expectedETag: string | null };
  /** Activities to append to the transcript, in order. */
  transcript: Record<string, unknown>[];
  /**
   * What the turn adds to its conversation's summary (ConversationSummaryStore), written in the
   * same atomic commit: no extra round trip, and never a summary without its turn.
   */
  summary?: TurnSummary;
  /**
   * Customers (order-file customer ids) this turn tied the conversation to — identity verified
   * or vouched for — written to the customer's index (`PrivacyStore.conversationsOf`) in the same
   * atomic commit, so that the customer's data can be found for export and erasure.
   */
  customers?: string[];
}

/**
 * Port: runs each conversation's turns one at a time, across every instance, in the order they
 * reach the store (first come, first served), with one read before and one atomic write after.
 * - `work` starts once every earlier turn of the conversation has finished; it gets the state
 *   as it was then and returns its result and what to commit.
 * - The commit writes the state (eTag-checked), appends the transcript with consecutive seqs,
 *   merges the turn's summary into its conversation's (when there is one), publishes the change
 *   to `ConversationEvents`, and lets the next turn start.
 * - If `work` throws, nothing is written and the next turn starts.
 * - A turn whose instance dies holds the conversation at most for the lease; the eTag check keeps
 *   a turn that overran its lease from overwriting a newer state.
 * - Waiting longer than the store's limit fails with `UpstreamError` `conversation_busy` (503).
 */
export interface TurnStore {
  run<T>(key: TurnKey, work: (snapshot: TurnSnapshot) => Promise<{ result: T; commit: TurnCommit }>): Promise<T>;
}

/** Port: "a conversation's transcript grew" notices, delivered to every instance. */
export interface ConversationEvents {
  /**
   * Listens for a conversation's new activities; returns a function that stops listening. A
   * notice means "read the transcript again": the listener may be called when nothing is new
   * (e.g. once when the subscription becomes active), never fails to be called after a commit
   * made once it is active.
   */
  subscribe(conversationId: string, listener: () => void): () => void;
  /** Tells every instance's listeners for this conversation (the TurnStore calls it on commit). */
  publish(conversationId: string): Promise<void>;
}

/** Port: deduplicates deliveries (webhook retries): the first claim of a key wins for `ttlMs`. */
export interface IdempotencyStore {
  /** True for the first claim of `key` within `ttlMs`, false for every repeat. */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

/**
 * Port: small values every instance shares until they expire — a channel's access token, a Bot
 * Framework conversation reference, the numbered choices last shown to a WeChat customer. Not a
 * database: a value is a short string, last write wins.
 */
export interface SharedValueStore {
  /** The value of `key`, or undefined when it was never set, was deleted or has expired. */
  get(key: string): Promise<string | undefined>;
  /** Sets `key` to `value` for `ttlMs`, replacing any value it had. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Port: counts hits per key in fixed windows (rate limits). */
export interface RateLimitStore {
  /** Counts one hit of `key` in the current window of `windowMs`; returns the count so far and when the window resets. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetAt: Date }>;
}

/** A desk's own reference to a conversation's card and thread (e.g. Slack channel + message ts). */
export interface DeskThread {
  channel: string;
  ts: string;
}

/**
 * Port: the agent desk's index — which conversations are with people (for the `/agent` list)
 * and where each one's card/thread lives on the desk (for updating it and for mapping a reply
 * in a thread back to its conversation). The conversation's own state stays the source of truth
 * of who holds it; this is kept in step by the handoff service.
 */
export interface DeskStore {
  /** Records (or updates) that a conversation is with people; `entry` is the handoff as JSON-able data. */
  putOpen(conversationId: string, entry: Record<string, unknown>): Promise<void>;
  /** The conversation is back with the assistant. */
  close(conversationId: string): Promise<void>;
  /** Conversations with people, oldest first. */
  listOpen(): Promise<{ conversationId: string; entry: Record<string, unknown> }[]>;
  /** One conversation's entry, if it is with people. */
  getOpen(conversationId: string): Promise<Record<string, unknown> | undefined>;
  setThread(conversationId: string, thread: DeskThread): Promise<void>;
  thread(conversationId: string): Promise<DeskThread | undefined>;
  conversationOfThread(thread: DeskThread): Promise<string | undefined>;
}

/** An approved case leased from the refund outbox, to be sent to the merchant's refund webhook. */
export interface RefundOutboxEntry {
  caseId: string;
  /**
   * This delivery attempt's number, from 1. Counted when the entry is leased, so an attempt cut
   * short by a crash counts too.
   */
  attempt: number;
  /** This lease's token: `done` and `retry` act only while it is still the entry's lease. */
  lease: string;
  /** When the case was (last) approved and queued. */
  queuedAt: Date;
}

/**
 * Port: the transactional outbox of approved refunds (entries are added by the `CaseStore`, in the
 * same write as the approval). Entries are handed out with a lease, like a queue's visibility
 * timeout: a leased entry is not handed out again, to this or any other instance, until
 * `leaseMs` has passed — so an instance that dies mid-delivery delays the entry by at most the
 * lease, and never loses it. Times come from the caller's clock.
 */
export interface RefundOutbox {
  /**
   * Leases up to `limit` entries due at `now` (earliest due first; ties by case id) until
   * `now + leaseMs`, counting an attempt on each.
   */
  lease(now: Date, leaseMs: number, limit: number): Promise<RefundOutboxEntry[]>;
  /** Removes the entry (delivered, or no longer to be delivered); false when `lease` is no longer its lease. */
  done(caseId: string, lease: string): Promise<boolean>;
  /** Releases the entry to be due again at `at`; false when `lease` is no longer its lease. */
  retry(caseId: string, lease: string, at: Date): Promise<boolean>;
  /** Every entry still queued (leased or not), earliest due first: for operators and tests. */
  list(): Promise<{ caseId: string; dueAt: Date; attempts: number; queuedAt: Date }[]>;
}

/** What a store holds about one conversation besides its cases (for a customer's export). */
export interface HeldConversation {
  conversationId: string;
  record: ConversationRecord | undefined;
  /** The conversation's dialog state item (its botbuilder ConversationState), if any. */
  state: Record<string, unknown> | undefined;
  transcript: TranscriptEntry[];
  /** Proof files uploaded in the conversation (their bytes through `EvidenceStore.get`). */
  evidence: (EvidenceRef & { uploadedAt: Date })[];
  summaries: ConversationSummary[];
  desk: { open?: Record<string, unknown>; thread?: DeskThread };
}

/** What erasing one conversation deleted. */
export interface ErasedConversation {
  /** The record, the state item, the customer links: 1 when there was anything of the kind. */
  record: number;
  state: number;
  transcriptEntries: number;
  /** Proof files deleted (a file another conversation also uploaded stays, without this upload). */
  evidenceFiles: number;
  deskEntries: number;
}

/**
 * Port: a customer's data, for export and erasure on request (issue 10 §5, src/privacy/). Cases
 * are found with `CaseStore.byCustomer`; conversations through the index the turns write
 * (`TurnCommit.customers`) and the cases' conversation ids. The index lives as long as its
 * conversations (the conversation TTL).
 */
export interface PrivacyStore {
  /** Conversations a turn tied to this customer that are still held, oldest link first. */
  conversationsOf(customerId: string): Promise<string[]>;
  /** Everything held about one conversation (record, state, transcript, uploads, summaries, desk entries). */
  conversation(conversationId: string): Promise<HeldConversation>;
  /**
   * Deletes a conversation's personal data: record, state, transcript, uploads and their files
   * (unless another conversation uploaded the same bytes), desk entries, and its customer links.
   * Summaries stay (they hold no personal text); cases are anonymised separately. Idempotent.
   */
  eraseConversation(conversationId: string): Promise<ErasedConversation>;
  /**
   * Replaces a case's record and its whole audit trail by their anonymised versions (same
   * length, same seqs, same times and kinds) and appends `event`, in one atomic write. The
   * append-only trail allows this one rewrite. Throws `case_not_found` for an unknown case.
   */
  anonymiseCase(refundCase: RefundCase, audit: AuditEvent[], event: AuditEvent): Promise<void>;
}

import type { AuditEvent, CaseStatus, Escalation, EvidenceRef, RefundCase } from '../domain/case.ts';
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
}

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
   * (`case_status_changed`) when the stored status is no longer `from`.
   */
  transition(id: string, from: CaseStatus, to: CaseStatus, event: AuditEvent, at: Date): Promise<RefundCase>;
  appendAudit(event: AuditEvent): Promise<void>;
  /** The case's audit trail in order. */
  audit(caseId: string): Promise<AuditEvent[]>;
  addEscalation(escalation: Escalation): Promise<void>;
  escalations(conversationId: string): Promise<Escalation[]>;
}

/** Every store the app needs, from one backend (embedded sqlite now, Redis later). */
export interface Stores {
  state: StateStorage;
  conversations: ConversationStore;
  transcripts: TranscriptStore;
  evidence: EvidenceStore;
  cases: CaseStore;
  /** Resolves when the backend is reachable (for /healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

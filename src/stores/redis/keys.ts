/**
 * Builds every Redis key and channel name under one prefix (the layout is described in
 * index.ts). Each kind of key has its own segment before the id (`transcript:<id>`, never
 * `<id>:transcript`), so no id, whatever characters it holds, can name another kind's key.
 */
export class RedisKeys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  state(key: string): string {
    return `${this.prefix}state:${key}`;
  }

  conversation(id: string): string {
    return `${this.prefix}conversation:${id}`;
  }

  transcript(conversationId: string): string {
    return `${this.prefix}transcript:${conversationId}`;
  }

  /** The conversation's turn queue (sorted set of turn tokens by ticket). */
  turnQueue(conversationId: string): string {
    return `${this.prefix}turns:${conversationId}`;
  }

  /** The deadlines of the queued turns (hash token → ms) and the ticket counter. */
  turnDeadlines(conversationId: string): string {
    return `${this.prefix}turn-deadlines:${conversationId}`;
  }

  /** Pub/sub channel of a conversation: turn hand-overs and transcript notices. */
  channel(conversationId: string): string {
    return `${this.prefix}events:${conversationId}`;
  }

  case(id: string): string {
    return `${this.prefix}case:${id}`;
  }

  /** Scripts that list cases read `casePrefix + id` for each id of an index. */
  get casePrefix(): string {
    return `${this.prefix}case:`;
  }

  audit(caseId: string): string {
    return `${this.prefix}audit:${caseId}`;
  }

  casesByOrder(orderId: string): string {
    return `${this.prefix}cases-by-order:${orderId}`;
  }

  casesByCustomer(customerId: string): string {
    return `${this.prefix}cases-by-customer:${customerId}`;
  }

  casesByConversation(conversationId: string): string {
    return `${this.prefix}cases-by-conversation:${conversationId}`;
  }

  escalation(id: string): string {
    return `${this.prefix}escalation:${id}`;
  }

  get escalationPrefix(): string {
    return `${this.prefix}escalation:`;
  }

  escalationsByConversation(conversationId: string): string {
    return `${this.prefix}escalations-by-conversation:${conversationId}`;
  }

  /** Sorted set: every case id by createdAt (reads by period). */
  get casesByCreated(): string {
    return `${this.prefix}cases-by-created`;
  }

  /** Scripts that read audit trails named by an index read `auditPrefix + caseId`. */
  get auditPrefix(): string {
    return `${this.prefix}audit:`;
  }

  /** Sorted set: audit events of the kinds listed by period, as `auditMember`, by their `at`. */
  get auditByTime(): string {
    return `${this.prefix}audit-by-time`;
  }

  /** Sorted set: every escalation id by its `at` (reads by period). */
  get escalationsByTime(): string {
    return `${this.prefix}escalations-by-time`;
  }

  /** Hash: one conversation's summary; `member` is `summaryMember(startedAt, conversationId)`. */
  conversationSummary(member: string): string {
    return `${this.prefix}conversation-summary:${member}`;
  }

  get conversationSummaryPrefix(): string {
    return `${this.prefix}conversation-summary:`;
  }

  /** Sorted set: summary members by their conversation's startedAt. */
  get conversationSummaries(): string {
    return `${this.prefix}conversation-summaries`;
  }

  /** Set once the indexes for reads by period were built over cases stored before they existed. */
  get periodIndexesBuilt(): string {
    return `${this.prefix}period-indexes-built`;
  }

  /** Counter giving cases and escalations their insertion order (ties of equal timestamps). */
  get insertionCounter(): string {
    return `${this.prefix}insertion-counter`;
  }

  /** Sorted set: case ids in the refund outbox, by when each is due (or its lease lapses). */
  get refundOutbox(): string {
    return `${this.prefix}refund-outbox`;
  }

  /** Hash: one refund outbox entry's attempts, lease token and queuedAt. */
  refundOutboxEntry(caseId: string): string {
    return `${this.prefix}refund-outbox-entry:${caseId}`;
  }

  /** Scripts over the outbox read `refundOutboxEntryPrefix + id` for each id of the sorted set. */
  get refundOutboxEntryPrefix(): string {
    return `${this.prefix}refund-outbox-entry:`;
  }

  evidence(id: string): string {
    return `${this.prefix}evidence:${id}`;
  }

  /** Scripts that refresh the proof files of a conversation read `evidencePrefix + id`. */
  get evidencePrefix(): string {
    return `${this.prefix}evidence:`;
  }

  /** Hash: evidence id → this conversation's upload (JSON name, uploadedAt); expires with the conversation. */
  conversationEvidence(conversationId: string): string {
    return `${this.prefix}conversation-evidence:${conversationId}`;
  }

  /** Set: the customer ids a conversation's turns linked it to; expires with the conversation. */
  conversationCustomers(conversationId: string): string {
    return `${this.prefix}conversation-customers:${conversationId}`;
  }

  /** Sorted set: a customer's conversations by when a turn linked them (privacy index). */
  customerConversations(customerId: string): string {
    return `${this.prefix}customer-conversations:${customerId}`;
  }

  /** Scripts that refresh a conversation's customer links read `customerConversationsPrefix + customer id`. */
  get customerConversationsPrefix(): string {
    return `${this.prefix}customer-conversations:`;
  }

  sharedValue(key: string): string {
    return `${this.prefix}value:${key}`;
  }

  idempotency(key: string): string {
    return `${this.prefix}idempotency:${key}`;
  }

  rateLimit(key: string): string {
    return `${this.prefix}rate-limit:${key}`;
  }

  /** Hash: conversation id → handoff JSON, for conversations with people. */
  get deskOpen(): string {
    return `${this.prefix}desk-open`;
  }

  /** Sorted set: conversation ids with people, by when they were handed over. */
  get deskOpenOrder(): string {
    return `${this.prefix}desk-open-order`;
  }

  /** Hash: conversation id → desk thread JSON. */
  get deskThreads(): string {
    return `${this.prefix}desk-threads`;
  }

  /** Hash: `channel ts` → conversation id. */
  get deskThreadIndex(): string {
    return `${this.prefix}desk-thread-index`;
  }
}

/**
 * An audit event's member in `audit-by-time`: case id, a NUL byte, the seq in 10 digits. Members
 * of equal score sort by their bytes, so events of the same millisecond come by case id (NUL
 * sorts before any character of an id, so `RF-1` before `RF-12`, as SQL orders text) then seq.
 */
export function auditMember(caseId: string, seq: number): string {
  return `${caseId}\u0000${String(seq).padStart(10, '0')}`;
}

/** A conversation summary's member: startedAt ms, a colon, the conversation id (the id last). */
export function summaryMember(startedAt: Date, conversationId: string): string {
  return `${startedAt.getTime()}:${conversationId}`;
}

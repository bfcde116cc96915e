import type { Category } from './categories.ts';
import type { Locale } from './locale.ts';
import type { Minor } from './money.ts';

/** Case statuses (SPEC §6). */
export const CASE_STATUSES = ['approved', 'pending_review', 'escalated', 'denied', 'refunded', 'cancelled'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const OUTCOMES = ['full', 'partial', 'none', 'review'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** A stored proof file, identified by the SHA-256 of its bytes. */
export interface EvidenceRef {
  id: string; // sha256 hex
  contentType: 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf';
  size: number;
  name: string;
}

/** What the policy engine decided, as recorded on a case. */
export interface CaseDecision {
  outcome: Outcome;
  amount: Minor;
  currency: string;
  clauses: string[];
  /** Ids of the named risk rules / guardrails that fired (e.g. `over_auto_approve_limit`). */
  guardrails: string[];
  policyVersion: string;
}

export interface RefundCase {
  id: string;
  orderId: string;
  customerId: string;
  conversationId: string;
  channel: string;
  locale: Locale;
  category: Category;
  /** SKUs claimed. */
  items: string[];
  /** The reason in the customer's own words. */
  reasonText: string;
  evidence: EvidenceRef[];
  decision: CaseDecision;
  status: CaseStatus;
  createdAt: Date;
  updatedAt: Date;
}

export type ActorKind = 'customer' | 'assistant' | 'agent' | 'system';

/**
 * Kinds of audit events. The `refund_*` ones record the refund webhook's delivery of an approved
 * case to the merchant: each attempt that failed, the one the merchant accepted, and an entry
 * dropped because the case was no longer approved when its turn came. `customer_data_erased`: the
 * customer's personal data was erased on request and this case anonymised (src/privacy/).
 */
export const AUDIT_EVENT_TYPES = [
  'created',
  'decided',
  'status_changed',
  'evidence_added',
  'escalated',
  'note',
  'refund_attempt_failed',
  'refund_sent',
  'refund_dropped',
  'customer_data_erased',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** One append-only entry of a case's audit trail: who did what, when, and why. */
export interface AuditEvent {
  caseId: string;
  /** 1-based position in the case's trail, assigned by the store. */
  seq?: number;
  at: Date;
  actor: { kind: ActorKind; id?: string };
  type: AuditEventType;
  data: Record<string, unknown>;
}

/**
 * Why people were asked to look: the SPEC §4 triggers, and `refund_delivery_failed` when the
 * merchant's refund webhook kept refusing (or not answering) the delivery of an approved case.
 * `orders_unavailable`: the merchant's order API failed, so the assistant could not look the order up.
 */
export const ESCALATION_REASONS = ['customer_request', 'dispute', 'needs_review', 'not_understood', 'too_many_attempts', 'refund_delivery_failed', 'orders_unavailable'] as const;

/** A request for a person, with or without a case (SPEC §4 escalation triggers). */
export interface Escalation {
  id: string;
  conversationId: string;
  caseId?: string;
  orderId?: string;
  reason: (typeof ESCALATION_REASONS)[number];
  locale: Locale;
  /** The conversation's channel (`api`, `wechat`…), for figures by channel; absent on escalations recorded before it was kept. */
  channel?: string;
  at: Date;
}

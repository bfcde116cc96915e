import type { Escalation, EvidenceRef, RefundCase } from '../domain/case.ts';
import type { Category } from '../domain/categories.ts';
import type { Locale } from '../domain/locale.ts';
import type { Order } from '../domain/order.ts';
import type { Decision } from '../policy/types.ts';

/** A refund the customer asked for, with everything the dialog gathered. */
export interface RefundRequest {
  order: Order;
  skus: string[];
  category: Category;
  reasonText: string;
  evidence: EvidenceRef[];
  conversationId: string;
  channel: string;
  locale: Locale;
}

export interface RefundOutcome {
  decision: Decision;
  refundCase: RefundCase;
}

export interface EscalationRequest {
  conversationId: string;
  caseId?: string;
  orderId?: string;
  reason: Escalation['reason'];
  locale: Locale;
  /** The conversation's channel (the activity's `channelId`). */
  channel?: string | undefined;
}

/**
 * The application service the dialogs talk to: the policy engine decides, the case service
 * records. Dialogs never compute amounts or approvals themselves.
 */
export interface RefundDesk {
  /** Whether the policy needs proof for this claim (so the dialog asks for it before deciding). */
  proofRequired(order: Order, category: Category): boolean;
  /** The policy window in days for this claim (for phrasing), if the category has one. */
  windowDays(order: Order, category: Category): number | undefined;
  /** Decides and opens the case; `RefundLimitReachedError` (nothing opened) over the customer's daily limit. */
  submit(request: RefundRequest): Promise<RefundOutcome>;
  caseById(id: string): Promise<RefundCase | undefined>;
  casesForOrder(orderId: string): Promise<RefundCase[]>;
  casesForConversation(conversationId: string): Promise<RefundCase[]>;
  /** Where an approved refund is on its way to the customer, from the case's audit trail. */
  progress(refundCase: RefundCase): Promise<RefundProgress>;
  escalate(request: EscalationRequest): Promise<{ escalation: Escalation; refundCase?: RefundCase }>;
  /** Records the customer's 1–5 rating on the case's audit trail. */
  recordCsat(caseId: string, rating: number): Promise<void>;
  /** The most the customer can get back for these items of the order (what was paid; minor units). */
  maxRefund(order: Order, skus: string[]): number;
  /**
   * A person's decision on a case waiting for one: approved (with the amount they chose, never
   * above `maxRefund`) or denied (with the reason told to the customer). Recorded with the
   * agent's id. Throws `ConflictError`/`InputError` when the case is no longer waiting.
   */
  decideByAgent(caseId: string, agent: { id: string; name: string }, decision: { status: 'approved'; amount: number } | { status: 'denied'; reason: string }): Promise<RefundCase>;
  /** Adds a note to the case's audit trail (e.g. an agent took the conversation over). */
  note(caseId: string, actor: { kind: 'agent' | 'customer' | 'assistant'; id?: string }, data: Record<string, unknown>): Promise<void>;
}

/** The milestones of a refund after the decision, as the audit trail records them. */
export interface RefundProgress {
  /** When the case became approved (the latest time, if it was approved again). */
  approvedAt?: Date;
  /** When the merchant's refund webhook accepted it (absent: not sent, or no webhook). */
  sentAt?: Date;
  /** When the money went back (the merchant's date when it gave one). */
  refundedAt?: Date;
}

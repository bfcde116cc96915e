import type { ActorKind, AuditEvent, RefundCase } from '../../domain/case.ts';
import { toDecimalString } from '../../domain/money.ts';
import type { Order, PaymentMethod } from '../../domain/order.ts';

/**
 * The body of a refund webhook request: everything the merchant needs to pay the refund back,
 * and nothing about the customer beyond their id in the shop. The same for every attempt of one
 * approval (only the signature's timestamp changes), so a receiver can compare a repeat with
 * the first.
 */
export interface RefundWebhookPayload {
  /** What happened; the only event so far. */
  event: 'refund.approved';
  caseId: string;
  orderId: string;
  customerId: string;
  /** The refund as an exact decimal in the order's currency, e.g. "309.00". */
  amount: string;
  /** The same in integer minor units (fen, cents), e.g. 30900. */
  amountMinor: number;
  /** ISO 4217, e.g. "CNY". */
  currency: string;
  /** `full`: everything paid for the claimed items (with shipping when the policy refunds it); `partial`: less. */
  outcome: 'full' | 'partial';
  /** How the order was paid: the refund goes back the same way. Null if the order could not be found. */
  paymentMethod: PaymentMethod | null;
  /** The claimed order lines (name and quantity from the order, when found). */
  items: { sku: string; name?: string; quantity?: number }[];
  /** Who approved: the assistant under the policy, or a person (their desk id, e.g. a Slack user id). */
  decidedBy: { kind: ActorKind; id?: string };
  /** The policy clauses the decision cites. */
  clauses: string[];
  policyVersion: string;
  /** ISO time of the approval. */
  approvedAt: string;
}

/**
 * Builds the payload of an approved case from the case, its audit trail (who approved, when) and
 * its order (payment method, item names); `order` is undefined when the order is not found.
 */
export function refundPayload(refundCase: RefundCase, audit: readonly AuditEvent[], order: Order | undefined): RefundWebhookPayload {
  const { decision } = refundCase;
  const approval = approvalEvent(audit);
  return {
    event: 'refund.approved',
    caseId: refundCase.id,
    orderId: refundCase.orderId,
    customerId: refundCase.customerId,
    amount: toDecimalString(decision.amount, decision.currency),
    amountMinor: decision.amount,
    currency: decision.currency,
    outcome: decision.outcome === 'full' ? 'full' : 'partial',
    paymentMethod: order?.paymentMethod ?? null,
    items: refundCase.items.map((sku) => {
      const line = order?.items.find((item) => item.sku === sku);
      return line ? { sku, name: line.name, quantity: line.quantity } : { sku };
    }),
    decidedBy: approval?.actor.id === undefined ? { kind: approval?.actor.kind ?? 'assistant' } : { kind: approval.actor.kind, id: approval.actor.id },
    clauses: [...decision.clauses],
    policyVersion: decision.policyVersion,
    approvedAt: (approval?.at ?? refundCase.updatedAt).toISOString(),
  };
}

/** The latest event that made the case approved: opened approved, or moved to approved. */
export function approvalEvent(audit: readonly AuditEvent[]): AuditEvent | undefined {
  return audit.findLast(
    (event) => (event.type === 'created' && event.data.status === 'approved') || (event.type === 'status_changed' && event.data.to === 'approved'),
  );
}

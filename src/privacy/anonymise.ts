import type { AuditEvent, RefundCase } from '../domain/case.ts';

/** What replaces a customer's own words and file names on an anonymised case. */
export const ERASED_TEXT = '[erased]';

/**
 * Audit-data fields that say nothing about the customer as a person and are kept for accounting
 * and the merchant's figures: amounts, decisions, clauses, statuses, kinds, ids of records, the
 * merchant's payment reference, a rating. Every other field (an agent's note, a name, an error
 * text that might quote the customer) is replaced by `ERASED_TEXT`: an allow-list, so a field
 * added later is erased until someone decides it is safe.
 */
const KEPT_FIELDS = new Set([
  'orderId',
  'customerId',
  'conversationId',
  'channel',
  'locale',
  'category',
  'items',
  'evidence',
  'status',
  'outcome',
  'amount',
  'currency',
  'clauses',
  'guardrails',
  'policyVersion',
  'from',
  'to',
  'statusChanged',
  'escalationId',
  'reason',
  'csat',
  'handedBack',
  'attempt',
  'merchantStatus',
  'reference',
  'refundedAt',
  'nextAttemptAt',
  'erased',
]);

/**
 * The case as kept after its customer's data was erased: the customer's words and file names
 * are gone; ids, SKUs, category, decision (amount, clauses), status and times stay. The order
 * and customer ids stay too: the merchant's accounting and the repeat-refund rule need them, and
 * they name records the merchant holds anyway.
 */
export function anonymisedCase(refundCase: RefundCase): RefundCase {
  return {
    ...refundCase,
    reasonText: ERASED_TEXT,
    evidence: refundCase.evidence.map((ref) => ({ ...ref, name: ERASED_TEXT })),
  };
}

/** An audit event with only the kept fields of its data, marked `erased` (same case, seq, time, actor, kind). */
export function anonymisedEvent(event: AuditEvent): AuditEvent {
  const data: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(event.data)) data[field] = KEPT_FIELDS.has(field) ? value : ERASED_TEXT;
  data.erased = true;
  return { ...event, data };
}

/**
 * Whether a case still holds anything `anonymisedCase`/`anonymisedEvent` would remove: false
 * once it was anonymised, until something personal is added again (an event appended since).
 */
export function needsAnonymising(refundCase: RefundCase, audit: readonly AuditEvent[]): boolean {
  if (refundCase.reasonText !== ERASED_TEXT || refundCase.evidence.some((ref) => ref.name !== ERASED_TEXT)) return true;
  return audit.some((event) => event.data.erased !== true);
}

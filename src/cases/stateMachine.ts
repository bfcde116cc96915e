import type { CaseStatus } from '../domain/case.ts';
import { InputError } from '../errors.ts';

/**
 * The refund case lifecycle (SPEC §6 statuses) as data. Every edge is a deliberate business
 * move; anything not listed is refused, including "moving" a case to the status it already has.
 */
export const CASE_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  pending_review: [
    'approved', // an agent (or a later automatic check) approves the computed amount
    'denied', // an agent refuses the claim
    'escalated', // the customer asks for a person or disputes while waiting; an agent takes it over
    'cancelled', // the customer withdraws the request before anyone decided
  ],
  escalated: [
    'approved', // the agent handling the dispute grants the refund
    'denied', // the agent upholds a refusal
    'pending_review', // the agent hands it back to the ordinary review queue
    'cancelled', // the customer withdraws while talking to the agent
  ],
  approved: [
    'refunded', // the payment went back by the original method
    'cancelled', // withdrawn (or the order kept) before the money was paid out
    'escalated', // the customer disputes the approved amount (e.g. a prorated or partial refund)
  ],
  denied: [
    'escalated', // the customer disputes the refusal and gets a person (SPEC §4)
  ],
  // Terminal: money has moved or the request is closed. A later complaint is a new escalation
  // recorded against the case, not a change of its status.
  refunded: [],
  cancelled: [],
};

/**
 * Statuses a case may be opened with: the decision either settles it at once (approved, denied)
 * or leaves it for a person (pending_review, escalated when the customer already disputes).
 */
export const INITIAL_CASE_STATUSES: readonly CaseStatus[] = ['approved', 'pending_review', 'escalated', 'denied'];

/** Whether the lifecycle allows moving a case from `from` to `to`. */
export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return CASE_TRANSITIONS[from]?.includes(to) ?? false;
}

/** Whether nothing can happen to a case in this status any more. */
export function isTerminal(status: CaseStatus): boolean {
  return CASE_TRANSITIONS[status]?.length === 0;
}

/** Throws `InputError` `invalid_transition` (409) when the lifecycle forbids the move. */
export function assertTransition(from: CaseStatus, to: CaseStatus): void {
  if (!canTransition(from, to)) {
    throw new InputError('invalid_transition', `A case cannot move from ${from} to ${to}`, 409);
  }
}

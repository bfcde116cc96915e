import type { AuditEvent, CaseStatus, Escalation, RefundCase } from '../domain/case.ts';

/** Who did something to a case. */
export type AuditActor = AuditEvent['actor'];

// Builders of the audit events the case service records; `data` is what an auditor needs to
// answer "who did what, when, and under which policy" without joining other tables.

function decisionData(refundCase: RefundCase): Record<string, unknown> {
  const { outcome, amount, currency, clauses, guardrails, policyVersion } = refundCase.decision;
  return { outcome, amount, currency, clauses: [...clauses], guardrails: [...guardrails], policyVersion };
}

/** The case was opened (what was claimed, and the decision it was opened with). */
export function createdEvent(refundCase: RefundCase, actor: AuditActor): AuditEvent {
  return {
    caseId: refundCase.id,
    at: refundCase.createdAt,
    actor,
    type: 'created',
    data: {
      orderId: refundCase.orderId,
      customerId: refundCase.customerId,
      conversationId: refundCase.conversationId,
      channel: refundCase.channel,
      locale: refundCase.locale,
      category: refundCase.category,
      items: [...refundCase.items],
      evidence: refundCase.evidence.map((ref) => ref.id),
      status: refundCase.status,
      ...decisionData(refundCase),
    },
  };
}

/** The policy decision the case was opened with, and the status it led to. */
export function decidedEvent(refundCase: RefundCase, actor: AuditActor): AuditEvent {
  return {
    caseId: refundCase.id,
    at: refundCase.createdAt,
    actor,
    type: 'decided',
    data: { ...decisionData(refundCase), status: refundCase.status },
  };
}

/** A status change asked for by an agent, the customer or the system. */
export function statusChangedEvent(
  caseId: string,
  change: {
    from: CaseStatus;
    to: CaseStatus;
    note?: string | undefined;
    amount?: number;
    outcome?: string;
    /** The merchant's reference for a refund it paid, and when it says it paid it (ISO). */
    reference?: string | undefined;
    refundedAt?: string | undefined;
  },
  actor: AuditActor,
  at: Date,
): AuditEvent {
  const data = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
  return { caseId, at, actor, type: 'status_changed', data };
}

/** The case was escalated to a person; `to` is absent when its status could not change. */
export function escalatedEvent(
  refundCase: RefundCase,
  escalation: Escalation,
  actor: AuditActor,
  to: CaseStatus | undefined,
): AuditEvent {
  return {
    caseId: refundCase.id,
    at: escalation.at,
    actor,
    type: 'escalated',
    data: {
      escalationId: escalation.id,
      reason: escalation.reason,
      from: refundCase.status,
      ...(to === undefined ? { statusChanged: false } : { to, statusChanged: true }),
    },
  };
}

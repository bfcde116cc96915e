import type { SQLInputValue } from 'node:sqlite';
import { AUDIT_EVENT_TYPES, CASE_STATUSES, ESCALATION_REASONS } from '../../domain/case.ts';
import type { ActorKind, AuditEvent, CaseDecision, Escalation, EvidenceRef, RefundCase } from '../../domain/case.ts';
import { CATEGORIES } from '../../domain/categories.ts';
import { LOCALES } from '../../domain/locale.ts';
import { date, integer, json, oneOf, optionalText, text, type Row } from './rows.ts';

// Mapping between the domain objects and the rows of the case tables (schema in migrations.ts).

const ACTOR_KINDS: readonly ActorKind[] = ['customer', 'assistant', 'agent', 'system'];
const AUDIT_TYPES: readonly AuditEvent['type'][] = AUDIT_EVENT_TYPES;

/** Column values in the order of `INSERT INTO cases` in caseStore.ts. */
export function caseValues(refundCase: RefundCase): SQLInputValue[] {
  return [
    refundCase.id,
    refundCase.orderId,
    refundCase.customerId,
    refundCase.conversationId,
    refundCase.channel,
    refundCase.locale,
    refundCase.category,
    JSON.stringify(refundCase.items),
    refundCase.reasonText,
    JSON.stringify(refundCase.evidence),
    JSON.stringify(refundCase.decision),
    refundCase.status,
    refundCase.createdAt.getTime(),
    refundCase.updatedAt.getTime(),
  ];
}

export function rowToCase(row: Row): RefundCase {
  return {
    id: text(row, 'id'),
    orderId: text(row, 'order_id'),
    customerId: text(row, 'customer_id'),
    conversationId: text(row, 'conversation_id'),
    channel: text(row, 'channel'),
    locale: oneOf(row, 'locale', LOCALES),
    category: oneOf(row, 'category', CATEGORIES),
    items: json<string[]>(row, 'items'),
    reasonText: text(row, 'reason_text'),
    evidence: json<EvidenceRef[]>(row, 'evidence'),
    decision: json<CaseDecision>(row, 'decision'),
    status: oneOf(row, 'status', CASE_STATUSES),
    createdAt: date(row, 'created_at'),
    updatedAt: date(row, 'updated_at'),
  };
}

/** Column values in the order of `INSERT INTO audit_events` (without seq, which SQL assigns). */
export function auditValues(event: AuditEvent): SQLInputValue[] {
  return [
    event.caseId,
    event.at.getTime(),
    event.actor.kind,
    event.actor.id ?? null,
    event.type,
    JSON.stringify(event.data),
  ];
}

export function rowToAudit(row: Row): AuditEvent {
  const actorId = optionalText(row, 'actor_id');
  const kind = oneOf(row, 'actor_kind', ACTOR_KINDS);
  return {
    caseId: text(row, 'case_id'),
    seq: integer(row, 'seq'),
    at: date(row, 'at'),
    actor: actorId === undefined ? { kind } : { kind, id: actorId },
    type: oneOf(row, 'type', AUDIT_TYPES),
    data: json<Record<string, unknown>>(row, 'data'),
  };
}

/** Column values in the order of `INSERT INTO escalations`. */
export function escalationValues(escalation: Escalation): SQLInputValue[] {
  return [
    escalation.id,
    escalation.conversationId,
    escalation.caseId ?? null,
    escalation.orderId ?? null,
    escalation.reason,
    escalation.locale,
    escalation.at.getTime(),
    escalation.channel ?? null,
  ];
}

export function rowToEscalation(row: Row): Escalation {
  const caseId = optionalText(row, 'case_id');
  const orderId = optionalText(row, 'order_id');
  const channel = optionalText(row, 'channel');
  return {
    id: text(row, 'id'),
    conversationId: text(row, 'conversation_id'),
    ...(caseId === undefined ? {} : { caseId }),
    ...(orderId === undefined ? {} : { orderId }),
    reason: oneOf(row, 'reason', ESCALATION_REASONS),
    locale: oneOf(row, 'locale', LOCALES),
    ...(channel === undefined ? {} : { channel }),
    at: date(row, 'at'),
  };
}

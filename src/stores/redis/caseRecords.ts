import { AUDIT_EVENT_TYPES, CASE_STATUSES, ESCALATION_REASONS } from '../../domain/case.ts';
import type { ActorKind, AuditEvent, CaseDecision, CaseStatus, Escalation, EvidenceRef, RefundCase } from '../../domain/case.ts';
import { CATEGORIES } from '../../domain/categories.ts';
import { LOCALES } from '../../domain/locale.ts';
import { corrupt, date, nested, oneOf, optionalText, parseRecord, text } from './records.ts';

// Mapping between the domain objects and their JSON in Redis. A case is a hash whose `data`
// holds the fields that never change, next to `status` and `updatedAt`, the only ones a
// transition changes: the transition script then updates two hash fields and never has to
// decode and re-encode JSON in Lua.

const ACTOR_KINDS: readonly ActorKind[] = ['customer', 'assistant', 'agent', 'system'];
const AUDIT_TYPES: readonly AuditEvent['type'][] = AUDIT_EVENT_TYPES;

/** The unchanging part of a case, as JSON. */
export function caseData(refundCase: RefundCase): string {
  return JSON.stringify({
    id: refundCase.id,
    orderId: refundCase.orderId,
    customerId: refundCase.customerId,
    conversationId: refundCase.conversationId,
    channel: refundCase.channel,
    locale: refundCase.locale,
    category: refundCase.category,
    items: refundCase.items,
    reasonText: refundCase.reasonText,
    evidence: refundCase.evidence,
    decision: refundCase.decision,
    createdAt: refundCase.createdAt.getTime(),
  });
}

/** A case from its hash fields; `n` is its insertion number (orders cases of equal createdAt). */
export function toCase(fields: { data: string; status: string; updatedAt: string }): RefundCase {
  const stored = parseRecord(fields.data, 'Stored case');
  const what = `Case ${String(stored.id)}`;
  const status = fields.status as CaseStatus;
  const updatedAt = Number(fields.updatedAt);
  if (!CASE_STATUSES.includes(status)) throw corrupt(what, 'status', 'a case status');
  if (!Number.isSafeInteger(updatedAt)) throw corrupt(what, 'updatedAt', 'an integer');
  return {
    id: text(stored, 'id', what),
    orderId: text(stored, 'orderId', what),
    customerId: text(stored, 'customerId', what),
    conversationId: text(stored, 'conversationId', what),
    channel: text(stored, 'channel', what),
    locale: oneOf(stored, 'locale', LOCALES, what),
    category: oneOf(stored, 'category', CATEGORIES, what),
    items: nested<string[]>(stored, 'items', 'array', what),
    reasonText: text(stored, 'reasonText', what),
    evidence: nested<EvidenceRef[]>(stored, 'evidence', 'array', what),
    decision: nested<CaseDecision>(stored, 'decision', 'object', what),
    status,
    createdAt: date(stored, 'createdAt', what),
    updatedAt: new Date(updatedAt),
  };
}

/** An audit event as stored: its seq is its position in the case's list, not part of the JSON. */
export function auditData(event: AuditEvent): string {
  return JSON.stringify({
    caseId: event.caseId,
    at: event.at.getTime(),
    actor: event.actor.id === undefined ? { kind: event.actor.kind } : { kind: event.actor.kind, id: event.actor.id },
    type: event.type,
    data: event.data,
  });
}

/** An audit event from its stored JSON and its position in the trail. */
export function toAuditEvent(json: string, seq: number): AuditEvent {
  const stored = parseRecord(json, 'Stored audit event');
  const what = `Audit event ${seq} of ${String(stored.caseId)}`;
  const actor = nested<Record<string, unknown>>(stored, 'actor', 'object', what);
  const kind = oneOf(actor, 'kind', ACTOR_KINDS, what);
  const actorId = optionalText(actor, 'id', what);
  return {
    caseId: text(stored, 'caseId', what),
    seq,
    at: date(stored, 'at', what),
    actor: actorId === undefined ? { kind } : { kind, id: actorId },
    type: oneOf(stored, 'type', AUDIT_TYPES, what),
    data: nested<Record<string, unknown>>(stored, 'data', 'object', what),
  };
}

/** An escalation as JSON. */
export function escalationData(escalation: Escalation): string {
  return JSON.stringify({
    id: escalation.id,
    conversationId: escalation.conversationId,
    ...(escalation.caseId === undefined ? {} : { caseId: escalation.caseId }),
    ...(escalation.orderId === undefined ? {} : { orderId: escalation.orderId }),
    reason: escalation.reason,
    locale: escalation.locale,
    ...(escalation.channel === undefined ? {} : { channel: escalation.channel }),
    at: escalation.at.getTime(),
  });
}

/** An escalation from its stored JSON. */
export function toEscalation(json: string): Escalation {
  const stored = parseRecord(json, 'Stored escalation');
  const what = `Escalation ${String(stored.id)}`;
  const caseId = optionalText(stored, 'caseId', what);
  const orderId = optionalText(stored, 'orderId', what);
  const channel = optionalText(stored, 'channel', what);
  return {
    id: text(stored, 'id', what),
    conversationId: text(stored, 'conversationId', what),
    ...(caseId === undefined ? {} : { caseId }),
    ...(orderId === undefined ? {} : { orderId }),
    reason: oneOf(stored, 'reason', ESCALATION_REASONS, what),
    locale: oneOf(stored, 'locale', LOCALES, what),
    ...(channel === undefined ? {} : { channel }),
    at: date(stored, 'at', what),
  };
}

/** An insertion number as stored next to a record. */
export function insertionNumber(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw corrupt(what, 'n', 'an integer');
  return n;
}

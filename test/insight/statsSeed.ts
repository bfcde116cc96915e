import { createdEvent, decidedEvent, escalatedEvent, statusChangedEvent } from '../../src/cases/auditEvents.ts';
import type { CaseDecision, CaseStatus, Escalation, RefundCase } from '../../src/domain/case.ts';
import type { Category } from '../../src/domain/categories.ts';
import type { Locale } from '../../src/domain/locale.ts';
import type { Stores } from '../../src/stores/ports.ts';

/**
 * A small, fully known history for the figures' tests: seven cases, four escalation records,
 * eleven conversations, ratings and people's actions around the period 2026-11-01 to
 * 2026-11-03 (from 2026-11-01T00:00Z, to 2026-11-04T00:00Z exclusive), "now" 2026-11-05 12:00Z.
 * The expected figures are worked out by hand in computeStats.test.ts from this list.
 */
export const PERIOD = { from: new Date('2026-11-01T00:00:00.000Z'), to: new Date('2026-11-04T00:00:00.000Z') };
export const NOW = new Date('2026-11-05T12:00:00.000Z');

const t = (day: number, time: string) => new Date(`2026-${day === 31 ? '10-31' : `11-0${day}`}T${time}:00.000Z`);
const assistant = { kind: 'assistant' as const };
const customer = { kind: 'customer' as const };
const agent = { kind: 'agent' as const, id: 'U-WANG' };
const system = { kind: 'system' as const, id: 'merchant' };

function aCase(id: string, spec: { at: Date; channel: string; locale: Locale; category: Category; items: string[]; outcome: CaseDecision['outcome']; amount: number; currency?: string; status: CaseStatus }): RefundCase {
  return {
    id,
    orderId: `O-${id}`,
    customerId: `c-${id}`,
    conversationId: `conv-${id}`,
    channel: spec.channel,
    locale: spec.locale,
    category: spec.category,
    items: spec.items,
    reasonText: 'because',
    evidence: [],
    decision: { outcome: spec.outcome, amount: spec.amount, currency: spec.currency ?? 'CNY', clauses: ['R-1'], guardrails: [], policyVersion: 'test' },
    status: spec.status,
    createdAt: spec.at,
    updatedAt: spec.at,
  };
}

/** Opens a case as the case service does: `created`, then `decided`. */
async function open(stores: Stores, refundCase: RefundCase): Promise<void> {
  await stores.cases.create(refundCase, createdEvent(refundCase, assistant));
  await stores.cases.appendAudit(decidedEvent(refundCase, assistant));
}

async function rate(stores: Stores, caseId: string, rating: number, at: Date): Promise<void> {
  await stores.cases.appendAudit({ caseId, at, actor: customer, type: 'note', data: { csat: rating } });
}

/** Writes the history into `stores`. */
export async function seedHistory(stores: Stores): Promise<void> {
  const c1 = aCase('RF-C1', { at: t(1, '10:00'), channel: 'api', locale: 'en', category: 'defective', items: ['HP-200'], outcome: 'full', amount: 30000, status: 'approved' });
  await open(stores, c1);
  await rate(stores, c1.id, 5, t(1, '10:05'));
  await stores.cases.transition(c1.id, 'approved', 'refunded', statusChangedEvent(c1.id, { from: 'approved', to: 'refunded' }, system, t(2, '08:00')), t(2, '08:00'));

  const c2 = aCase('RF-C2', { at: t(1, '12:00'), channel: 'wechat', locale: 'zh-CN', category: 'damaged_in_transit', items: ['HP-200', 'CASE-1', 'HP-200'], outcome: 'full', amount: 50000, status: 'approved' });
  await open(stores, c2);
  await rate(stores, c2.id, 4, t(1, '12:10'));

  // Denied at once, disputed, then approved by a person at another amount.
  const c3 = aCase('RF-C3', { at: t(2, '09:00'), channel: 'api', locale: 'en', category: 'changed_mind', items: ['MUG-1'], outcome: 'none', amount: 0, status: 'denied' });
  await open(stores, c3);
  const e1: Escalation = { id: 'esc-1', conversationId: 'conv-RF-C3', caseId: c3.id, orderId: c3.orderId, reason: 'dispute', locale: 'en', channel: 'api', at: t(2, '09:30') };
  await stores.cases.addEscalation(e1);
  await stores.cases.transition(c3.id, 'denied', 'escalated', escalatedEvent(c3, e1, customer, 'escalated'), t(2, '09:30'));
  await stores.cases.transition(
    c3.id,
    'escalated',
    'approved',
    statusChangedEvent(c3.id, { from: 'escalated', to: 'approved', amount: 1500, outcome: 'partial' }, agent, t(2, '10:00')),
    t(2, '10:00'),
    { ...c3.decision, outcome: 'partial', amount: 1500 },
  );

  // Opened for review, denied by a person a day later.
  const c4 = aCase('RF-C4', { at: t(2, '15:00'), channel: 'slack', locale: 'zh-TW', category: 'billing_error', items: ['VIP-Y'], outcome: 'review', amount: 0, status: 'pending_review' });
  await open(stores, c4);
  await stores.cases.transition(c4.id, 'pending_review', 'denied', statusChangedEvent(c4.id, { from: 'pending_review', to: 'denied', note: 'not a billing error' }, agent, t(3, '15:00')), t(3, '15:00'));

  // Opened for review (in dollars); a person takes it over and hands it back undecided.
  const c5 = aCase('RF-C5', { at: t(3, '08:00'), channel: 'api', locale: 'en', category: 'defective', items: ['HP-200'], outcome: 'full', amount: 20000, currency: 'USD', status: 'pending_review' });
  await open(stores, c5);
  await stores.cases.appendAudit({ caseId: c5.id, at: t(3, '08:10'), actor: agent, type: 'note', data: { tookOver: 'Wang' } });
  await stores.cases.appendAudit({ caseId: c5.id, at: t(3, '08:40'), actor: agent, type: 'note', data: { handedBack: true } });

  // Before the period, rated inside it.
  const c6 = aCase('RF-C6', { at: t(31, '23:59'), channel: 'api', locale: 'en', category: 'defective', items: ['HP-200'], outcome: 'full', amount: 9900, status: 'approved' });
  await open(stores, c6);
  await rate(stores, c6.id, 2, t(1, '00:10'));

  // At the period's end (excluded), rated after it.
  const c7 = aCase('RF-C7', { at: new Date('2026-11-04T00:00:00.000Z'), channel: 'api', locale: 'en', category: 'wrong_item', items: ['HP-200'], outcome: 'full', amount: 100, status: 'approved' });
  await open(stores, c7);
  await rate(stores, c7.id, 1, new Date('2026-11-04T00:01:00.000Z'));

  await stores.cases.addEscalation({ id: 'esc-2', conversationId: 'conv-x', reason: 'customer_request', locale: 'zh-CN', channel: 'wechat', at: t(1, '08:00') });
  await stores.cases.addEscalation({ id: 'esc-3', conversationId: 'conv-old', reason: 'too_many_attempts', locale: 'en', channel: 'api', at: t(31, '22:00') });
  // Recorded before escalations kept their channel.
  await stores.cases.addEscalation({ id: 'esc-4', conversationId: 'conv-y', reason: 'orders_unavailable', locale: 'en', at: t(3, '20:00') });

  const conversations: [string, { channel: string; start: Date; last: Date; turns: number; awaiting: string | null; handed?: boolean; hasCase?: boolean }][] = [
    ['conv-RF-C1', { channel: 'api', start: t(1, '09:55'), last: t(1, '10:05'), turns: 6, awaiting: null, hasCase: true }],
    ['conv-RF-C2', { channel: 'wechat', start: t(1, '11:50'), last: t(1, '12:10'), turns: 5, awaiting: null, hasCase: true }],
    ['conv-RF-C3', { channel: 'api', start: t(2, '08:55'), last: t(2, '10:00'), turns: 7, awaiting: 'csat', hasCase: true, handed: true }],
    ['conv-x', { channel: 'wechat', start: t(1, '07:55'), last: t(1, '08:00'), turns: 2, awaiting: null, handed: true }],
    ['conv-a', { channel: 'api', start: t(2, '20:00'), last: t(2, '20:01'), turns: 2, awaiting: 'orderId' }],
    ['conv-b', { channel: 'api', start: t(3, '10:00'), last: t(3, '10:05'), turns: 3, awaiting: 'evidence' }],
    // Waiting for an answer, but only for half an hour: not abandoned (yet).
    ['conv-c', { channel: 'api', start: t(3, '23:00'), last: new Date('2026-11-05T11:30:00.000Z'), turns: 1, awaiting: 'identity' }],
    // The widget opened, the greeting shown, nothing written.
    ['conv-d', { channel: 'api', start: t(3, '12:00'), last: t(3, '12:00'), turns: 0, awaiting: null }],
    ['conv-RF-C4', { channel: 'slack', start: t(2, '14:50'), last: t(3, '15:00'), turns: 6, awaiting: null, hasCase: true, handed: true }],
    ['conv-RF-C5', { channel: 'api', start: t(3, '07:55'), last: t(3, '08:40'), turns: 5, awaiting: null, hasCase: true, handed: true }],
    // Before the period.
    ['conv-old', { channel: 'api', start: t(31, '21:00'), last: t(31, '22:00'), turns: 4, awaiting: 'orderId' }],
  ];
  for (const [id, spec] of conversations) {
    const base = { channel: spec.channel, locale: 'en', startedAt: spec.start, handedToPeople: false, hasCase: false };
    // Two turns: the opening one, then the latest (with everything the conversation came to).
    await stores.summaries.record(id, { ...base, at: spec.start, customerTurns: 0, awaiting: null });
    await stores.summaries.record(id, { ...base, at: spec.last, customerTurns: spec.turns, awaiting: spec.awaiting, handedToPeople: spec.handed ?? false, hasCase: spec.hasCase ?? false });
  }
}

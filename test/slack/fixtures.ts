import type { PublicActivity } from '../../src/bot/publicActivity.ts';
import type { RefundCase } from '../../src/domain/case.ts';
import type { Order } from '../../src/domain/order.ts';
import type { DeskView, Handoff } from '../../src/handoff/types.ts';
import { specOrder } from '../support/orders.ts';

/** The SPEC §5 example order, in minor units. */
export const order = (): Order => specOrder();

export function refundCase(overrides: Partial<RefundCase> = {}): RefundCase {
  return {
    id: 'RC-7K2M9Q',
    orderId: '100234',
    customerId: 'c-17',
    conversationId: 'conv-1',
    channel: 'api',
    locale: 'en',
    category: 'defective',
    items: ['HP-200'],
    reasonText: 'The left earbud stopped working after two days.',
    evidence: [{ id: 'a'.repeat(64), contentType: 'image/jpeg', size: 12_345, name: 'earbud.jpg' }],
    decision: { outcome: 'full', amount: 28_700, currency: 'CNY', clauses: ['R-2.1', 'R-5.3'], guardrails: ['repeat_refunder'], policyVersion: '2026-11' },
    status: 'pending_review',
    createdAt: new Date('2026-11-10T09:00:00Z'),
    updatedAt: new Date('2026-11-10T09:00:00Z'),
    ...overrides,
  };
}

export function handoff(overrides: Partial<Handoff> = {}): Handoff {
  return { escalationId: 'esc-1', reason: 'needs_review', caseId: 'RC-7K2M9Q', since: '2026-11-10T09:01:00.000Z', ...overrides };
}

export function transcript(): PublicActivity[] {
  return [
    { type: 'message', from: { role: 'user' }, text: 'refund order 100234, lilei@example.com', timestamp: '2026-11-10T08:59:00.000Z' },
    { type: 'message', from: { role: 'bot' }, text: 'Which item is it about?', timestamp: '2026-11-10T08:59:01.000Z' },
    {
      type: 'message',
      from: { role: 'user' },
      text: 'The headphones',
      timestamp: '2026-11-10T08:59:30.000Z',
      attachments: [{ contentType: 'image/jpeg', name: 'earbud.jpg', evidenceId: 'a'.repeat(64), size: 12_345 }],
    },
    { type: 'message', from: { role: 'bot' }, text: 'A person will review your case.', timestamp: '2026-11-10T09:01:00.000Z' },
  ];
}

/** A conversation waiting for an agent, with a case pending review. */
export function deskView(overrides: Partial<DeskView> = {}): DeskView {
  return {
    conversationId: 'conv-1',
    channel: 'api',
    locale: 'en',
    handoff: handoff(),
    refundCase: refundCase(),
    order: order(),
    contact: 'l***@example.com',
    maxRefund: 28_700,
    evidence: [{ id: 'a'.repeat(64), name: 'earbud.jpg', contentType: 'image/jpeg', url: evidenceUrl('a'.repeat(64)) }],
    transcript: transcript(),
    ...overrides,
  };
}

export const evidenceUrl = (evidenceId: string) => `https://shop.example/agent/evidence/${evidenceId}?sig=abc&exp=1`;

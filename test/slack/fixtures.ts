import type { PublicActivity } from '../../src/bot/publicActivity.ts';
import type { RefundCase } from '../../src/domain/case.ts';
import type { Order } from '../../src/domain/order.ts';
import type { DeskView, Handoff } from '../../src/handoff/types.ts';

/** The SPEC §5 example order, in minor units. */
export function order(): Order {
  return {
    id: '100234',
    customer: { id: 'c-17', name: 'Li Lei', email: 'lilei@example.com', phone: '+8613800000000' },
    placedAt: new Date('2026-11-01T10:00:00Z'),
    deliveredAt: new Date('2026-11-03T09:00:00Z'),
    status: 'delivered',
    currency: 'CNY',
    items: [
      { sku: 'HP-200', name: 'Wireless headphones', kind: 'physical', quantity: 1, unitPrice: 29_900 },
      { sku: 'VIP-Y', name: 'VIP membership (1 year)', kind: 'subscription', quantity: 1, unitPrice: 19_800, subscriptionDays: 365, usedDays: 0 },
    ],
    shippingFee: 1000,
    discount: 2000,
    paid: 48_700,
    paymentMethod: 'alipay',
  };
}

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

import { describe, expect, it } from 'vitest';
import type { AuditEvent, RefundCase } from '../../src/domain/case.ts';
import { toDecimalString } from '../../src/domain/money.ts';
import type { Order } from '../../src/domain/order.ts';
import { refundPayload } from '../../src/refunds/webhook/payload.ts';
import { aCase, anEvent, at, T0 } from '../stores/contract/harness.ts';
import { specOrder } from '../support/orders.ts';

const order: Order = specOrder({
  items: [
    { sku: 'HP-200', name: 'Wireless headphones', kind: 'physical', quantity: 1, unitPrice: 29900 },
    { sku: 'CASE-1', name: 'Case', kind: 'physical', quantity: 2, unitPrice: 1000 },
  ],
});

describe('toDecimalString', () => {
  it('writes minor units exactly, with the currency’s digits', () => {
    expect(toDecimalString(30900, 'CNY')).toBe('309.00');
    expect(toDecimalString(5, 'USD')).toBe('0.05');
    expect(toDecimalString(0, 'CNY')).toBe('0.00');
    expect(toDecimalString(500, 'JPY')).toBe('500');
    expect(toDecimalString(-1234, 'EUR')).toBe('-12.34');
    expect(toDecimalString(1234, 'KWD')).toBe('1.234');
    // Beyond float-exact decimals: still exact.
    expect(toDecimalString(900719925474099, 'CNY')).toBe('9007199254740.99');
    expect(() => toDecimalString(1.5, 'CNY')).toThrow(RangeError);
  });
});

describe('refund webhook payload', () => {
  const approvedCase = (overrides: Partial<RefundCase> = {}) => aCase({ status: 'approved', ...overrides });

  it('carries what the merchant needs to pay back: amounts, payment method, items, clauses, and who approved when', () => {
    const refundCase = approvedCase();
    const audit: AuditEvent[] = [anEvent(refundCase.id, { at: T0, data: { status: 'approved' } })];
    expect(refundPayload(refundCase, audit, order)).toEqual({
      event: 'refund.approved',
      caseId: 'RF-TEST22',
      orderId: '100234',
      customerId: 'c-17',
      amount: '287.00',
      amountMinor: 28700,
      currency: 'CNY',
      outcome: 'full',
      paymentMethod: 'alipay',
      items: [{ sku: 'HP-200', name: 'Wireless headphones', quantity: 1 }],
      decidedBy: { kind: 'assistant' },
      clauses: ['R-2.1', 'R-5.1'],
      policyVersion: '2026-11-01',
      approvedAt: T0.toISOString(),
    });
  });

  it('names the person whose approval is the latest, and the time of it', () => {
    const refundCase = approvedCase({ decision: { ...aCase().decision, outcome: 'partial', amount: 6000 } });
    const audit: AuditEvent[] = [
      anEvent(refundCase.id, { data: { status: 'pending_review' } }),
      anEvent(refundCase.id, { type: 'status_changed', at: at(5), actor: { kind: 'agent', id: 'U1' }, data: { from: 'pending_review', to: 'approved' } }),
      anEvent(refundCase.id, { type: 'status_changed', at: at(6), actor: { kind: 'customer' }, data: { from: 'approved', to: 'escalated' } }),
      anEvent(refundCase.id, { type: 'status_changed', at: at(9), actor: { kind: 'agent', id: 'U2' }, data: { from: 'escalated', to: 'approved' } }),
      anEvent(refundCase.id, { type: 'note', at: at(10), actor: { kind: 'agent', id: 'U3' }, data: {} }),
    ];
    expect(refundPayload(refundCase, audit, order)).toMatchObject({
      amount: '60.00',
      amountMinor: 6000,
      outcome: 'partial',
      decidedBy: { kind: 'agent', id: 'U2' },
      approvedAt: at(9).toISOString(),
    });
  });

  it('still describes the refund when the order is not found (payment method null, items by SKU)', () => {
    const refundCase = approvedCase({ items: ['HP-200', 'GONE-1'] });
    expect(refundPayload(refundCase, [], undefined)).toMatchObject({
      paymentMethod: null,
      items: [{ sku: 'HP-200' }, { sku: 'GONE-1' }],
      decidedBy: { kind: 'assistant' },
      approvedAt: refundCase.updatedAt.toISOString(),
    });
    expect(refundPayload(refundCase, [], order).items).toEqual([{ sku: 'HP-200', name: 'Wireless headphones', quantity: 1 }, { sku: 'GONE-1' }]);
  });

  it('holds nothing personal beyond the shop’s customer id', () => {
    const text = JSON.stringify(refundPayload(approvedCase(), [], order));
    for (const secret of ['lilei@example.com', '+8613800000000', 'Li Lei', '耳机坏了']) expect(text).not.toContain(secret);
  });
});

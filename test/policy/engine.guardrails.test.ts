import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseStatus } from '../../src/domain/case.ts';
import type { Order } from '../../src/domain/order.ts';
import { decide, proofRequired } from '../../src/policy/engine.ts';
import type { PolicyRules } from '../../src/policy/rules.ts';
import type { PriorCase } from '../../src/policy/types.ts';
import { CABLE, CASE_2X, HEADPHONES, NOW, claim, daysAgo, defaultRules, input, makeOrder, priorCase } from './fixtures.ts';

let rules: PolicyRules;
beforeAll(async () => {
  rules = await defaultRules();
});

/** A single-item order with no shipping fee, so the refund equals the item's price. */
const priced = (unitPrice: number, currency = 'CNY', o: Partial<Order> = {}) =>
  makeOrder({ items: [{ ...HEADPHONES, unitPrice }], shippingFee: 0, currency, ...o });

describe('automatic approval limit (R-9.1): 500.00 in the order currency', () => {
  it.each([
    ['exactly ¥500.00 → approved', 50000, 'CNY', 'approved'],
    ['¥500.01 → pending_review', 50001, 'CNY', 'pending_review'],
    ['exactly $500.00 → approved', 50000, 'USD', 'approved'],
    ['$500.01 → pending_review', 50001, 'USD', 'pending_review'],
    ['¥500 in a zero-decimal currency (JPY) → approved', 500, 'JPY', 'approved'],
    ['¥501 JPY → pending_review', 501, 'JPY', 'pending_review'],
  ])('%s', (_name, unitPrice, currency, status) => {
    const decision = decide(rules, input(priced(unitPrice, currency), claim('defective')));
    expect(decision).toMatchObject({ outcome: 'full', amount: unitPrice, currency, status });
    if (status === 'pending_review') {
      expect(decision).toMatchObject({ reason: 'over_auto_approve_limit', guardrails: ['over_auto_approve_limit'], clauses: ['R-2.1', 'R-9.1'] });
    } else {
      expect(decision.guardrails).toEqual([]);
    }
  });

  it('counts the refunded shipping fee towards the limit', () => {
    // 49900 item + 200 shipping, whole order refunded = 50100 > 50000
    const order = makeOrder({ items: [{ ...HEADPHONES, unitPrice: 49900 }], shippingFee: 200 });
    expect(decide(rules, input(order, claim('defective')))).toMatchObject({ amount: 50100, status: 'pending_review' });
  });

  it('takes a per-currency limit from the rules', () => {
    const perCurrency = { ...rules.guardrails.over_auto_approve_limit, perCurrency: { JPY: 50000 } };
    const custom: PolicyRules = { ...rules, guardrails: { ...rules.guardrails, over_auto_approve_limit: perCurrency } };
    expect(decide(custom, input(priced(50000, 'JPY'), claim('defective'))).status).toBe('approved');
    expect(decide(custom, input(priced(50001, 'JPY'), claim('defective'))).status).toBe('pending_review');
  });

  it('approves anything when the guardrail is disabled', () => {
    const off = { ...rules.guardrails.over_auto_approve_limit, enabled: false };
    const custom: PolicyRules = { ...rules, guardrails: { ...rules.guardrails, over_auto_approve_limit: off } };
    expect(decide(custom, input(priced(999900), claim('defective'))).status).toBe('approved');
  });
});

describe('repeat refunder (R-9.3): 3+ cases in the last 90 days, cancelled ones not counted', () => {
  const cases = (...specs: [number, CaseStatus][]): PriorCase[] =>
    specs.map(([days, status], i) => priorCase({ id: `RF-${i}`, orderId: `80000${i}`, status, createdAt: daysAgo(days) }));
  it.each([
    ['no earlier cases', cases(), 'approved'],
    ['2 earlier cases', cases([1, 'approved'], [30, 'refunded']), 'approved'],
    ['3 earlier cases', cases([1, 'approved'], [30, 'refunded'], [89, 'pending_review']), 'pending_review'],
    ['3 cases, the oldest 90 calendar days ago', cases([1, 'approved'], [30, 'refunded'], [90, 'denied']), 'pending_review'],
    ['3 cases, the oldest 91 calendar days ago', cases([1, 'approved'], [30, 'refunded'], [91, 'approved']), 'approved'],
    ['3 cases, one cancelled', cases([1, 'approved'], [30, 'refunded'], [5, 'cancelled']), 'approved'],
    ['3 cases, one denied (a denied request still counts)', cases([1, 'denied'], [30, 'refunded'], [5, 'escalated']), 'pending_review'],
  ])('%s → %s', (_name, customerCases, status) => {
    const decision = decide(rules, input(makeOrder(), claim('defective'), { customerCases }));
    expect(decision).toMatchObject({ outcome: 'full', amount: 30900, status });
    expect(decision.guardrails.includes('repeat_refunder')).toBe(status === 'pending_review');
    if (status === 'pending_review') expect(decision).toMatchObject({ reason: 'repeat_refunder', clauses: ['R-2.1', 'R-9.3'] });
  });
});

describe('missing proof (R-9.2)', () => {
  it('holds a refund that needs proof when none was given', () => {
    expect(decide(rules, input(makeOrder(), claim('damaged_in_transit', ['HP-200'], false)))).toMatchObject({
      outcome: 'full',
      amount: 30900,
      status: 'pending_review',
      reason: 'missing_proof',
      guardrails: ['missing_proof'],
      clauses: ['R-2.4', 'R-9.2'],
    });
  });
  it('does not fire for rules without proof', () => {
    const decision = decide(rules, input(makeOrder(), claim('changed_mind', ['HP-200'], false)));
    expect(decision).toMatchObject({ status: 'approved', guardrails: [] });
  });
  it('lists every risk rule that fired, the first naming the reason', () => {
    const history = [1, 2, 3].map((d) => priorCase({ id: `RF-${d}`, createdAt: daysAgo(d) }));
    const decision = decide(rules, input(priced(60000), claim('defective', ['HP-200', 'GHOST'], false), { customerCases: history }));
    expect(decision).toMatchObject({
      status: 'pending_review',
      reason: 'item_not_in_order',
      guardrails: ['item_not_in_order', 'missing_proof', 'repeat_refunder', 'over_auto_approve_limit'],
      clauses: ['R-2.1', 'R-9.4', 'R-9.2', 'R-9.3', 'R-9.1'],
    });
  });
});

describe('item not in order (R-9.4)', () => {
  it('holds the refund of the items that are in the order', () => {
    expect(decide(rules, input(makeOrder(), claim('defective', ['HP-200', 'NOPE-1'])))).toMatchObject({
      outcome: 'full',
      amount: 30900,
      status: 'pending_review',
      reason: 'item_not_in_order',
      guardrails: ['item_not_in_order'],
      lines: [{ sku: 'HP-200', amount: 29900 }],
    });
  });
  it('sends a claim with no item of the order to a person', () => {
    expect(decide(rules, input(makeOrder(), claim('defective', ['NOPE-1'])))).toMatchObject({
      outcome: 'review',
      amount: 0,
      status: 'pending_review',
      reason: 'item_not_in_order',
      clauses: ['R-9.4'],
      guardrails: ['item_not_in_order'],
    });
  });
  it('sends a claim naming no item to a person', () => {
    expect(decide(rules, input(makeOrder(), claim('defective', [])))).toMatchObject({
      outcome: 'review',
      amount: 0,
      status: 'pending_review',
      reason: 'no_items_claimed',
      clauses: ['R-9.4'],
    });
  });
});

describe('one refund per item (R-9.5)', () => {
  const order = makeOrder({ id: '900010', items: [HEADPHONES, CASE_2X, CABLE], shippingFee: 1200, discount: 3000 });
  const earlier = (status: CaseStatus, items = ['HP-200'], orderId = '900010') => [priorCase({ orderId, items, status })];
  it.each(['approved', 'pending_review', 'escalated', 'refunded'] as const)('an item with a %s case cannot be claimed again', (status) => {
    expect(decide(rules, input(order, claim('defective', ['HP-200']), { customerCases: earlier(status) }))).toMatchObject({
      outcome: 'none',
      amount: 0,
      status: 'denied',
      reason: 'already_claimed',
      clauses: ['R-9.5'],
      guardrails: ['already_claimed'],
    });
  });
  it.each(['denied', 'cancelled'] as const)('an item whose case was %s can be claimed again', (status) => {
    expect(decide(rules, input(order, claim('defective', ['HP-200']), { customerCases: earlier(status) }))).toMatchObject({
      status: 'approved',
      amount: 27695,
    });
  });
  it('another item of the same order can still be claimed', () => {
    expect(decide(rules, input(order, claim('defective', ['CBL-C']), { customerCases: earlier('approved') }))).toMatchObject({
      status: 'approved',
      amount: 2770,
    });
  });
  it('the same SKU in another order is a different item', () => {
    const other = earlier('refunded', ['HP-200'], '900099');
    expect(decide(rules, input(order, claim('defective', ['HP-200']), { customerCases: other })).status).toBe('approved');
  });
  it('a claim that includes a claimed item is refused as a whole', () => {
    const decision = decide(rules, input(order, claim('defective', ['CBL-C', 'HP-200']), { customerCases: earlier('pending_review') }));
    expect(decision).toMatchObject({ outcome: 'none', reason: 'already_claimed' });
  });
});

describe('proofRequired', () => {
  it.each([
    ['defective, delivered 5 days ago', makeOrder(), 'defective', true],
    ['damaged in transit', makeOrder(), 'damaged_in_transit', true],
    ['service issue', makeOrder(), 'service_issue', true],
    ['changed mind', makeOrder(), 'changed_mind', false],
    ['not received', makeOrder(), 'not_received', false],
    ['billing error', makeOrder(), 'billing_error', false],
    ['defective on a processing order', makeOrder({ status: 'processing' }), 'defective', false],
    ['defective on a cancelled order', makeOrder({ status: 'cancelled' }), 'defective', false],
    ['defective, window closed', makeOrder({ deliveredAt: daysAgo(31) }), 'defective', false],
    ['defective, last day', makeOrder({ deliveredAt: daysAgo(30) }), 'defective', true],
    ['defective, shipped but not delivered', makeOrder({ status: 'shipped' }), 'defective', true],
  ] as const)('%s → %s', (_name, order, category, expected) => {
    expect(proofRequired(rules, order, category, NOW)).toBe(expected);
  });
  it('without a clock only the rule matters', () => {
    expect(proofRequired(rules, makeOrder({ deliveredAt: daysAgo(31) }), 'defective')).toBe(true);
  });
});

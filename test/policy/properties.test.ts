import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/domain/categories.ts';
import type { Order, OrderItem } from '../../src/domain/order.ts';
import { itemPaidAmounts, proratedAmount } from '../../src/policy/amounts.ts';
import { decide } from '../../src/policy/engine.ts';
import { loadPolicyText } from '../../src/policy/knowledge.ts';
import type { PolicyRules } from '../../src/policy/rules.ts';
import type { DecisionInput, PriorCase } from '../../src/policy/types.ts';
import { daysAgo, NOW } from './fixtures.ts';
import { POLICY_DIR, defaultRules } from './fixtures.ts';

/**
 * Properties of money decisions for random orders, claims, dates and customer histories
 * (fast-check; failures shrink to a minimal counter-example). The runs are bounded so `npm test`
 * stays quick; FC_RUNS raises them for a longer search.
 */
const RUNS = Number(process.env.FC_RUNS ?? 300);

let rules: PolicyRules;
let clauseIds: Set<string>;
beforeAll(async () => {
  rules = await defaultRules();
  const kb = await loadPolicyText(POLICY_DIR, rules);
  clauseIds = new Set(kb.clauses.en.map((clause) => clause.id));
});

const physical = fc.record({
  kind: fc.constant<'physical'>('physical'),
  quantity: fc.integer({ min: 1, max: 5 }),
  unitPrice: fc.integer({ min: 1, max: 500_000 }),
});
const subscription = fc.record({
  kind: fc.constant<'subscription'>('subscription'),
  quantity: fc.constant(1),
  unitPrice: fc.integer({ min: 100, max: 500_000 }),
  subscriptionDays: fc.integer({ min: 1, max: 730 }),
  usedDays: fc.integer({ min: 0, max: 730 }),
});

const service = fc.record({ kind: fc.constant<'service'>('service'), quantity: fc.integer({ min: 1, max: 3 }), unitPrice: fc.integer({ min: 1, max: 100_000 }) });

/** A consistent order: paid = goods + shipping − discount, the discount never above the goods. */
const anOrder = fc
  .record({
    items: fc.array(fc.oneof(physical, physical, subscription, service), { minLength: 1, maxLength: 5 }),
    shippingFee: fc.integer({ min: 0, max: 5_000 }),
    discountShare: fc.double({ min: 0, max: 0.9, noNaN: true }),
    status: fc.constantFrom<Order['status']>('processing', 'shipped', 'delivered', 'delivered', 'delivered', 'cancelled'),
    placedDaysAgo: fc.integer({ min: 0, max: 120 }),
    deliveryDays: fc.integer({ min: 0, max: 15 }),
    currency: fc.constantFrom('CNY', 'USD', 'JPY'),
  })
  .map(({ items, shippingFee, discountShare, status, placedDaysAgo, deliveryDays, currency }): Order => {
    const lines: OrderItem[] = items.map((item, index) => ({
      ...item,
      sku: `SKU-${index}`,
      name: `Item ${index}`,
      ...(item.kind === 'subscription' ? { usedDays: Math.min(item.usedDays, item.subscriptionDays) } : {}),
    }));
    const goods = lines.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);
    const discount = Math.floor(goods * discountShare);
    return {
      id: '900100',
      customer: { id: 'c-9', name: 'Test', email: 'test@example.com', phone: '+8613800009999' },
      placedAt: daysAgo(placedDaysAgo, '08:00:00'),
      deliveredAt: status === 'delivered' ? daysAgo(Math.max(0, placedDaysAgo - deliveryDays)) : null,
      status,
      currency,
      items: lines,
      shippingFee,
      discount,
      paid: goods + shippingFee - discount,
      paymentMethod: 'alipay',
    };
  });

const anInput = anOrder.chain((order) =>
  fc.record({
    order: fc.constant(order),
    claim: fc.record({
      category: fc.constantFrom(...CATEGORIES),
      skus: fc.subarray(order.items.map((item) => item.sku), { minLength: 1 }),
      hasProof: fc.boolean(),
    }),
    customerCases: fc.array(
      fc.record({
        id: fc.constantFrom('RF-AAAAA1', 'RF-AAAAA2', 'RF-AAAAA3'),
        orderId: fc.constantFrom(order.id, '800001'),
        items: fc.subarray(order.items.map((item) => item.sku)),
        status: fc.constantFrom<PriorCase['status']>('approved', 'refunded', 'denied', 'pending_review'),
        createdAt: fc.integer({ min: 0, max: 200 }).map((days) => daysAgo(days)),
      }),
      { maxLength: 4 },
    ),
    customerOrders: fc.constant([order]),
    now: fc.constant(NOW),
  }),
) as fc.Arbitrary<DecisionInput>;

describe('money decisions, for random orders, claims, dates and histories', () => {
  it('never refund more than was paid, never a negative amount, in the order’s currency, from its parts', () => {
    fc.assert(
      fc.property(anInput, (input) => {
        const decision = decide(rules, input);
        expect(decision.amount).toBeGreaterThanOrEqual(0);
        expect(decision.amount).toBeLessThanOrEqual(input.order.paid);
        expect(Number.isSafeInteger(decision.amount)).toBe(true);
        expect(decision.currency).toBe(input.order.currency);
        expect(decision.amount).toBe(decision.lines.reduce((sum, line) => sum + line.amount, decision.shipping));
        expect(decision.shipping).toBeLessThanOrEqual(input.order.shippingFee);
      }),
      { numRuns: RUNS },
    );
  });

  it('refund each claimed item at most what was paid for it, so an order’s items never sum above its paid amount', () => {
    fc.assert(
      fc.property(anInput, (input) => {
        const paid = itemPaidAmounts(input.order);
        const decision = decide(rules, input);
        for (const line of decision.lines) expect(line.amount).toBeLessThanOrEqual(paid.get(line.sku) ?? 0);
        const perItem = [...paid.values()].reduce((sum, amount) => sum + amount, 0);
        expect(perItem + input.order.shippingFee).toBe(input.order.paid);
      }),
      { numRuns: RUNS },
    );
  });

  it('cite at least one clause, every one of them in the readable policy', () => {
    fc.assert(
      fc.property(anInput, (input) => {
        const { clauses } = decide(rules, input);
        expect(clauses.length).toBeGreaterThanOrEqual(1);
        for (const id of clauses) expect(clauseIds.has(id), id).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('are deterministic and leave their input untouched', () => {
    fc.assert(
      fc.property(anInput, (input) => {
        const before = structuredClone(input);
        const first = decide(rules, input);
        expect(decide(rules, structuredClone(input))).toEqual(first);
        expect(input).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('proration', () => {
  it('is monotone: more days used never refunds more, and it stays within [0, paid]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 3650 }), fc.integer({ min: 0, max: 3650 }), fc.integer({ min: 0, max: 3650 }), (paid, days, a, b) => {
        const [fewer, more] = a <= b ? [a, b] : [b, a];
        const early = proratedAmount(paid, days, Math.min(fewer, days));
        const late = proratedAmount(paid, days, Math.min(more, days));
        expect(late).toBeLessThanOrEqual(early);
        expect(early).toBeLessThanOrEqual(paid);
        expect(late).toBeGreaterThanOrEqual(0);
        expect(proratedAmount(paid, days, 0)).toBe(paid);
        expect(proratedAmount(paid, days, days)).toBe(0);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

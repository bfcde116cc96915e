import { beforeAll, describe } from 'vitest';
import type { Category } from '../../src/domain/categories.ts';
import type { Order } from '../../src/domain/order.ts';
import type { PolicyRules } from '../../src/policy/rules.ts';
import type { Decision } from '../../src/policy/types.ts';
import { CABLE, VIP_YEAR, claim, daysAgo, defaultRules, makeOrder, priorCase } from './fixtures.ts';
import { type Row, approved, denied, runRows } from './table.ts';

/** SPEC §4 rows about orders and subscriptions: duplicate orders, unused subscriptions, service issues, review-only categories. */

let rules: PolicyRules;
beforeAll(async () => {
  rules = await defaultRules();
});
const run = (rows: Row[]) => runRows(() => rules, rows);

describe('R-5 duplicate order: 30 days of purchase, twin with same SKU within 48 h', () => {
  const placed = new Date('2026-11-10T08:00:00Z');
  const mine = makeOrder({ id: '900002', placedAt: placed, deliveredAt: daysAgo(5) });
  const twin = (hours: number, o: Partial<Order> = {}) =>
    makeOrder({ id: '900003', placedAt: new Date(placed.getTime() - hours * 3_600_000), ...o });
  const dup = claim('duplicate_order', ['HP-200'], false);
  const review: Partial<Decision> = { outcome: 'review', amount: 30900, status: 'pending_review', reason: 'duplicate_unconfirmed', clauses: ['R-5'] };
  run([
    { name: 'twin 47 h before → full incl. shipping', order: mine, claim: dup, extra: { customerOrders: [mine, twin(47)] }, expect: approved(30900, 'duplicate_order', ['R-5'], 1000) },
    { name: 'twin exactly 48 h before → full', order: mine, claim: dup, extra: { customerOrders: [twin(48), mine] }, expect: approved(30900, 'duplicate_order', ['R-5'], 1000) },
    { name: 'twin 24 h after → full', order: mine, claim: dup, extra: { customerOrders: [twin(-24)] }, expect: approved(30900, 'duplicate_order', ['R-5'], 1000) },
    { name: 'twin 48 h 1 min before → review', order: mine, claim: dup, extra: { customerOrders: [twin(48 + 1 / 60)] }, expect: review },
    { name: 'only the order itself → review', order: mine, claim: dup, extra: { customerOrders: [mine] }, expect: review },
    {
      name: 'twin of another customer → review',
      order: mine,
      claim: dup,
      extra: { customerOrders: [twin(2, { customer: { id: 'c-2', name: 'Han Meimei' } })] },
      expect: review,
    },
    { name: 'cancelled twin → review', order: mine, claim: dup, extra: { customerOrders: [twin(2, { status: 'cancelled' })] }, expect: review },
    { name: 'twin without the SKU → review', order: mine, claim: dup, extra: { customerOrders: [twin(2, { items: [CABLE] })] }, expect: review },
    {
      name: 'twin whose item is already being refunded → review (only one of a pair goes automatically)',
      order: mine,
      claim: dup,
      extra: { customerOrders: [twin(2)], customerCases: [priorCase({ orderId: '900003', items: ['HP-200'], status: 'pending_review' })] },
      expect: review,
    },
    {
      name: 'twin whose earlier claim was denied still counts',
      order: mine,
      claim: dup,
      extra: { customerOrders: [twin(2)], customerCases: [priorCase({ orderId: '900003', items: ['HP-200'], status: 'denied' })] },
      expect: approved(30900, 'duplicate_order', ['R-5'], 1000),
    },
    {
      name: 'placed 30 calendar days ago → still in window',
      order: makeOrder({ placedAt: daysAgo(30, '23:00:00'), deliveredAt: daysAgo(28) }),
      claim: dup,
      extra: { customerOrders: [makeOrder({ id: '900009', placedAt: daysAgo(31, '23:30:00') })] },
      expect: approved(30900, 'duplicate_order', ['R-5'], 1000),
    },
    {
      name: 'placed 31 calendar days ago → none',
      order: makeOrder({ placedAt: daysAgo(31, '00:10:00'), deliveredAt: daysAgo(28) }),
      claim: dup,
      extra: { customerOrders: [makeOrder({ id: '900009', placedAt: daysAgo(31, '01:00:00') })] },
      expect: denied('outside_window', ['R-5', 'R-10']),
    },
  ]);
});

describe('R-6.1 unused subscription: usedDays 0 within 7 days of purchase', () => {
  const sub = (placedAt: Date, usedDays = 0) =>
    makeOrder({ items: [{ ...VIP_YEAR, usedDays }], shippingFee: 0, placedAt, deliveredAt: placedAt });
  run([
    { name: 'unused, day 7 → full', order: sub(daysAgo(7, '23:00:00')), claim: claim('unused_subscription', ['VIP-Y'], false), expect: approved(19800, 'unused_subscription', ['R-6.1'], 0) },
    {
      name: 'unused, day 8 → none, hints service_issue',
      order: sub(daysAgo(8, '01:00:00')),
      claim: claim('unused_subscription', ['VIP-Y'], false),
      expect: denied('subscription_window_passed', ['R-6.1', 'R-10', 'R-6.2']),
    },
    {
      name: 'used one day → none, hints service_issue',
      order: sub(daysAgo(2), 1),
      claim: claim('unused_subscription', ['VIP-Y'], false),
      expect: denied('subscription_used', ['R-6.1', 'R-6.2']),
    },
    { name: 'a physical item → not eligible', order: makeOrder(), claim: claim('unused_subscription', ['HP-200'], false), expect: denied('kind_not_eligible', ['R-6.1']) },
  ]);
});

describe('R-6.2 service issue: prorated, rounded down, proof, always review', () => {
  const sub = (item: Partial<typeof VIP_YEAR>) => makeOrder({ items: [{ ...VIP_YEAR, ...item }], shippingFee: 0, placedAt: daysAgo(40), deliveredAt: daysAgo(40) });
  const held = (outcome: 'full' | 'partial', amount: number): Partial<Decision> => ({
    outcome,
    amount,
    status: 'pending_review',
    reason: 'prorated_review',
    clauses: ['R-6.2'],
    guardrails: [],
    shipping: 0,
  });
  run([
    // 19800 × (365 − 40) / 365 = 6 435 000 / 365 = 17630.14 → 17630
    { name: '¥198 year, 40 days used → ¥176.30', order: sub({ usedDays: 40 }), claim: claim('service_issue', ['VIP-Y']), expect: held('partial', 17630) },
    // 1000 × 2 / 3 = 666.67 → 666 (never rounded up)
    { name: '¥10 for 3 days, 1 used → 666 fen, rounded down', order: sub({ unitPrice: 1000, subscriptionDays: 3, usedDays: 1 }), claim: claim('service_issue', ['VIP-Y']), expect: held('partial', 666) },
    { name: 'nothing used → the full amount, still reviewed', order: sub({ usedDays: 0 }), claim: claim('service_issue', ['VIP-Y']), expect: held('full', 19800) },
    {
      name: 'missing proof → still prorated_review, guardrail recorded',
      order: sub({ usedDays: 40 }),
      claim: claim('service_issue', ['VIP-Y'], false),
      expect: { ...held('partial', 17630), clauses: ['R-6.2', 'R-9.2'], guardrails: ['missing_proof'] },
    },
    {
      name: 'a one-off service without a period → a person decides the amount',
      order: makeOrder({ items: [{ sku: 'INSTALL-1', name: 'Installation', kind: 'service', quantity: 1, unitPrice: 19900 }], shippingFee: 0 }),
      claim: claim('service_issue', ['INSTALL-1']),
      expect: { outcome: 'review', amount: 0, status: 'pending_review', reason: 'needs_review', clauses: ['R-6.2'] },
    },
  ]);
});

describe('R-7 billing error, promotion issue, other → human review', () => {
  const rows: [Category, string][] = [
    ['billing_error', 'R-7.1'],
    ['promotion_issue', 'R-7.2'],
    ['other', 'R-7.3'],
  ];
  run(
    rows.map(([category, clause]) => ({
      name: category,
      order: makeOrder(),
      claim: claim(category, ['HP-200'], false),
      expect: { outcome: 'review', amount: 0, status: 'pending_review', reason: 'needs_review', clauses: [clause], lines: [] },
    })),
  );
});

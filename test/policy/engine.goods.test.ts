import { beforeAll, describe, expect, it } from 'vitest';
import type { Category } from '../../src/domain/categories.ts';
import type { Order } from '../../src/domain/order.ts';
import { decide } from '../../src/policy/engine.ts';
import type { PolicyRules } from '../../src/policy/rules.ts';
import { CABLE, CASE_2X, HEADPHONES, VIP_YEAR, claim, daysAgo, defaultRules, input, makeOrder } from './fixtures.ts';
import { type Row, approved, denied, runRows, threeItems } from './table.ts';

/** SPEC §4 rows for physical goods: not shipped, cancelled, faulty/wrong/damaged, changed mind, not received. */

let rules: PolicyRules;
beforeAll(async () => {
  rules = await defaultRules();
});
const run = (rows: Row[]) => runRows(() => rules, rows);

describe('R-1.1 not yet shipped: any reason → full refund incl. shipping, no proof', () => {
  const processing = (o: Partial<Order> = {}) => makeOrder({ status: 'processing', deliveredAt: null, ...o });
  const reasons: Category[] = ['changed_mind', 'defective', 'billing_error', 'not_received', 'other'];
  run(
    reasons.map((category) => ({
      name: `${category} on a processing order without proof`,
      order: processing(),
      claim: claim(category, ['HP-200'], false),
      expect: approved(30900, 'not_yet_shipped', ['R-1.1'], 1000),
    })),
  );
  run([
    {
      name: 'one item claimed → the whole order is cancelled and refunded',
      order: threeItems({ status: 'processing', deliveredAt: null }),
      claim: claim('changed_mind', ['CBL-C'], false),
      expect: {
        ...approved(38890, 'not_yet_shipped', ['R-1.1'], 1200),
        lines: [
          { sku: 'HP-200', amount: 27695 },
          { sku: 'CASE-01', amount: 7225 },
          { sku: 'CBL-C', amount: 2770 },
        ],
      },
    },
  ]);
});

describe('R-1.2 cancelled orders', () => {
  run([
    { name: 'cancelled → none', order: makeOrder({ status: 'cancelled' }), claim: claim('defective'), expect: denied('order_cancelled', ['R-1.2']) },
  ]);
});

describe('R-2.1–R-2.3 defective / wrong item / not as described: 30 days from delivery, proof', () => {
  const cases: [Category, string][] = [
    ['defective', 'R-2.1'],
    ['wrong_item', 'R-2.2'],
    ['not_as_described', 'R-2.3'],
  ];
  for (const [category, clause] of cases) {
    run([
      {
        name: `${category}: delivered today`,
        order: makeOrder({ deliveredAt: daysAgo(0, '00:30:00') }),
        claim: claim(category),
        expect: approved(30900, 'within_window', [clause], 1000),
      },
      {
        name: `${category}: last day (delivered 30 calendar days ago, late evening)`,
        order: makeOrder({ placedAt: daysAgo(33), deliveredAt: daysAgo(30, '23:59:59') }),
        claim: claim(category),
        expect: approved(30900, 'within_window', [clause], 1000),
      },
      {
        name: `${category}: first day after (delivered 31 calendar days ago, just after midnight)`,
        order: makeOrder({ placedAt: daysAgo(33), deliveredAt: daysAgo(31, '00:00:01') }),
        claim: claim(category),
        expect: denied('outside_window', [clause, 'R-10']),
      },
    ]);
  }
  run([
    {
      name: 'one item of three → its paid amount after discount, no shipping',
      order: threeItems(),
      claim: claim('defective', ['HP-200']),
      expect: { ...approved(27695, 'within_window', ['R-2.1'], 0), lines: [{ sku: 'HP-200', amount: 27695 }] },
    },
    {
      name: 'two items of three → their paid amounts, still no shipping',
      order: threeItems(),
      claim: claim('wrong_item', ['CBL-C', 'CASE-01']),
      expect: approved(7225 + 2770, 'within_window', ['R-2.2'], 0),
    },
    {
      name: 'every item → everything paid, shipping included',
      order: threeItems(),
      claim: claim('defective', ['HP-200', 'CASE-01', 'CBL-C']),
      expect: approved(38890, 'within_window', ['R-2.1'], 1200),
    },
    {
      name: 'shipped but not delivered yet → a person checks, amount proposed',
      order: makeOrder({ status: 'shipped', deliveredAt: null }),
      claim: claim('defective'),
      expect: { outcome: 'review', amount: 30900, status: 'pending_review', reason: 'not_delivered_yet', clauses: ['R-2.1'] },
    },
  ]);
});

describe('R-2.4 damaged in transit: 7 days from delivery, proof', () => {
  run([
    {
      name: 'last day (7 calendar days)',
      order: makeOrder({ deliveredAt: daysAgo(7, '23:59:00') }),
      claim: claim('damaged_in_transit'),
      expect: approved(30900, 'within_window', ['R-2.4'], 1000),
    },
    {
      name: 'first day after (8 calendar days)',
      order: makeOrder({ deliveredAt: daysAgo(8, '00:00:00') }),
      claim: claim('damaged_in_transit'),
      expect: denied('outside_window', ['R-2.4', 'R-10']),
    },
  ]);
});

describe('R-3 changed mind: physical only, 7 days, no proof, shipping never refunded', () => {
  const sub = makeOrder({ items: [VIP_YEAR], shippingFee: 0 });
  const service = makeOrder({ items: [{ sku: 'SUP-90', name: 'Support', kind: 'service', quantity: 1, unitPrice: 29900 }], shippingFee: 0 });
  run([
    {
      name: 'whole order within 7 days → item refunded, shipping kept',
      order: makeOrder({ deliveredAt: daysAgo(7, '23:00:00') }),
      claim: claim('changed_mind', ['HP-200'], false),
      expect: { ...approved(29900, 'within_window', ['R-3'], 0), lines: [{ sku: 'HP-200', amount: 29900 }] },
    },
    {
      name: 'every item of a three-item order → still no shipping',
      order: threeItems(),
      claim: claim('changed_mind', ['HP-200', 'CASE-01', 'CBL-C'], false),
      expect: approved(38890 - 1200, 'within_window', ['R-3'], 0),
    },
    {
      name: 'day 8 → none',
      order: makeOrder({ deliveredAt: daysAgo(8) }),
      claim: claim('changed_mind', ['HP-200'], false),
      expect: denied('outside_window', ['R-3', 'R-10']),
    },
    { name: 'subscription → not eligible', order: sub, claim: claim('changed_mind', ['VIP-Y'], false), expect: denied('kind_not_eligible', ['R-3']) },
    { name: 'service → not eligible', order: service, claim: claim('changed_mind', ['SUP-90'], false), expect: denied('kind_not_eligible', ['R-3']) },
    {
      name: 'physical + subscription in one claim → not eligible',
      order: makeOrder({ items: [HEADPHONES, VIP_YEAR] }),
      claim: claim('changed_mind', ['HP-200', 'VIP-Y'], false),
      expect: denied('kind_not_eligible', ['R-3']),
    },
  ]);
});

describe('R-4 not received', () => {
  const shipped = (placedAt: Date, o: Partial<Order> = {}) => makeOrder({ status: 'shipped', placedAt, deliveredAt: null, ...o });
  run([
    {
      name: 'not delivered, placed 7 calendar days ago (late evening) → full incl. shipping',
      order: shipped(daysAgo(7, '23:59:00')),
      claim: claim('not_received', ['HP-200'], false),
      expect: approved(30900, 'not_received', ['R-4.1'], 1000),
    },
    {
      name: 'not delivered, placed 6 calendar days ago → wait',
      order: shipped(daysAgo(6, '00:00:00')),
      claim: claim('not_received', ['HP-200'], false),
      expect: denied('wait_for_delivery', ['R-4.1']),
    },
    {
      name: 'one item claimed of a lost parcel → the whole order incl. shipping',
      order: shipped(daysAgo(12), { items: [HEADPHONES, CASE_2X, CABLE], shippingFee: 1200, discount: 3000 }),
      claim: claim('not_received', ['CBL-C'], false),
      expect: approved(38890, 'not_received', ['R-4.1'], 1200),
    },
    {
      name: 'marked delivered → human review (carrier dispute), amount proposed',
      order: makeOrder(),
      claim: claim('not_received', ['HP-200'], false),
      expect: { outcome: 'review', amount: 30900, status: 'pending_review', reason: 'marked_delivered', clauses: ['R-4.2'] },
    },
  ]);
});

it('uses the clock given in the input, not the system clock', async () => {
  const order = makeOrder({ deliveredAt: new Date('2020-01-01T12:00:00Z') });
  const at = (now: string) => decide(rules, input(order, claim('defective'), { now: new Date(now) })).status;
  expect(at('2020-01-31T23:59:59Z')).toBe('approved');
  expect(at('2020-02-01T00:00:00Z')).toBe('denied');
});

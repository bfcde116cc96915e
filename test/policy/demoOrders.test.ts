import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES, type Category } from '../../src/domain/categories.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import type { OrderDirectory } from '../../src/domain/order.ts';
import { loadOrdersFile } from '../../src/orders/fileDirectory.ts';
import { decide } from '../../src/policy/engine.ts';
import type { PolicyRules } from '../../src/policy/rules.ts';
import type { Decision, PriorCase } from '../../src/policy/types.ts';
import { ROOT, defaultRules } from './fixtures.ts';

/**
 * The demo orders (knowledge/policy/DEMO_ORDERS.md) demonstrate every SPEC §4 row. These are the
 * outcomes that table promises, amounts in fen/cents worked out by hand, checked on the asOf day
 * and years later (asOf keeps the windows live).
 */
type Row = [orderId: string, category: Category, skus: string[] | 'all', expect: Partial<Decision>, hasProof?: boolean];

const ok = (amount: number, reason: string): Partial<Decision> => ({ outcome: 'full', amount, status: 'approved', reason });
const no = (reason: string): Partial<Decision> => ({ outcome: 'none', amount: 0, status: 'denied', reason });
const held = (outcome: Decision['outcome'], amount: number, reason: string): Partial<Decision> => ({ outcome, amount, status: 'pending_review', reason });

const ROWS: Row[] = [
  ['100101', 'changed_mind', ['HP-200'], ok(30900, 'not_yet_shipped'), false],
  ['100102', 'defective', ['SPK-10'], ok(20700, 'within_window')],
  ['100102', 'changed_mind', ['SPK-10'], no('outside_window'), false],
  ['100103', 'changed_mind', ['HP-200'], ok(27695, 'within_window'), false], // 29900 − 2205 discount share, no shipping
  ['100103', 'defective', 'all', ok(38890, 'within_window')],
  ['100104', 'defective', ['KB-87'], ok(34900, 'within_window')], // delivered 30 days ago: last day
  ['100105', 'defective', ['MS-3'], no('outside_window')], // 31 days: first day after
  ['100106', 'damaged_in_transit', ['MUG-2'], ok(9900, 'within_window')], // 7 days: last day, whole order incl. ¥10 shipping
  ['100107', 'damaged_in_transit', ['LAMP-1'], no('outside_window')], // 8 days
  ['100107', 'defective', ['LAMP-1'], ok(16900, 'within_window')],
  ['100108', 'not_received', ['BAG-5'], ok(25100, 'not_received'), false],
  ['100109', 'not_received', ['TEE-M'], no('wait_for_delivery'), false],
  ['100110', 'not_received', ['PWR-20'], held('review', 14900, 'marked_delivered'), false],
  ['100111', 'duplicate_order', ['KETTLE-1'], ok(15900, 'duplicate_order'), false],
  ['100112', 'duplicate_order', ['KETTLE-1'], ok(15900, 'duplicate_order'), false],
  ['100113', 'duplicate_order', ['KETTLE-1'], held('review', 15900, 'duplicate_unconfirmed'), false],
  ['100114', 'unused_subscription', ['VIP-M'], ok(2500, 'unused_subscription'), false],
  ['100114', 'changed_mind', ['VIP-M'], no('kind_not_eligible'), false],
  ['100115', 'unused_subscription', ['VIP-Y'], no('subscription_window_passed'), false],
  ['100115', 'service_issue', ['VIP-Y'], held('partial', 17630, 'prorated_review')], // 19800 × 325/365
  ['100116', 'unused_subscription', ['CLOUD-M'], no('subscription_used'), false],
  ['100116', 'service_issue', ['CLOUD-M'], held('partial', 2700, 'prorated_review')], // 3000 × 27/30
  ['100117', 'service_issue', ['SUP-90'], held('partial', 19933, 'prorated_review')], // 29900 × 60/90 = 19933.3
  ['100117', 'service_issue', ['INSTALL-1'], held('review', 0, 'needs_review')],
  ['100118', 'defective', ['PHONE-X'], held('full', 399900, 'over_auto_approve_limit')],
  ['100119', 'defective', ['AIR-1'], ok(50000, 'within_window')], // 520 − 20 discount = exactly 500.00
  ['100120', 'changed_mind', ['SPK-MINI'], ok(5999, 'within_window'), false], // USD, shipping kept
  ['100121', 'defective', ['MON-27'], held('full', 52900, 'over_auto_approve_limit')], // USD 529.00
  ['100124', 'defective', ['TOWEL-2'], ok(8900, 'within_window')], // no earlier cases yet
  ['100125', 'defective', ['HDMI-2'], no('order_cancelled')],
  ['100126', 'not_as_described', ['SCARF-S'], ok(26900, 'within_window')],
  ['100127', 'billing_error', ['WATCH-S'], held('review', 0, 'needs_review'), false],
  ['100127', 'promotion_issue', ['WATCH-S'], held('review', 0, 'needs_review'), false],
  ['100128', 'wrong_item', ['SHOE-40'], ok(39900, 'within_window')],
  ['100128', 'other', ['SHOE-40'], held('review', 0, 'needs_review'), false],
  ['100128', 'wrong_item', ['SHOE-40'], held('full', 39900, 'missing_proof'), false],
];

let rules: PolicyRules;
beforeAll(async () => {
  rules = await defaultRules();
});

for (const now of ['2026-11-20T10:00:00Z', '2029-07-01T22:30:00Z']) {
  describe(`demo orders on ${now}`, () => {
    let orders: OrderDirectory;
    const clock = new FixedClock(now);
    beforeAll(async () => {
      orders = await loadOrdersFile(path.join(ROOT, 'knowledge/orders.demo.json'), clock);
    });

    async function decideDemo(orderId: string, category: Category, skus: string[] | 'all', hasProof: boolean, customerCases: PriorCase[] = []) {
      const order = await orders.get(orderId);
      if (order === undefined) throw new Error(`demo order ${orderId} missing`);
      const claimed = skus === 'all' ? order.items.map((i) => i.sku) : skus;
      const customerOrders = await orders.byCustomer(order.customer.id);
      return decide(rules, { order, claim: { category, skus: claimed, hasProof }, customerCases, customerOrders, now: clock.now() });
    }

    it.each(ROWS)('%s %s %j', async (orderId, category, skus, expected, hasProof = true) => {
      expect(await decideDemo(orderId, category, skus, hasProof)).toMatchObject(expected);
    });

    it('Liu Yang (c-1022): a fourth claim after three cases waits for review', async () => {
      const at = (days: number) => new Date(clock.now().getTime() - days * 86_400_000);
      const cases: PriorCase[] = [
        { id: 'RF-A', orderId: '100122', items: ['SOCK-3'], status: 'approved', createdAt: at(20) },
        { id: 'RF-B', orderId: '100122', items: ['CAP-1'], status: 'approved', createdAt: at(15) },
        { id: 'RF-C', orderId: '100123', items: ['BOTTLE-1'], status: 'refunded', createdAt: at(5) },
      ];
      expect(await decideDemo('100124', 'defective', ['TOWEL-2'], true, cases)).toMatchObject(held('full', 8900, 'repeat_refunder'));
      expect(await decideDemo('100124', 'defective', ['TOWEL-2'], true, cases.slice(1))).toMatchObject(ok(8900, 'within_window'));
    });
  });
}

it('covers every category', () => {
  expect([...new Set(ROWS.map(([, category]) => category))].sort()).toEqual([...CATEGORIES].sort());
});

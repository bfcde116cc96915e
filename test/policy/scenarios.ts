import type { DecisionInput } from '../../src/policy/types.ts';
import type { ReasonCode } from '../../src/policy/reasons.ts';
import { CABLE, CASE_2X, HEADPHONES, VIP_YEAR, claim, daysAgo, input, makeOrder, priorCase } from './fixtures.ts';

/** One input per reason code (and a few more), for properties every decision must have. */
export interface Scenario {
  name: string;
  reason: ReasonCode;
  input: DecisionInput;
}

const multi = makeOrder({ items: [HEADPHONES, CASE_2X, CABLE], shippingFee: 1200, discount: 3000 });
const sub = (usedDays: number, placedDaysAgo: number) =>
  makeOrder({ items: [{ ...VIP_YEAR, usedDays }], shippingFee: 0, placedAt: daysAgo(placedDaysAgo), deliveredAt: daysAgo(placedDaysAgo) });
const shipped = (placed: number) => makeOrder({ status: 'shipped', placedAt: daysAgo(placed), deliveredAt: null });
const twinA = makeOrder({ id: '900020', placedAt: daysAgo(3, '08:00:00'), deliveredAt: daysAgo(1) });
const twinB = makeOrder({ id: '900021', placedAt: daysAgo(2, '08:00:00'), deliveredAt: daysAgo(1) });
const history = [1, 2, 3].map((d) => priorCase({ id: `RF-${d}`, createdAt: daysAgo(d) }));

export const SCENARIOS: Scenario[] = [
  { name: 'processing', reason: 'not_yet_shipped', input: input(makeOrder({ status: 'processing' }), claim('other')) },
  { name: 'cancelled', reason: 'order_cancelled', input: input(makeOrder({ status: 'cancelled' }), claim('defective')) },
  { name: 'defective in window', reason: 'within_window', input: input(multi, claim('defective', ['CASE-01'])) },
  { name: 'changed mind whole order', reason: 'within_window', input: input(multi, claim('changed_mind', ['HP-200', 'CASE-01', 'CBL-C'], false)) },
  { name: 'defective late', reason: 'outside_window', input: input(makeOrder({ deliveredAt: daysAgo(40) }), claim('defective')) },
  { name: 'defective not delivered', reason: 'not_delivered_yet', input: input(shipped(3), claim('defective')) },
  { name: 'changed mind subscription', reason: 'kind_not_eligible', input: input(sub(0, 1), claim('changed_mind', ['VIP-Y'], false)) },
  { name: 'service issue', reason: 'prorated_review', input: input(sub(100, 100), claim('service_issue', ['VIP-Y'])) },
  { name: 'billing error', reason: 'needs_review', input: input(multi, claim('billing_error', ['HP-200'], false)) },
  { name: 'lost parcel', reason: 'not_received', input: input(shipped(9), claim('not_received', ['HP-200'], false)) },
  { name: 'early lost parcel', reason: 'wait_for_delivery', input: input(shipped(2), claim('not_received', ['HP-200'], false)) },
  { name: 'delivered but not received', reason: 'marked_delivered', input: input(makeOrder(), claim('not_received', ['HP-200'], false)) },
  { name: 'duplicate with twin', reason: 'duplicate_order', input: input(twinB, claim('duplicate_order', ['HP-200'], false), { customerOrders: [twinA, twinB] }) },
  { name: 'duplicate without twin', reason: 'duplicate_unconfirmed', input: input(twinB, claim('duplicate_order', ['HP-200'], false)) },
  { name: 'unused subscription', reason: 'unused_subscription', input: input(sub(0, 3), claim('unused_subscription', ['VIP-Y'], false)) },
  { name: 'used subscription', reason: 'subscription_used', input: input(sub(2, 3), claim('unused_subscription', ['VIP-Y'], false)) },
  { name: 'late subscription', reason: 'subscription_window_passed', input: input(sub(0, 20), claim('unused_subscription', ['VIP-Y'], false)) },
  {
    name: 'second claim',
    reason: 'already_claimed',
    input: input(multi, claim('defective', ['HP-200']), { customerCases: [priorCase({ orderId: multi.id, items: ['HP-200'] })] }),
  },
  { name: 'no items', reason: 'no_items_claimed', input: input(multi, claim('defective', [])) },
  { name: 'unknown item', reason: 'item_not_in_order', input: input(multi, claim('defective', ['GHOST'])) },
  { name: 'unknown and known item', reason: 'item_not_in_order', input: input(multi, claim('defective', ['GHOST', 'CBL-C'])) },
  { name: 'no proof', reason: 'missing_proof', input: input(multi, claim('defective', ['HP-200'], false)) },
  { name: 'frequent refunds', reason: 'repeat_refunder', input: input(multi, claim('changed_mind', ['CBL-C'], false), { customerCases: history }) },
  {
    name: 'expensive',
    reason: 'over_auto_approve_limit',
    input: input(makeOrder({ items: [{ ...HEADPHONES, unitPrice: 399900 }] }), claim('defective')),
  },
  {
    name: 'expensive subscription prorated',
    reason: 'prorated_review',
    input: input(makeOrder({ items: [{ ...VIP_YEAR, unitPrice: 120000, usedDays: 10 }], shippingFee: 0 }), claim('service_issue', ['VIP-Y'])),
  },
];

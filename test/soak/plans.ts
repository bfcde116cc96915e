import type { Answers } from '../support/drive.ts';

/** What a soak conversation is expected to end in, by the policy (knowledge/policy/rules.json). */
export type Expected = 'approved' | 'pending_review' | 'denied';

/** One scripted customer: their own order, what they say, and what the policy should decide. */
export interface ConversationPlan {
  index: number;
  orderId: string;
  expected: Expected;
  opener: string;
  answers: Answers;
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface Kind {
  expected: Expected;
  item: { name: string; unitPrice: number };
  status: 'processing' | 'delivered';
  /** Days since delivery (delivered orders). */
  deliveredDaysAgo: number;
  reason: string;
  category: string;
  evidence: 'photo' | 'none';
}

// Defective within 30 days with a photo, under the auto-approval limit: approved.
const DEFECTIVE: Kind = { expected: 'approved', item: { name: 'Bluetooth speaker', unitPrice: 199 }, status: 'delivered', deliveredDaysAgo: 5, reason: 'the speaker is broken, it does not turn on', category: 'defective', evidence: 'photo' };
// Not shipped yet, changed mind: approved.
const NOT_SHIPPED: Kind = { expected: 'approved', item: { name: 'Wireless mouse', unitPrice: 89 }, status: 'processing', deliveredDaysAgo: 0, reason: 'I changed my mind, I do not need it any more', category: 'changed_mind', evidence: 'none' };
// Over the auto-approval limit (500): a person decides.
const OVER_LIMIT: Kind = { expected: 'pending_review', item: { name: 'Espresso machine', unitPrice: 899 }, status: 'delivered', deliveredDaysAgo: 4, reason: 'the machine is broken, it does not turn on', category: 'defective', evidence: 'photo' };
// Delivered 40 days ago, outside the 30-day window: denied.
const LATE: Kind = { expected: 'denied', item: { name: 'Desk lamp', unitPrice: 129 }, status: 'delivered', deliveredDaysAgo: 40, reason: 'the lamp is broken, it does not turn on', category: 'defective', evidence: 'photo' };
// Out of every 20 conversations: 13 approved (the webhook's work), 4 for review, 3 denied; mixed, so a short run has each.
const KINDS: Kind[] = [DEFECTIVE, NOT_SHIPPED, OVER_LIMIT, DEFECTIVE, LATE, NOT_SHIPPED, DEFECTIVE, OVER_LIMIT, DEFECTIVE, NOT_SHIPPED, DEFECTIVE, LATE, DEFECTIVE, OVER_LIMIT, NOT_SHIPPED, DEFECTIVE, LATE, DEFECTIVE, OVER_LIMIT, NOT_SHIPPED];

/**
 * `count` customers, each with an order of their own (so no claim is another's duplicate and the
 * repeat-refunder rule never applies), dated from `now`. Returns the plans and the orders file
 * (SPEC §5 shape) for ORDERS_FILE.
 */
export function soakPlans(count: number, now: Date): { plans: ConversationPlan[]; ordersFile: { orders: unknown[] } } {
  const plans: ConversationPlan[] = [];
  const orders: unknown[] = [];
  for (let index = 0; index < count; index++) {
    const kind = KINDS[index % KINDS.length] as Kind;
    const orderId = String(700_000 + index);
    const email = `soak.customer${index}@example.com`;
    const shipping = 8;
    const delivered = new Date(now.getTime() - kind.deliveredDaysAgo * DAY_MS);
    const placed = new Date((kind.status === 'processing' ? now.getTime() : delivered.getTime()) - 3 * DAY_MS);
    orders.push({
      id: orderId,
      customer: { id: `c-soak-${index}`, name: `Soak Customer ${index}`, email, phone: `+86139${String(index).padStart(8, '0')}` },
      placedAt: placed.toISOString(),
      deliveredAt: kind.status === 'delivered' ? delivered.toISOString() : null,
      status: kind.status,
      currency: 'CNY',
      items: [{ sku: `SKU-${index}`, name: kind.item.name, kind: 'physical', quantity: 1, unitPrice: kind.item.unitPrice }],
      shippingFee: shipping,
      discount: 0,
      paid: kind.item.unitPrice + shipping,
      paymentMethod: index % 2 === 0 ? 'alipay' : 'wechat_pay',
    });
    plans.push({
      index,
      orderId,
      expected: kind.expected,
      // A customer who gives one thing at a time: the most turns, so the most exposure to faults.
      opener: 'Hi, I want a refund',
      answers: { orderId: `order ${orderId}`, identity: email, reason: kind.reason, category: kind.category, evidence: kind.evidence, confirm: 'yes' },
    });
  }
  return { plans, ordersFile: { orders } };
}

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Category } from '../../src/domain/categories.ts';
import type { Order, OrderItem } from '../../src/domain/order.ts';
import { type PolicyRules, loadPolicyRules } from '../../src/policy/rules.ts';
import type { Claim, DecisionInput, PriorCase } from '../../src/policy/types.ts';

/** Shared builders for policy tests. Amounts are written by hand in fen/cents, never computed by the code under test. */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const POLICY_DIR = path.join(ROOT, 'knowledge/policy');
export const RULES_PATH = path.join(POLICY_DIR, 'rules.json');

/** The shipped default policy (SPEC §4). */
export function defaultRules(): Promise<PolicyRules> {
  return loadPolicyRules(RULES_PATH);
}

/** "Now" of every engine test: mid-morning UTC, 2026-11-20. */
export const NOW = new Date('2026-11-20T10:00:00Z');

/** An instant `days` UTC calendar days before NOW's date, at the given UTC time of day. */
export function daysAgo(days: number, time = '12:00:00'): Date {
  const date = new Date(Date.UTC(2026, 10, 20 - days));
  return new Date(`${date.toISOString().slice(0, 10)}T${time}Z`);
}

export const HEADPHONES: OrderItem = { sku: 'HP-200', name: 'Wireless headphones', kind: 'physical', quantity: 1, unitPrice: 29900 };
export const CASE_2X: OrderItem = { sku: 'CASE-01', name: 'Phone case', kind: 'physical', quantity: 2, unitPrice: 3900 };
export const CABLE: OrderItem = { sku: 'CBL-C', name: 'USB-C cable', kind: 'physical', quantity: 1, unitPrice: 2990 };
export const VIP_YEAR: OrderItem = {
  sku: 'VIP-Y',
  name: 'VIP membership (1 year)',
  kind: 'subscription',
  quantity: 1,
  unitPrice: 19800,
  subscriptionDays: 365,
  usedDays: 0,
};

/**
 * A delivered single-item order (headphones ¥299 + ¥10 shipping, paid ¥309) delivered 5 days
 * before NOW; `paid` is recomputed from the overrides by plain arithmetic.
 */
export function makeOrder(overrides: Partial<Order> = {}): Order {
  const base: Order = {
    id: '900001',
    customer: { id: 'c-1', name: 'Li Lei', email: 'lilei@example.com', phone: '+8613800000000' },
    placedAt: daysAgo(8),
    deliveredAt: daysAgo(5),
    status: 'delivered',
    currency: 'CNY',
    items: [HEADPHONES],
    shippingFee: 1000,
    discount: 0,
    paid: 0,
    paymentMethod: 'alipay',
  };
  const order = { ...base, ...overrides };
  if (overrides.paid === undefined) {
    const goods = order.items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);
    order.paid = goods + order.shippingFee - order.discount;
  }
  if (order.status !== 'delivered' && overrides.deliveredAt === undefined) order.deliveredAt = null;
  return order;
}

export function claim(category: Category, skus: string[] = ['HP-200'], hasProof = true): Claim {
  return { category, skus, hasProof };
}

export function priorCase(overrides: Partial<PriorCase> = {}): PriorCase {
  return { id: 'RF-1', orderId: '800001', items: ['X-1'], status: 'approved', createdAt: daysAgo(10), ...overrides };
}

export function input(order: Order, c: Claim, extra: Partial<DecisionInput> = {}): DecisionInput {
  return { order, claim: c, customerCases: [], customerOrders: [order], now: NOW, ...extra };
}

import type { Order } from '../../src/domain/order.ts';

/** The SPEC §5 example order (100234, Li Lei), in minor units, as the orders loader makes it; `overrides` change any field. */
export function specOrder(overrides: Partial<Order> = {}): Order {
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
    ...overrides,
  };
}

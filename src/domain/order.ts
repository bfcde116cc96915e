import type { Minor } from './money.ts';

/** Order statuses (SPEC §5). */
export const ORDER_STATUSES = ['processing', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ITEM_KINDS = ['physical', 'subscription', 'service'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export const PAYMENT_METHODS = ['alipay', 'wechat_pay', 'card', 'bank_transfer', 'paypal'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface Customer {
  id: string;
  name: string;
  email?: string;
  phone?: string;
}

/** One order line, amounts in minor units of the order's currency. */
export interface OrderItem {
  sku: string;
  name: string;
  kind: ItemKind;
  quantity: number;
  unitPrice: Minor;
  subscriptionDays?: number;
  usedDays?: number;
}

/** An order as the program sees it: validated, dates parsed, money in minor units. */
export interface Order {
  id: string;
  customer: Customer;
  placedAt: Date;
  deliveredAt: Date | null;
  status: OrderStatus;
  currency: string;
  items: OrderItem[];
  shippingFee: Minor;
  discount: Minor;
  paid: Minor;
  paymentMethod: PaymentMethod;
}

/**
 * Port: where orders come from — the demo/orders file, or the merchant's order API. Both may be
 * asked on any turn; the API may also fail: then both methods throw `OrdersUnavailableError`
 * (src/errors.ts), which callers must never read as "no such order" — the customer is handed to
 * people instead (dialogs/ordersUnavailable.ts).
 */
export interface OrderDirectory {
  /** The order, or `undefined` when there is no such order. */
  get(orderId: string): Promise<Order | undefined>;
  /** All orders of one customer (for the duplicate-order rule). */
  byCustomer(customerId: string): Promise<Order[]>;
}

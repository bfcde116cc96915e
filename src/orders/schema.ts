import { z } from 'zod';
import { fromMinor, toMinor } from '../domain/money.ts';
import { ITEM_KINDS, ORDER_STATUSES, PAYMENT_METHODS } from '../domain/order.ts';

/**
 * The orders file (SPEC §5) as it is on disk: decimal amounts, ISO 8601 dates. zod is the single
 * source of truth for its shape; the cross-field checks below catch files that are well-typed but
 * inconsistent (paid ≠ items + shipping − discount) before a customer sees a wrong refund.
 */

/** A decimal amount in the order's currency (its precision is checked per currency below). */
const Amount = z.number().nonnegative();
/** An ISO 8601 instant with a zone (`Z` or `+08:00`), so no date depends on the server's zone. */
const Instant = z.iso.datetime({ offset: true });

const CustomerSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  email: z.email().optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9][0-9 ()-]{3,24}$/, 'expected a phone number like +8613800000000')
    .optional(),
});

const ItemSchema = z.object({
  sku: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(ITEM_KINDS),
  quantity: z.number().int().positive(),
  unitPrice: Amount,
  /** Length of a subscription / service period, in days. */
  subscriptionDays: z.number().int().positive().optional(),
  /** Days of the period already used. */
  usedDays: z.number().int().nonnegative().optional(),
});

type OrderFields = {
  currency: string;
  placedAt: string;
  deliveredAt: string | null;
  status: (typeof ORDER_STATUSES)[number];
  items: z.infer<typeof ItemSchema>[];
  shippingFee: number;
  discount: number;
  paid: number;
};

/** Amount in minor units, or an issue at `path` when it is finer than the currency allows. */
function minor(value: number, currency: string, path: PropertyKey[], ctx: z.RefinementCtx): number | undefined {
  try {
    return toMinor(value, currency);
  } catch {
    ctx.addIssue({ code: 'custom', path, message: `${value} has more decimals than ${currency} allows` });
    return undefined;
  }
}

function checkAmounts(order: OrderFields, ctx: z.RefinementCtx): void {
  const { currency } = order;
  let goods: number | undefined = 0;
  order.items.forEach((item, i) => {
    const unit = minor(item.unitPrice, currency, ['items', i, 'unitPrice'], ctx);
    goods = goods === undefined || unit === undefined ? undefined : goods + unit * item.quantity;
  });
  const shipping = minor(order.shippingFee, currency, ['shippingFee'], ctx);
  const discount = minor(order.discount, currency, ['discount'], ctx);
  const paid = minor(order.paid, currency, ['paid'], ctx);
  if (goods === undefined || shipping === undefined || discount === undefined || paid === undefined) return;
  if (discount > goods) {
    ctx.addIssue({ code: 'custom', path: ['discount'], message: 'discount is larger than the items total' });
    return;
  }
  const expected = goods + shipping - discount;
  if (paid !== expected) {
    ctx.addIssue({
      code: 'custom',
      path: ['paid'],
      message: `${order.paid} does not equal items + shippingFee − discount = ${fromMinor(expected, currency)}`,
    });
  }
}

function checkDates(order: OrderFields, ctx: z.RefinementCtx): void {
  if (order.status === 'delivered' && order.deliveredAt === null) {
    ctx.addIssue({ code: 'custom', path: ['deliveredAt'], message: 'a delivered order needs deliveredAt' });
  }
  if ((order.status === 'processing' || order.status === 'shipped') && order.deliveredAt !== null) {
    ctx.addIssue({ code: 'custom', path: ['deliveredAt'], message: `must be null while the order is ${order.status}` });
  }
  if (order.deliveredAt !== null && Date.parse(order.deliveredAt) < Date.parse(order.placedAt)) {
    ctx.addIssue({ code: 'custom', path: ['deliveredAt'], message: 'is before placedAt' });
  }
}

function checkItems(order: OrderFields, ctx: z.RefinementCtx): void {
  const skus = new Set<string>();
  order.items.forEach((item, i) => {
    if (skus.has(item.sku)) ctx.addIssue({ code: 'custom', path: ['items', i, 'sku'], message: `SKU ${item.sku} appears twice` });
    skus.add(item.sku);
    const periodic = item.subscriptionDays !== undefined || item.usedDays !== undefined;
    if (item.kind === 'subscription' && (item.subscriptionDays === undefined || item.usedDays === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['items', i], message: 'a subscription needs subscriptionDays and usedDays' });
    } else if (item.kind === 'physical' && periodic) {
      ctx.addIssue({ code: 'custom', path: ['items', i], message: 'subscriptionDays/usedDays are only for subscriptions and services' });
    } else if (item.usedDays !== undefined && item.subscriptionDays === undefined) {
      ctx.addIssue({ code: 'custom', path: ['items', i, 'subscriptionDays'], message: 'usedDays needs subscriptionDays' });
    } else if (item.usedDays !== undefined && item.subscriptionDays !== undefined && item.usedDays > item.subscriptionDays) {
      ctx.addIssue({ code: 'custom', path: ['items', i, 'usedDays'], message: 'usedDays is larger than subscriptionDays' });
    }
  });
}

/** What an order id may be: letters, digits, - and _ (so it is safe in a URL path as it is). */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** One order of the file. */
export const OrderRecordSchema = z
  .object({
    id: z.string().regex(ORDER_ID_PATTERN, 'expected letters, digits, - or _'),
    customer: CustomerSchema,
    placedAt: Instant,
    deliveredAt: Instant.nullable(),
    status: z.enum(ORDER_STATUSES),
    currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code like "CNY"'),
    items: z.array(ItemSchema).min(1),
    shippingFee: Amount,
    discount: Amount,
    paid: Amount,
    paymentMethod: z.enum(PAYMENT_METHODS),
  })
  .superRefine((order, ctx) => {
    checkAmounts(order, ctx);
    checkDates(order, ctx);
    checkItems(order, ctx);
  });
/** An order as written in the file. */
export type OrderRecord = z.infer<typeof OrderRecordSchema>;

/** No order id twice in one list (the file, or the order API's answer for a customer). */
function checkUniqueIds(list: { orders: OrderRecord[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  list.orders.forEach((order, i) => {
    if (seen.has(order.id)) ctx.addIssue({ code: 'custom', path: ['orders', i, 'id'], message: `duplicate order id ${order.id}` });
    seen.add(order.id);
  });
}

/** The whole orders file. */
export const OrdersFileSchema = z
  .object({
    /**
     * The instant the file's dates were written relative to. When present, every date is moved
     * forward by the days since then at load, so demo orders stay within their windows forever.
     */
    asOf: Instant.optional(),
    orders: z.array(OrderRecordSchema),
  })
  .superRefine(checkUniqueIds);
/** The orders file as written. */
export type OrdersFile = z.infer<typeof OrdersFileSchema>;

/**
 * A list of orders as the merchant's order API answers it (`GET /orders?customer=…`): the file's
 * shape without `asOf` — a live API's dates are real, never moved.
 */
export const OrderListSchema = z.object({ orders: z.array(OrderRecordSchema) }).superRefine(checkUniqueIds);

import type { Minor } from '../domain/money.ts';
import type { Order, OrderItem } from '../domain/order.ts';

/**
 * Money arithmetic of refunds, all in integer minor units. Products are computed with BigInt so
 * that `amount × weight` can never lose precision, whatever the order's size.
 */

/**
 * Splits `total` across `weights` in proportion, in whole minor units, so that the shares sum to
 * exactly `total` (largest-remainder method). Each share is first rounded down; the units left
 * over go one each to the largest remainders, ties to the earlier position, so the result is
 * deterministic. With all weights 0 nothing can be allocated and every share is 0.
 */
export function allocateProportionally(total: Minor, weights: readonly Minor[]): Minor[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total <= 0 || sum <= 0) return weights.map(() => 0);
  const bigTotal = BigInt(total);
  const bigSum = BigInt(sum);
  const shares = weights.map((w) => (bigTotal * BigInt(w)) / bigSum);
  const remainders = weights.map((w, index) => ({ index, rest: (bigTotal * BigInt(w)) % bigSum }));
  let left = Number(bigTotal - shares.reduce((a, b) => a + b, 0n));
  remainders.sort((a, b) => (a.rest === b.rest ? a.index - b.index : a.rest > b.rest ? -1 : 1));
  for (const { index } of remainders) {
    if (left === 0) break;
    shares[index] = (shares[index] ?? 0n) + 1n;
    left -= 1;
  }
  return shares.map(Number);
}

/** An order line's price before discount: unit price × quantity. */
export function lineGross(item: OrderItem): Minor {
  return item.unitPrice * item.quantity;
}

/**
 * What the customer paid for each item (by SKU): its gross less its proportional share of the
 * order's discount. The shares sum exactly to the discount, so the amounts plus shipping add up
 * to what was paid. A discount larger than the goods is capped at the goods (it cannot make an
 * item's paid amount negative).
 */
export function itemPaidAmounts(order: Order): Map<string, Minor> {
  const gross = order.items.map(lineGross);
  const goods = gross.reduce((a, b) => a + b, 0);
  const shares = allocateProportionally(Math.min(order.discount, goods), gross);
  const paid = new Map<string, Minor>();
  order.items.forEach((item, index) => {
    paid.set(item.sku, (paid.get(item.sku) ?? 0) + (gross[index] ?? 0) - (shares[index] ?? 0));
  });
  return paid;
}

/**
 * The unused part of a subscription: `paid × (subscriptionDays − usedDays) / subscriptionDays`,
 * rounded down to the minor unit (the merchant never pays back a fraction of a cent it did not
 * receive). Used days are clamped to [0, subscriptionDays].
 */
export function proratedAmount(paid: Minor, subscriptionDays: number, usedDays: number): Minor {
  if (subscriptionDays <= 0) return 0;
  const used = Math.min(Math.max(usedDays, 0), subscriptionDays);
  return Number((BigInt(paid) * BigInt(subscriptionDays - used)) / BigInt(subscriptionDays));
}

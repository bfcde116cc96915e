import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/domain/clock.ts';
import { ConfigError } from '../../src/errors.ts';
import { asOfShiftMs, loadOrdersFile, parseOrdersFile } from '../../src/orders/fileDirectory.ts';
import { specOrder as domainOrder } from '../support/orders.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEMO = path.join(ROOT, 'knowledge/orders.demo.json');
const clock = new FixedClock('2026-11-20T10:00:00Z');

/** The SPEC §5 example order, valid as written. */
function specOrder(): Record<string, any> {
  return {
    id: '100234',
    customer: { id: 'c-17', name: 'Li Lei', email: 'lilei@example.com', phone: '+8613800000000' },
    placedAt: '2026-11-01T10:00:00Z',
    deliveredAt: '2026-11-03T09:00:00Z',
    status: 'delivered',
    currency: 'CNY',
    items: [
      { sku: 'HP-200', name: 'Wireless headphones', kind: 'physical', quantity: 1, unitPrice: 299.0 },
      { sku: 'VIP-Y', name: 'VIP membership (1 year)', kind: 'subscription', quantity: 1, unitPrice: 198.0, subscriptionDays: 365, usedDays: 0 },
    ],
    shippingFee: 10.0,
    discount: 20.0,
    paid: 487.0,
    paymentMethod: 'alipay',
  };
}

function errorOf(data: unknown): ConfigError {
  try {
    parseOrdersFile(data, 'knowledge/x.json', clock);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('the SPEC §5 example', () => {
  it('converts decimals to minor units and dates to Dates', () => {
    const [order] = parseOrdersFile({ orders: [specOrder()] }, 'x.json', clock);
    // Exactly the order as the rest of the tests know it (test/support/orders.ts).
    expect(order).toEqual(domainOrder());
  });
});

describe('a bad orders file names the order and the field', () => {
  const withOrder = (mutate: (o: Record<string, any>) => void, index = 1) => {
    const orders = [specOrder(), { ...specOrder(), id: '100235' }];
    mutate(orders[index] as Record<string, any>);
    return { orders };
  };
  it.each([
    ['a string price', (o: any) => (o.items[0].unitPrice = '299.00'), 'order 100235: items.0.unitPrice: expected number, received string'],
    ['an unknown status', (o: any) => (o.status = 'lost'), 'order 100235: status:'],
    ['an unknown payment method', (o: any) => (o.paymentMethod = 'cash'), 'order 100235: paymentMethod:'],
    ['an unknown item kind', (o: any) => (o.items[1].kind = 'digital'), 'order 100235: items.1.kind:'],
    ['a date without zone', (o: any) => (o.placedAt = '2026-11-01 10:00'), 'order 100235: placedAt: Invalid ISO datetime'],
    ['a bad email', (o: any) => (o.customer.email = 'lilei'), 'order 100235: customer.email:'],
    ['paid not matching', (o: any) => (o.paid = 488.0), 'order 100235: paid: 488 does not equal items + shippingFee − discount = 487'],
    ['a cent too precise', (o: any) => ((o.items[0].unitPrice = 299.001), (o.paid = 487.001)), 'order 100235: items.0.unitPrice: 299.001 has more decimals than CNY allows'],
    ['delivered without deliveredAt', (o: any) => (o.deliveredAt = null), 'order 100235: deliveredAt: a delivered order needs deliveredAt'],
    ['shipped with deliveredAt', (o: any) => (o.status = 'shipped'), 'order 100235: deliveredAt: must be null while the order is shipped'],
    ['delivered before placed', (o: any) => (o.deliveredAt = '2026-10-01T00:00:00Z'), 'order 100235: deliveredAt: is before placedAt'],
    ['usedDays > subscriptionDays', (o: any) => (o.items[1].usedDays = 366), 'order 100235: items.1.usedDays: usedDays is larger than subscriptionDays'],
    ['a subscription without days', (o: any) => delete o.items[1].subscriptionDays, 'order 100235: items.1: a subscription needs subscriptionDays and usedDays'],
    ['subscription days on a physical item', (o: any) => (o.items[0].usedDays = 1), 'order 100235: items.0: subscriptionDays/usedDays are only for'],
    ['a SKU twice', (o: any) => ((o.items[1].sku = 'HP-200')), 'order 100235: items.1.sku: SKU HP-200 appears twice'],
    ['a fractional quantity', (o: any) => (o.items[0].quantity = 1.5), 'order 100235: items.0.quantity:'],
    ['no items', (o: any) => ((o.items = []), (o.paid = 10), (o.discount = 0)), 'order 100235: items:'],
    ['a discount above the goods', (o: any) => ((o.discount = 600), (o.paid = 0)), 'order 100235: discount: discount is larger than the items total'],
    ['a missing customer', (o: any) => delete o.customer, 'order 100235: customer: expected object, received undefined'],
  ])('%s', (_name, mutate, message) => {
    const error = errorOf(withOrder(mutate));
    expect(error.code).toBe('orders_file_invalid');
    expect(error.message).toContain(`orders file knowledge/x.json: ${message}`);
  });

  it('names an order without an id by its position', () => {
    expect(errorOf(withOrder((o) => delete o.id, 1)).message).toContain('orders file knowledge/x.json: order #2: id:');
  });
  it('rejects duplicate order ids', () => {
    expect(errorOf({ orders: [specOrder(), specOrder()] }).message).toContain('order 100234: id: duplicate order id 100234');
  });
  it('rejects a file without orders or with a bad asOf', () => {
    expect(errorOf({}).message).toContain('orders file knowledge/x.json: orders: expected array');
    expect(errorOf({ asOf: 'yesterday', orders: [] }).message).toContain('orders file knowledge/x.json: asOf:');
  });
  it('accepts USD amounts with cents and checks them in cents', () => {
    const usd = { ...specOrder(), currency: 'USD', items: [{ sku: 'A', name: 'A', kind: 'physical', quantity: 3, unitPrice: 0.1 }], shippingFee: 0.2, discount: 0, paid: 0.5 };
    expect(parseOrdersFile({ orders: [usd] }, 'x.json', clock)[0]?.paid).toBe(50);
  });
  it('reports unreadable and non-JSON files as configuration errors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'orders-'));
    await expect(loadOrdersFile(path.join(dir, 'none.json'), clock)).rejects.toMatchObject({ code: 'orders_file_unreadable' });
    await writeFile(path.join(dir, 'bad.json'), '{"orders": [');
    await expect(loadOrdersFile(path.join(dir, 'bad.json'), clock)).rejects.toMatchObject({ code: 'orders_file_invalid' });
  });
});

describe('asOf: demo dates that stay current', () => {
  it('moves dates by the whole days between asOf and now, keeping the time of day', () => {
    const data = { asOf: '2026-11-20T00:00:00Z', orders: [specOrder()] };
    const [order] = parseOrdersFile(data, 'x.json', new FixedClock('2027-03-05T15:30:00Z'));
    // 2026-11-20 → 2027-03-05 is 105 days: 2026-11-01 + 105 d = 2027-02-14, 2026-11-03 + 105 d = 2027-02-16
    expect(order?.placedAt).toEqual(new Date('2027-02-14T10:00:00Z'));
    expect(order?.deliveredAt).toEqual(new Date('2027-02-16T09:00:00Z'));
  });
  it('leaves dates alone on the asOf date itself', () => {
    const [order] = parseOrdersFile({ asOf: '2026-11-20T00:00:00Z', orders: [specOrder()] }, 'x.json', new FixedClock('2026-11-20T23:59:00Z'));
    expect(order?.placedAt).toEqual(new Date('2026-11-01T10:00:00Z'));
  });
  it('leaves dates alone without asOf (a merchant file)', () => {
    const [order] = parseOrdersFile({ orders: [specOrder()] }, 'x.json', new FixedClock('2030-01-01T00:00:00Z'));
    expect(order?.placedAt).toEqual(new Date('2026-11-01T10:00:00Z'));
  });
  it('computes the shift in whole days', () => {
    expect(asOfShiftMs(undefined, new Date())).toBe(0);
    expect(asOfShiftMs('2026-11-20T00:00:00Z', new Date('2026-11-21T00:00:00Z'))).toBe(86_400_000);
    expect(asOfShiftMs('2026-11-20T18:00:00Z', new Date('2026-11-21T01:00:00Z'))).toBe(86_400_000);
    expect(asOfShiftMs('2026-11-20T00:00:00Z', new Date('2026-11-19T12:00:00Z'))).toBe(-86_400_000);
  });
});

describe('the demo orders file', () => {
  it('loads and answers by id and by customer, with copies', async () => {
    const directory = await loadOrdersFile(DEMO, clock);
    const order = await directory.get('100103');
    expect(order).toMatchObject({ id: '100103', currency: 'CNY', paid: 38890, shippingFee: 1200, discount: 3000 });
    expect(await directory.get('999999')).toBeUndefined();
    const ids = (await directory.byCustomer('c-1011')).map((o) => o.id).sort();
    expect(ids).toEqual(['100111', '100112', '100113']);
    expect(await directory.byCustomer('nobody')).toEqual([]);
    if (order !== undefined) order.paid = 1;
    expect((await directory.get('100103'))?.paid).toBe(38890);
  });
  it('is written relative to asOf and stays current', async () => {
    const raw = JSON.parse(await readFile(DEMO, 'utf8'));
    expect(raw.asOf).toBe('2026-11-20T00:00:00Z');
    const later = await loadOrdersFile(DEMO, new FixedClock('2031-06-15T08:00:00Z'));
    // 100102 was delivered 2026-11-10, 10 days before asOf; it stays 10 days before "now"
    expect((await later.get('100102'))?.deliveredAt).toEqual(new Date('2031-06-05T06:30:00Z'));
  });
  it('has demo customers with example.com emails and +86138 / +1555 phones', async () => {
    const raw = JSON.parse(await readFile(DEMO, 'utf8'));
    for (const order of raw.orders) {
      expect(order.id).toMatch(/^\d{6}$/);
      expect(order.customer.email).toMatch(/@example\.com$/);
      expect(order.customer.phone).toMatch(/^\+86138\d{8}$|^\+1555\d{7}$/);
    }
    const currencies = new Set(raw.orders.map((o: { currency: string }) => o.currency));
    expect([...currencies].sort()).toEqual(['CNY', 'USD']);
  });
});

import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import { toMinor } from '../domain/money.ts';
import type { Order, OrderDirectory, OrderItem } from '../domain/order.ts';
import { ConfigError } from '../errors.ts';
import { type OrderRecord, OrdersFileSchema } from './schema.ts';

const MS_PER_DAY = 86_400_000;

/**
 * How far to move the file's dates: the whole UTC calendar days from `asOf` to now. Whole days
 * (not the exact difference) keep every date's time of day, so the calendar-day distances the
 * policy windows count — "delivered 7 days ago" — are exactly those written in the file, at any
 * hour the demo is started.
 */
export function asOfShiftMs(asOf: string | undefined, now: Date): number {
  if (asOf === undefined) return 0;
  const days = Math.floor(now.getTime() / MS_PER_DAY) - Math.floor(Date.parse(asOf) / MS_PER_DAY);
  return days * MS_PER_DAY;
}

function toItem(item: OrderRecord['items'][number], currency: string): OrderItem {
  const converted: OrderItem = {
    sku: item.sku,
    name: item.name,
    kind: item.kind,
    quantity: item.quantity,
    unitPrice: toMinor(item.unitPrice, currency),
  };
  if (item.subscriptionDays !== undefined) converted.subscriptionDays = item.subscriptionDays;
  if (item.usedDays !== undefined) converted.usedDays = item.usedDays;
  return converted;
}

/** A validated record in program form: Dates (shifted by `shiftMs`) and minor units. */
export function toOrder(record: OrderRecord, shiftMs = 0): Order {
  const at = (iso: string) => new Date(Date.parse(iso) + shiftMs);
  const { currency } = record;
  return {
    id: record.id,
    customer: { ...record.customer },
    placedAt: at(record.placedAt),
    deliveredAt: record.deliveredAt === null ? null : at(record.deliveredAt),
    status: record.status,
    currency,
    items: record.items.map((item) => toItem(item, currency)),
    shippingFee: toMinor(record.shippingFee, currency),
    discount: toMinor(record.discount, currency),
    paid: toMinor(record.paid, currency),
    paymentMethod: record.paymentMethod,
  };
}

/**
 * `<source>: order <id>: <field.path>: <problem>` — the order is named by its id when it has one,
 * else by its position (`order #3`). `source` says where the data came from (`orders file
 * knowledge/x.json`, `orders API GET /orders/100102`).
 */
function describeIssue(issue: z.core.$ZodIssue, data: unknown, source: string): string {
  const message = issue.message.replace(/^Invalid input: /, '');
  const [top, index, ...rest] = issue.path;
  if (top === 'orders' && typeof index === 'number') {
    const raw = (data as { orders?: { id?: unknown }[] }).orders?.[index];
    const id = typeof raw?.id === 'string' && raw.id !== '' ? raw.id : `#${index + 1}`;
    const field = rest.map(String).join('.');
    return `${source}: order ${id}: ${field === '' ? '' : `${field}: `}${message}`;
  }
  const field = issue.path.map(String).join('.');
  return `${source}: ${field === '' ? '' : `${field}: `}${message}`;
}

/**
 * The first problem of failed orders data and how many more, naming the order and the field:
 * the orders file's start-up error and the order API's log line say it the same way.
 */
export function describeProblems(error: z.ZodError, data: unknown, source: string): string {
  const [first, ...rest] = error.issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  return `${first === undefined ? `${source}: invalid` : describeIssue(first, data, source)}${more}`;
}

/** Validates parsed JSON as an orders file and converts it; throws ConfigError naming order and field. */
export function parseOrdersFile(data: unknown, source: string, clock: Clock): Order[] {
  const result = OrdersFileSchema.safeParse(data);
  if (!result.success) throw new ConfigError('orders_file_invalid', describeProblems(result.error, data, `orders file ${source}`));
  const shift = asOfShiftMs(result.data.asOf, clock.now());
  return result.data.orders.map((record) => toOrder(record, shift));
}

/** An OrderDirectory over orders held in memory; hands out copies so callers cannot alter it. */
export class InMemoryOrderDirectory implements OrderDirectory {
  readonly #byId: Map<string, Order>;
  readonly #byCustomer: Map<string, Order[]>;

  constructor(orders: readonly Order[]) {
    this.#byId = new Map(orders.map((order) => [order.id, order]));
    this.#byCustomer = new Map();
    for (const order of orders) {
      const list = this.#byCustomer.get(order.customer.id) ?? [];
      list.push(order);
      this.#byCustomer.set(order.customer.id, list);
    }
  }

  async get(orderId: string): Promise<Order | undefined> {
    const order = this.#byId.get(orderId);
    return order === undefined ? undefined : structuredClone(order);
  }

  async byCustomer(customerId: string): Promise<Order[]> {
    return structuredClone(this.#byCustomer.get(customerId) ?? []);
  }
}

/**
 * Loads the orders file (SPEC §5) at start-up into an OrderDirectory. With a top-level `asOf`
 * (the demo file) dates are moved to stay current; without it (a merchant's file) they are used
 * as they are. Throws ConfigError on an unreadable or invalid file.
 */
export async function loadOrdersFile(path: string, clock: Clock): Promise<OrderDirectory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError('orders_file_unreadable', `orders file ${path}: cannot read the file`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('orders_file_invalid', `orders file ${path}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  return new InMemoryOrderDirectory(parseOrdersFile(data, path, clock));
}

import { readFile } from 'node:fs/promises';
import type { Clock } from '../domain/clock.ts';
import type { Order, OrderDirectory } from '../domain/order.ts';
import { InputError } from '../errors.ts';
import { parseOrdersFile } from '../orders/fileDirectory.ts';

/** Where customers are looked up: the order directory, and (for an email) the orders file when there is one. */
export interface CustomerLookup {
  orders: OrderDirectory;
  /** The orders file, for finding a customer by email; absent when orders come from the merchant's API. */
  ordersFile?: string;
  clock: Clock;
}

/**
 * The customer id `--customer` names: an orders-file customer id, or an email address found in
 * the orders file (compared without case). `known` says whether the orders know this customer.
 */
export async function resolveCustomer(given: string, lookup: CustomerLookup): Promise<{ customerId: string; known: boolean }> {
  const value = given.trim();
  if (value === '') throw new InputError('invalid_option', '--customer: give a customer id (as in the orders file) or their email address');
  if (!value.includes('@')) return { customerId: value, known: (await lookup.orders.byCustomer(value)).length > 0 };
  if (!lookup.ordersFile) {
    throw new InputError('invalid_option', '--customer: orders come from the order API, which cannot be searched by email; give the customer id');
  }
  const email = value.toLowerCase();
  const ids = new Set((await ordersOf(lookup.ordersFile, lookup.clock)).filter((order) => order.customer.email?.toLowerCase() === email).map((order) => order.customer.id));
  if (ids.size === 0) throw new InputError('unknown_customer', 'no customer with that email address in the orders file', 404);
  if (ids.size > 1) throw new InputError('ambiguous_customer', `several customers (${[...ids].join(', ')}) have that email address; give the customer id`);
  return { customerId: [...ids][0] as string, known: true };
}

async function ordersOf(file: string, clock: Clock): Promise<Order[]> {
  return parseOrdersFile(JSON.parse(await readFile(file, 'utf8')), file, clock);
}

import { setTimeout as sleep } from 'node:timers/promises';
import { TtlCache } from '../concurrency/ttlCache.ts';
import type { Clock } from '../domain/clock.ts';
import type { Order, OrderDirectory } from '../domain/order.ts';
import { OrdersUnavailableError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { describeProblems, toOrder } from './fileDirectory.ts';
import { ORDER_ID_PATTERN, OrderListSchema, OrderRecordSchema } from './schema.ts';
import { readAtMost } from '../http/readAtMost.ts';

export interface HttpOrderDirectoryOptions {
  /** ORDERS_API_URL: the paths `/orders/{id}` and `/orders?customer={id}` are added to it. */
  baseUrl: string;
  /** ORDERS_API_TOKEN, sent as `Authorization: Bearer …` when set. */
  token?: string | undefined;
  clock: Clock;
  logger: Logger;
  /** Longest wait for one try, answer body included (default 3000 ms). */
  timeoutMs?: number;
  /** Further tries after a network error, a timeout, 5xx or 429 (default 2); never after another 4xx. */
  retries?: number;
  /** Wait before the first retry, doubled for each next one, ±50 % jitter (default 200 ms). */
  retryDelayMs?: number;
  /** How long an order's answer is reused (default 30 000 ms; 0: every lookup asks the API). */
  cacheTtlMs?: number;
  /** Orders kept at most in the cache; the oldest goes first (default 1000). */
  cacheMaxEntries?: number;
  fetch?: typeof fetch;
}

/** The API's answer to a path, or its "no such thing". */
const NOT_FOUND = Symbol('not found');

/**
 * Largest answer read (after any content-encoding is undone): a customer's order list is far
 * smaller. A longer one is a broken or hostile API; it is not read into memory, where a
 * compressed gigabyte within the deadline could take the process down.
 */
export const MAX_ANSWER_BYTES = 5 * 1024 * 1024;

/** One lookup: the path asked, how logs name it, and the order it is about (if one). */
interface Call {
  path: string;
  what: string;
  orderId?: string;
}

/** Why one try failed, and whether another try may help. */
interface TryFailure {
  reason: string;
  retry: boolean;
}

/**
 * The merchant's order API as an OrderDirectory (contract in the README, "Your order API"):
 * `GET /orders/{id}` answers one order in the orders file's shape, or 404 when there is no such
 * order; `GET /orders?customer={id}` answers `{ "orders": [...] }`. Every answer passes the orders
 * file's own validation and conversion to minor units, so an order looks the same from the API
 * as from the file.
 *
 * Anything else — the API down or slow, an error status, an answer that fails validation, names
 * another order, or lists another customer's order — throws OrdersUnavailableError after logging
 * why (ids and field names only, never the answer's personal data). It never becomes "no such
 * order": the conversation goes to people instead of the customer being told something wrong.
 *
 * Answers for one order id ("no such order" included) are reused for a short time (a
 * conversation looks its order up on every turn); failures are not kept, so the next lookup asks
 * again. Customer lists are always
 * asked fresh: they feed the duplicate-order rule at decision time.
 */
export class HttpOrderDirectory implements OrderDirectory {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #cache: TtlCache<Order | undefined> | undefined;
  readonly #fetch: typeof fetch;

  constructor(options: HttpOrderDirectoryOptions) {
    if (!options?.baseUrl || !options.clock || !options.logger) throw new Error('HttpOrderDirectory: missing baseUrl, clock or logger');
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? 3000;
    this.#retries = options.retries ?? 2;
    this.#retryDelayMs = options.retryDelayMs ?? 200;
    const ttlMs = options.cacheTtlMs ?? 30_000;
    this.#cache = ttlMs > 0 ? new TtlCache({ ttlMs, clock: options.clock, maxEntries: options.cacheMaxEntries ?? 1000 }) : undefined;
    this.#fetch = options.fetch ?? fetch;
  }

  async get(orderId: string): Promise<Order | undefined> {
    // Not an order id anywhere: no need to ask (and nothing odd ever reaches the URL path).
    if (!ORDER_ID_PATTERN.test(orderId)) return undefined;
    const load = () => this.#fetchOrder(orderId);
    const order = this.#cache ? await this.#cache.get(orderId, load) : await load();
    // Copies, as the file directory hands out: a caller changing its order must not change the cache.
    return order === undefined ? undefined : structuredClone(order);
  }

  async byCustomer(customerId: string): Promise<Order[]> {
    // The customer id stays out of logs and errors: `what` names the call only.
    const call: Call = { path: `/orders?customer=${encodeURIComponent(customerId)}`, what: 'GET /orders?customer=…' };
    const answer = await this.#request(call);
    // A customer without orders is `{"orders": []}`; a 404 here means a wrong URL, not "none".
    if (answer === NOT_FOUND) throw this.#unusable(call, 'answered 404 (a customer without orders is {"orders": []})', 'error');
    const parsed = OrderListSchema.safeParse(answer);
    if (!parsed.success) throw this.#unusable(call, describeProblems(parsed.error, answer, 'answer'), 'error');
    const foreign = parsed.data.orders.find((record) => record.customer.id !== customerId);
    if (foreign) throw this.#unusable(call, `order ${foreign.id} in the list belongs to another customer`, 'error');
    return parsed.data.orders.map((record) => toOrder(record));
  }

  async #fetchOrder(orderId: string): Promise<Order | undefined> {
    const call: Call = { path: `/orders/${encodeURIComponent(orderId)}`, what: `GET /orders/${orderId}`, orderId };
    const answer = await this.#request(call);
    if (answer === NOT_FOUND) return undefined;
    const parsed = OrderRecordSchema.safeParse(answer);
    if (!parsed.success) throw this.#unusable(call, describeProblems(parsed.error, answer, 'answer'), 'error');
    if (parsed.data.id !== orderId) throw this.#unusable(call, `answered with order ${parsed.data.id}`, 'error');
    return toOrder(parsed.data);
  }

  /** The parsed JSON of a 200 answer, or NOT_FOUND for a 404; retries what may pass on its own. */
  async #request(call: Call): Promise<unknown> {
    for (let attempt = 0; ; attempt += 1) {
      const result = await this.#try(call.path);
      if (!('reason' in result)) return result.answer;
      const tries = attempt + 1;
      if (!result.retry) throw this.#unusable(call, result.reason, 'error');
      if (attempt >= this.#retries) throw this.#unusable(call, `${result.reason} (${tries} ${tries === 1 ? 'try' : 'tries'})`, 'warn');
      const delayMs = Math.round(this.#retryDelayMs * 2 ** attempt * (0.5 + Math.random()));
      this.#logger.warn({ orderApi: call.what, reason: result.reason, attempt: tries, delayMs }, 'order API try failed; retrying');
      await sleep(delayMs);
    }
  }

  async #try(path: string): Promise<{ answer: unknown } | TryFailure> {
    let status: number;
    let text: string | undefined;
    try {
      // One deadline for the whole try: a server that sends headers and then stalls is as slow as one that says nothing.
      const response = await this.#fetch(`${this.#base}${path}`, {
        headers: { accept: 'application/json', ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}) },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = response.status;
      text = (await readAtMost(response, MAX_ANSWER_BYTES))?.toString('utf8');
    } catch (error) {
      const name = (error as Error | undefined)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') return { reason: `no answer within ${this.#timeoutMs} ms`, retry: true };
      const code = ((error as { cause?: { code?: unknown } } | undefined)?.cause?.code as string | undefined) ?? (error as Error | undefined)?.message;
      return { reason: `network error${code ? ` (${code})` : ''}`, retry: true };
    }
    if (status === 404) return { answer: NOT_FOUND };
    if (status >= 500 || status === 429) return { reason: `answered ${status}`, retry: true };
    if (status === 401 || status === 403) return { reason: `answered ${status}: check ORDERS_API_TOKEN`, retry: false };
    if (status !== 200) return { reason: `answered ${status}`, retry: false };
    if (text === undefined) return { reason: `answered more than ${MAX_ANSWER_BYTES} bytes`, retry: false };
    try {
      return { answer: JSON.parse(text) as unknown };
    } catch {
      return { reason: 'answered 200 with a body that is not JSON', retry: false };
    }
  }

  /** Logs why an answer cannot be used and makes the error callers see. */
  #unusable(call: Call, reason: string, level: 'warn' | 'error'): OrdersUnavailableError {
    this.#logger[level]({ orderApi: call.what, reason }, 'order API gave no usable answer');
    return new OrdersUnavailableError(`order API ${call.what}: ${reason}`, call.orderId === undefined ? {} : { orderId: call.orderId });
  }
}


import path from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/domain/clock.ts';
import { OrdersUnavailableError } from '../../src/errors.ts';
import { parseOrdersFile } from '../../src/orders/fileDirectory.ts';
import { HttpOrderDirectory, type HttpOrderDirectoryOptions, MAX_ANSWER_BYTES } from '../../src/orders/httpDirectory.ts';
import { demoOrderRecords, OrderApiStandIn, type OrderJson } from '../support/orderApiStandIn.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NOW = '2026-11-20T12:00:00Z';
const TOKEN = 'order-api-test-token';

let api: OrderApiStandIn;
let baseUrl: string;
let clock: FixedClock;
let logs: string[];
let records: OrderJson[];

beforeEach(async () => {
  clock = new FixedClock(NOW);
  records = demoOrderRecords(ROOT, clock.now());
  api = new OrderApiStandIn({ orders: records, token: TOKEN });
  baseUrl = await api.start();
  logs = [];
});
afterEach(async () => {
  await api.close();
});

/**
 * A directory on the stand-in with short waits. The logger is plain pino (not the app's masking
 * one), so a log line carrying a customer's name or email in clear would show up here.
 */
function directory(options: Partial<HttpOrderDirectoryOptions> = {}): HttpOrderDirectory {
  const sink = new Writable({ write: (chunk, _encoding, done) => { logs.push(String(chunk)); done(); } });
  return new HttpOrderDirectory({ baseUrl, token: TOKEN, clock, logger: pino({ level: 'debug' }, sink), timeoutMs: 300, retries: 2, retryDelayMs: 5, ...options });
}

/** The same orders as the file loader sees them: the API must give the very same Order. */
const fromFile = () => parseOrdersFile({ orders: records }, 'test', clock);

async function unavailable(promise: Promise<unknown>): Promise<OrdersUnavailableError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(OrdersUnavailableError);
  expect(error).toMatchObject({ code: 'orders_unavailable', fault: 'upstream', status: 503 });
  return error as OrdersUnavailableError;
}

describe('a healthy order API', () => {
  it('answers an order exactly as the orders file does (minor units, dates), asking with the bearer token', async () => {
    const order = await directory().get('100103');
    expect(order).toEqual(fromFile().find((candidate) => candidate.id === '100103'));
    expect(order?.paid).toBe(38890);
    expect(api.requests).toEqual([{ method: 'GET', url: '/api/orders/100103', authorization: `Bearer ${TOKEN}` }]);
  });

  it("answers a customer's orders as the file does", async () => {
    const orders = await directory().byCustomer('c-1011');
    expect(orders.map((order) => order.id).sort()).toEqual(['100111', '100112', '100113']);
    expect(orders).toEqual(fromFile().filter((order) => order.customer.id === 'c-1011'));
    expect(api.requests[0]?.url).toBe('/api/orders?customer=c-1011');
    expect(await directory().byCustomer('nobody')).toEqual([]);
  });

  it('reads 404 as "no such order" and never asks about something that cannot be an order id', async () => {
    expect(await directory().get('999999')).toBeUndefined();
    expect(api.requests).toHaveLength(1);
    expect(await directory().get('../admin')).toBeUndefined();
    expect(await directory().get('')).toBeUndefined();
    expect(api.requests).toHaveLength(1);
  });

  it('works with a base URL that ends in a slash', async () => {
    expect((await directory({ baseUrl: `${baseUrl}/` }).get('100102'))?.id).toBe('100102');
    expect(api.requests[0]?.url).toBe('/api/orders/100102');
  });
});

describe('retries and timeouts', () => {
  it('retries a 500 and uses the answer that follows', async () => {
    api.mode = 'fail_then_ok';
    api.failures = 2;
    expect((await directory().get('100102'))?.id).toBe('100102');
    expect(api.requests).toHaveLength(3);
  });

  it.each([500, 503, 429])('gives up after the retries when every try answers %i', async (status) => {
    api.mode = 'down';
    api.failStatus = status;
    const error = await unavailable(directory().get('100102'));
    expect(error.orderId).toBe('100102');
    expect(error.message).toContain(`answered ${status} (3 tries)`);
    expect(api.requests).toHaveLength(3);
  });

  it.each([400, 401, 403, 410])('does not retry a %i', async (status) => {
    api.mode = 'down';
    api.failStatus = status;
    await unavailable(directory().get('100102'));
    expect(api.requests).toHaveLength(1);
  });

  it('a wrong token is refused by the API and is not retried', async () => {
    const error = await unavailable(directory({ token: 'wrong-token' }).get('100102'));
    expect(error.message).toContain('answered 401: check ORDERS_API_TOKEN');
    expect(api.requests).toHaveLength(1);
  });

  it('times out each try and retries it', async () => {
    api.mode = 'slow';
    api.slowMs = 2000;
    const started = performance.now();
    const error = await unavailable(directory({ timeoutMs: 150, retries: 1 }).get('100102'));
    expect(error.message).toContain('no answer within 150 ms (2 tries)');
    expect(api.requests).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('retries when nothing listens, then gives up', async () => {
    await api.close();
    const error = await unavailable(directory({ retries: 1 }).byCustomer('c-1002'));
    expect(error.message).toContain('network error');
    expect(error.orderId).toBeUndefined();
  });
});

describe('answers that are never used', () => {
  it('an order that fails the orders file validation (no retry), logged naming the field without personal data', async () => {
    api.mode = 'malformed';
    const error = await unavailable(directory().get('100102'));
    expect(error.message).toContain('paid');
    expect(api.requests).toHaveLength(1);
    const log = logs.join('\n');
    expect(log).toContain('GET /orders/100102');
    expect(log).toContain('paid');
    expect(log).not.toContain('hanmeimei');
    expect(log).not.toContain('Han Meimei');
  });

  // Found by the fuzz (test/fuzz): the whole answer was read into memory, however large, a
  // compressed one inflated too — a gigabyte of zeros is a megabyte of gzip.
  it('an answer larger than MAX_ANSWER_BYTES, compressed or not, stops being read (no retry)', async () => {
    const inflated = MAX_ANSWER_BYTES + 1;
    const answers = [
      { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(inflated, 0x20)) },
      { headers: { 'content-type': 'application/json' }, body: Buffer.alloc(inflated, 0x20) },
    ];
    for (const answer of answers) {
      api.answerRaw = (_request, response) => {
        response.writeHead(200, { ...answer.headers, 'content-length': String(answer.body.length) });
        response.end(answer.body);
        return true;
      };
      const before = api.requests.length;
      const error = await unavailable(directory({ timeoutMs: 5000 }).get('100102'));
      expect(error.message).toContain(`answered more than ${MAX_ANSWER_BYTES} bytes`);
      expect(api.requests.length - before).toBe(1);
    }
    // Just under the limit is read (and then refused for not being an order).
    api.answerRaw = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`${' '.repeat(MAX_ANSWER_BYTES - 2)}{}`);
      return true;
    };
    expect((await unavailable(directory({ timeoutMs: 5000 }).get('100102'))).message).not.toContain('more than');
  });

  it('another order than the one asked', async () => {
    api.mode = 'other_id';
    const error = await unavailable(directory().get('100102'));
    expect(error.message).toMatch(/answered with order \d+/);
  });

  it("a customer's list holding another customer's order, logged without the customer's id", async () => {
    api.mode = 'foreign_order';
    const error = await unavailable(directory().byCustomer('c-1002'));
    expect(error.message).toContain('belongs to another customer');
    expect(logs.join('\n')).not.toContain('c-1002');
  });

  it('a malformed list', async () => {
    api.mode = 'malformed';
    const error = await unavailable(directory().byCustomer('c-1002'));
    expect(error.message).toMatch(/order 1001\d\d: paid/);
  });

  it('a 404 for a customer list (a wrong URL, not "no orders")', async () => {
    api.mode = 'not_found';
    await unavailable(directory().byCustomer('c-1002'));
  });
});

describe('the cache', () => {
  it('answers a second lookup within the TTL without asking, and asks again after it', async () => {
    const orders = directory({ cacheTtlMs: 30_000 });
    const first = await orders.get('100102');
    clock.advance(29_000);
    expect(await orders.get('100102')).toEqual(first);
    expect(api.orderRequests('100102')).toHaveLength(1);
    clock.advance(2_000);
    expect(await orders.get('100102')).toEqual(first);
    expect(api.orderRequests('100102')).toHaveLength(2);
  });

  it('keeps one entry per order id, and hands out copies', async () => {
    const orders = directory();
    const first = await orders.get('100102');
    if (first) first.paid = 0;
    await orders.get('100103');
    expect((await orders.get('100102'))?.paid).toBe(20700);
    expect(api.requests.map((request) => request.url)).toEqual(['/api/orders/100102', '/api/orders/100103']);
  });

  it('shares one request between lookups of the same order at once', async () => {
    const orders = directory();
    await Promise.all([orders.get('100102'), orders.get('100102'), orders.get('100102')]);
    expect(api.requests).toHaveLength(1);
  });

  it('does not keep failures: the next lookup asks again', async () => {
    const orders = directory({ retries: 0 });
    api.mode = 'down';
    await unavailable(orders.get('100102'));
    api.mode = 'ok';
    expect((await orders.get('100102'))?.id).toBe('100102');
    expect(api.requests).toHaveLength(2);
  });

  it('is bounded: past the size the oldest order is asked again', async () => {
    const orders = directory({ cacheMaxEntries: 2 });
    for (const id of ['100101', '100102', '100103', '100101']) await orders.get(id);
    expect(api.orderRequests('100101')).toHaveLength(2);
  });

  it('with a TTL of 0 asks on every lookup; customer lists are always asked', async () => {
    const orders = directory({ cacheTtlMs: 0 });
    await orders.get('100102');
    await orders.get('100102');
    await orders.byCustomer('c-1002');
    await orders.byCustomer('c-1002');
    expect(api.orderRequests('100102')).toHaveLength(2);
    expect(api.listRequests()).toHaveLength(2);
  });
});

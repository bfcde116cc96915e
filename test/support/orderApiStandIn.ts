import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { asOfShiftMs } from '../../src/orders/fileDirectory.ts';

/** One order as the orders file and the order API write it (decimal amounts, ISO dates). */
export type OrderJson = {
  id: string;
  customer: { id: string; name: string; email?: string; phone?: string };
  placedAt: string;
  deliveredAt: string | null;
  paid: number;
  [field: string]: unknown;
};

/**
 * How the stand-in behaves:
 * - `ok`: answers as a healthy shop does;
 * - `slow`: waits `slowMs` before answering (past the client's timeout);
 * - `fail_then_ok`: the first `failures` requests get `failStatus`, then answers as `ok`;
 * - `down`: every request gets `failStatus`;
 * - `malformed`: orders come with `paid` not matching their items (fails the orders file's checks);
 * - `other_id`: `GET /orders/{id}` answers with another order;
 * - `foreign_order`: a customer's list also holds another customer's order;
 * - `not_found`: every request gets 404.
 */
export type OrderApiMode = 'ok' | 'slow' | 'fail_then_ok' | 'down' | 'malformed' | 'other_id' | 'foreign_order' | 'not_found';

export interface OrderApiRequest {
  method: string;
  /** Path and query as received, e.g. `/api/orders/100102`. */
  url: string;
  authorization: string | undefined;
}

/** The demo orders as a merchant's live API would serve them on `now`: `asOf` applied to every date, as the file loader does. */
export function demoOrderRecords(root: string, now: Date): OrderJson[] {
  const file = JSON.parse(readFileSync(path.join(root, 'knowledge/orders.demo.json'), 'utf8')) as { asOf?: string; orders: OrderJson[] };
  const shift = asOfShiftMs(file.asOf, now);
  const at = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
  return file.orders.map((order) => ({ ...order, placedAt: at(order.placedAt), deliveredAt: order.deliveredAt === null ? null : at(order.deliveredAt) }));
}

/**
 * A merchant's order API on 127.0.0.1, speaking the contract of src/orders/httpDirectory.ts:
 * `GET {base}/orders/{id}` (one order, or 404) and `GET {base}/orders?customer={id}`
 * (`{"orders": [...]}`), with `Authorization: Bearer {token}` checked (401 otherwise). The base
 * has a path (`/api`) so the client's URL joining is exercised too.
 */
export class OrderApiStandIn {
  #mode: OrderApiMode = 'ok';
  /** Requests failed so far in `fail_then_ok` (counted from when the mode was set). */
  #failed = 0;
  /** Requests `fail_then_ok` fails before answering. */
  failures = 1;
  /** The status `down` and `fail_then_ok` answer with. */
  failStatus = 500;
  /** How long `slow` waits before answering. */
  slowMs = 1000;
  /**
   * When set, answers every authorised request itself, whatever the mode: a test's own wire-level
   * answer (hostile bodies, headers, stalls; test/fuzz). Return false to answer as the mode does.
   */
  answerRaw: ((request: IncomingMessage, response: ServerResponse) => boolean) | undefined;
  /** Every request received, in order. */
  readonly requests: OrderApiRequest[] = [];
  readonly token: string;
  #orders: OrderJson[];
  #server: Server | undefined;

  constructor(options: { orders: OrderJson[]; token: string }) {
    this.#orders = options.orders;
    this.token = options.token;
  }

  get mode(): OrderApiMode {
    return this.#mode;
  }

  set mode(mode: OrderApiMode) {
    this.#mode = mode;
    this.#failed = 0;
  }

  /** Requests for one order (`GET …/orders/{id}`), optionally only this one. */
  orderRequests(orderId?: string): OrderApiRequest[] {
    return this.requests.filter((request) => /\/orders\/[^/?]+$/.test(request.url) && (orderId === undefined || request.url.endsWith(`/orders/${orderId}`)));
  }

  /** Requests for a customer's list (`GET …/orders?customer=`). */
  listRequests(): OrderApiRequest[] {
    return this.requests.filter((request) => request.url.includes('/orders?'));
  }

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      this.requests.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization });
      const answer = (status: number, body?: unknown) => {
        if (response.destroyed) return;
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(body === undefined ? '' : JSON.stringify(body));
      };
      if (request.headers.authorization !== `Bearer ${this.token}`) return answer(401, { error: 'unauthorized' });
      if (this.answerRaw?.(request, response)) return;
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const respond = () => this.#respond(url, answer);
      if (this.mode === 'slow') {
        const timer = setTimeout(respond, this.slowMs);
        response.on('close', () => clearTimeout(timer));
        return;
      }
      if (this.mode === 'fail_then_ok' && this.#failed < this.failures) {
        this.#failed += 1;
        return answer(this.failStatus, { error: 'unavailable' });
      }
      if (this.mode === 'down') return answer(this.failStatus, { error: 'unavailable' });
      return respond();
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api`;
  }

  #respond(url: URL, answer: (status: number, body?: unknown) => void): void {
    if (this.mode === 'not_found') return answer(404, { error: 'not_found' });
    const single = /^\/api\/orders\/([^/]+)$/.exec(url.pathname);
    if (single) {
      const id = decodeURIComponent(single[1] ?? '');
      const order = this.#orders.find((candidate) => candidate.id === id);
      if (!order) return answer(404, { error: 'order_not_found' });
      if (this.mode === 'other_id') return answer(200, this.#orders.find((candidate) => candidate.id !== id));
      return answer(200, this.#shape(order));
    }
    if (url.pathname === '/api/orders' && url.searchParams.has('customer')) {
      const customerId = url.searchParams.get('customer');
      const orders = this.#orders.filter((order) => order.customer.id === customerId);
      if (this.mode === 'foreign_order') orders.push(...this.#orders.filter((order) => order.customer.id !== customerId).slice(0, 1));
      return answer(200, { orders: orders.map((order) => this.#shape(order)) });
    }
    return answer(404, { error: 'no_such_route' });
  }

  /** The order as this mode sends it. */
  #shape(order: OrderJson): OrderJson {
    return this.mode === 'malformed' ? { ...order, paid: order.paid + 1 } : order;
  }

  /** Stops answering: later requests fail to connect. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

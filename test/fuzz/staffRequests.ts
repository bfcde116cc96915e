/** Fuzz generators for the staff side (console, desk API, cases, stats) and the shop's order API answering hostile things. */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { CASE_STATUSES } from '../../src/domain/case.ts';
import { type FuzzRequest } from './wire.ts';
import { adminAuth, anyValue, bearer, hostileJsonBody, hostileSegment, JSON_TYPE, json, jsonBody, pct, type Generator } from './blocks.ts';

// ---- staff: agent console, desk API, cases, stats -------------------------------------------

const deskAction = fc.record(
  {
    agent: anyValue,
    action: fc.oneof(
      json,
      fc.record({ kind: fc.oneof(fc.constantFrom('take_over', 'reply', 'approve', 'deny', 'hand_back'), anyValue), text: anyValue, amount: fc.oneof(fc.double(), fc.integer(), anyValue), reason: anyValue }, { requiredKeys: ['kind'] }),
    ),
  },
  { requiredKeys: [] },
);

export const staff: Generator = {
  endpoint: 'staff',
  weight: 8,
  plans: fc
    .record({
      kind: fc.constantFrom('agent-page', 'desk-list', 'desk-view', 'desk-action', 'refunded', 'status', 'case', 'cases', 'stats'),
      auth: adminAuth,
      segment: hostileSegment,
      fixtureId: fc.boolean(),
      action: jsonBody(deskAction),
      refunded: jsonBody(fc.record({ reference: anyValue, refundedAt: fc.oneof(anyValue, fc.date({ noInvalidDate: false }).map((date) => (Number.isNaN(date.getTime()) ? 'Invalid' : date.toISOString())), fc.constantFrom('2026-11-20T12:00:00+99:99', '+275760-09-13T00:00:00.000Z', '2026-02-30T00:00:00Z')), extra: json }, { requiredKeys: [] })),
      status: jsonBody(fc.record({ status: fc.oneof(fc.constantFrom(...CASE_STATUSES), anyValue), note: anyValue, actor: anyValue }, { requiredKeys: [] })),
      query: fc.record({ from: fc.oneof(fc.constantFrom('0001-01-01', '9999-12-31', '2026-02-30', '2026-11-01', '1970-01-01'), anyValue), to: fc.oneof(fc.constantFrom('9999-12-31', '2026-11-20', '0000-00-00'), anyValue), channel: anyValue, csv: fc.boolean() }, { requiredKeys: [] }),
    })
    .map(
      ({ kind, auth, segment, fixtureId, action, refunded, status, query }) =>
        (t) => {
          const conversationId = fixtureId ? t.fixtures.conversationId : segment;
          const caseId = fixtureId ? t.fixtures.caseId : segment;
          switch (kind) {
            case 'agent-page':
              return { request: { endpoint: 'agent', method: 'GET', path: fixtureId ? `/agent/insight/${segment}` : `/agent${segment.length % 2 ? '' : '/insight'}?q=${segment}` } };
            case 'desk-list':
              return { request: { endpoint: 'desk', method: 'GET', path: '/v1/desk/conversations', headers: auth } };
            case 'desk-view':
              return { request: { endpoint: 'desk', method: 'GET', path: `/v1/desk/conversations/${conversationId}`, headers: auth } };
            case 'desk-action':
              return { request: { endpoint: 'desk', method: 'POST', path: `/v1/desk/conversations/${conversationId}/actions`, headers: { ...JSON_TYPE, ...auth }, body: action() } };
            case 'refunded':
              return { request: { endpoint: 'cases.refunded', method: 'POST', path: `/v1/cases/${caseId}/refunded`, headers: { ...JSON_TYPE, ...auth }, body: refunded() } };
            case 'status':
              return { request: { endpoint: 'cases', method: 'POST', path: `/v1/cases/${caseId}/status`, headers: { ...JSON_TYPE, ...auth }, body: status() } };
            case 'case':
              return { request: { endpoint: 'cases', method: 'GET', path: `/v1/cases/${caseId}`, headers: auth } };
            case 'cases':
              return { request: { endpoint: 'cases', method: 'GET', path: `/v1/cases?orderId=${segment}`, headers: auth } };
            default: {
              const params = Object.entries(query)
                .filter(([name, value]) => name !== 'csv' && value !== undefined)
                .map(([name, value]) => `${name}=${pct(typeof value === 'string' ? value : JSON.stringify(value))}`)
                .join('&');
              return { request: { endpoint: 'stats', method: 'GET', path: `/v1/stats${query.csv ? '.csv' : ''}?${params}`, headers: auth } };
            }
          }
        },
    ),
};

// ---- the merchant's order API answering hostile things ---------------------------------------

/** What the order API stand-in answers: status, headers and body bytes, or a misbehaving connection. */
type OrderAnswer = { status: number; headers: Record<string, string>; body: () => Buffer } | { stall: 'headers' | 'body' | 'reset' | 'drip' | 'lie-length' };

let gzipBomb: Buffer | undefined;
/** 1 GiB of zeros as 16 concatenated gzip members (~1 MB on the wire). */
function gzipBombBytes(): Buffer {
  if (!gzipBomb) {
    const member = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    gzipBomb = Buffer.concat(Array.from({ length: 16 }, () => member));
  }
  return gzipBomb;
}

const orderRecord = (fields: Record<string, unknown>) => ({
  id: '100101',
  customer: { id: 'C1001', name: 'Li Lei', email: 'lilei@example.com' },
  placedAt: '2026-11-01T10:00:00Z',
  deliveredAt: '2026-11-05T10:00:00Z',
  currency: 'USD',
  paid: 10,
  items: [{ sku: 'X', name: 'X', quantity: 1, unitPrice: 10 }],
  ...fields,
});

const JSON_ANSWER = { 'content-type': 'application/json' };
const orderAnswer: fc.Arbitrary<OrderAnswer> = fc.oneof(
  { weight: 2, arbitrary: hostileJsonBody.map((body) => ({ status: 200, headers: JSON_ANSWER, body })) },
  { weight: 2, arbitrary: json.map((value) => ({ status: 200, headers: JSON_ANSWER, body: () => Buffer.from(JSON.stringify(value)) })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ id: anyValue, customer: fc.oneof(json, fc.record({ id: anyValue, name: anyValue, email: anyValue, phone: anyValue }, { requiredKeys: [] })), placedAt: anyValue, deliveredAt: anyValue, currency: anyValue, paid: fc.oneof(fc.double(), anyValue), items: fc.oneof(json, fc.array(fc.record({ sku: anyValue, name: anyValue, quantity: fc.oneof(fc.integer(), anyValue), unitPrice: fc.oneof(fc.double(), anyValue) }, { requiredKeys: [] }), { maxLength: 5 })) }, { requiredKeys: [] })
      .map((fields) => ({ status: 200, headers: JSON_ANSWER, body: () => Buffer.from(JSON.stringify(orderRecord(fields))) })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<OrderAnswer>(
      { status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipBombBytes },
      { status: 200, headers: JSON_ANSWER, body: () => Buffer.from(JSON.stringify(orderRecord({ items: Array.from({ length: 200_000 }, (_, i) => ({ sku: `S${i}`, name: 'x', quantity: 1, unitPrice: 0 })) }))) },
      { status: 200, headers: JSON_ANSWER, body: () => Buffer.alloc(30 * 1024 * 1024, 0x20) },
      { status: 200, headers: { 'content-type': 'text/html' }, body: () => Buffer.from('<html>Bad Gateway</html>') },
      { status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body: () => Buffer.from('not brotli') },
      { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' }, body: () => Buffer.alloc(0) },
      { status: 302, headers: { location: '/api/orders/100102' }, body: () => Buffer.alloc(0) },
      { status: 301, headers: { location: 'file:///etc/passwd' }, body: () => Buffer.alloc(0) },
      { status: 204, headers: {}, body: () => Buffer.alloc(0) },
      { status: 418, headers: JSON_ANSWER, body: () => Buffer.from('{}') },
      { status: 500, headers: JSON_ANSWER, body: () => Buffer.from('{"error":"boom"}') },
      { status: 429, headers: { 'retry-after': '99999999' }, body: () => Buffer.alloc(0) },
      { status: 200, headers: { 'content-type': 'application/json', 'x-injected': 'a' }, body: () => Buffer.from('{"id":"100101"}') },
      { stall: 'headers' },
      { stall: 'body' },
      { stall: 'reset' },
      { stall: 'drip' },
      { stall: 'lie-length' },
    ),
  },
);

export const orderAnswers: Generator = {
  endpoint: 'orders.answers',
  weight: 4,
  plans: fc.record({ answer: orderAnswer, text: fc.constantFrom('I want a refund for order 100101', '订单100101退款', 'where is my refund for order 100102?', 'refund order 100126 please, lilei@example.com') }).map(
    ({ answer, text }) =>
      (t) => {
        let conversation = { conversationId: '', token: '' };
        return {
          prepare: async () => {
            conversation = await t.startConversation();
            t.orders.answerRaw = (_request, response) => {
              answerOrders(response, answer);
              return true;
            };
          },
          // The request is built after `prepare`: it needs the new conversation.
          get request(): FuzzRequest {
            return {
              endpoint: 'orders.answers',
              method: 'POST',
              path: `/v1/conversations/${conversation.conversationId}/activities`,
              headers: { ...JSON_TYPE, ...bearer(conversation.token) },
              body: JSON.stringify({ type: 'message', text }),
            };
          },
          cleanup: () => {
            t.orders.answerRaw = undefined;
          },
        };
      },
  ),
};

function answerOrders(response: import('node:http').ServerResponse, answer: OrderAnswer): void {
  if (!('stall' in answer)) {
    const body = answer.body();
    response.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
    response.end(body);
    return;
  }
  switch (answer.stall) {
    case 'headers':
      // Never answers; the client's deadline ends it.
      return;
    case 'body':
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"id":"100101",');
      return;
    case 'reset':
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"id":');
      response.socket?.destroy();
      return;
    case 'drip': {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write(' ')), 20);
      response.on('close', () => clearInterval(timer));
      return;
    }
    case 'lie-length':
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '5' });
      response.end();
      return;
  }
}

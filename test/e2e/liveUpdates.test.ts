import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BotActivity } from '../support/client.ts';
import { Customer } from '../support/client.ts';
import { driveRefund, prompts } from '../support/drive.ts';
import { ADMIN_TOKEN, startServer, type TestServer } from '../support/server.ts';
import { EventStreamReader } from '../support/sse.ts';

const NOW = '2026-11-20T12:00:00Z';

let server: TestServer;
const streams: EventStreamReader[] = [];
beforeEach(async () => {
  server = await startServer({ now: NOW });
});
afterEach(async () => {
  await Promise.all(streams.splice(0).map((stream) => stream.close()));
  await server.close();
});

async function follow(customer: Customer, query = '', headers: Record<string, string> = {}): Promise<EventStreamReader> {
  const stream = new EventStreamReader();
  streams.push(stream);
  await stream.open(`${server.url}/v1/conversations/${customer.conversationId}/stream${query}`, headers);
  return stream;
}

function changeStatus(caseId: string, body: unknown, token = ADMIN_TOKEN): Promise<Response> {
  return fetch(`${server.url}/v1/cases/${caseId}/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

describe('live conversation stream and case updates', () => {
  it('streams the history, then each new activity, and tells the customer when staff change the case', async () => {
    const customer = new Customer(server.url);
    await customer.start('zh-CN');
    const stream = await follow(customer, '', { authorization: `Bearer ${customer.token}` });
    expect(stream.status).toBe(200);
    const greeting = await stream.next((event) => event.id === '1');
    expect((JSON.parse(greeting.data) as BotActivity).text).toBe(prompts.t('zh-CN', 'greeting'));

    const { summary } = await driveRefund(customer, 'zh-CN', '订单100128的鞋子尺码发错了，我要退款', { identity: 'hanmeimei@example.com', evidence: 'none', category: 'wrong_item' });
    expect(summary.status).toBe('pending_review');

    const response = await changeStatus(summary.id, { status: 'approved', note: '已核实照片', actor: 'Wang (support)' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: summary.id, status: 'approved', notified: true });

    // Order 100128 was paid with WeChat Pay.
    const text = prompts.t('zh-CN', 'notify.approved', { caseId: summary.id, amount: '¥399.00', payment: prompts.t('zh-CN', 'payment.wechat_pay') });
    const expected = prompts.t('zh-CN', 'notify.withNote', { text, note: '已核实照片' });
    const update = await stream.next((event) => (JSON.parse(event.data) as BotActivity).text === expected).catch((error: Error) => {
      throw new Error(`${error.message}: ${stream.events.map((event) => (JSON.parse(event.data) as BotActivity).text).join(' | ')}`);
    });
    expect((JSON.parse(update.data) as BotActivity).channelData?.case).toMatchObject({ id: summary.id, status: 'approved' });
    // Every activity of the conversation arrived once, in order.
    const ids = stream.events.map((event) => Number(event.id));
    expect(ids).toEqual(ids.map((_, index) => index + 1));
    const history = await customer.history();
    expect(history.watermark).toBe(ids.at(-1));

    // The audit trail names who changed it.
    const audit = await server.app.stores.cases.audit(summary.id);
    expect(audit.at(-1)).toMatchObject({ type: 'status_changed', actor: { kind: 'agent', id: 'Wang (support)' } });
  });

  it('resumes after a dropped connection from the last event id, with the token in the query', async () => {
    const customer = new Customer(server.url);
    await customer.start('en');
    await customer.say('I want a refund');
    const { watermark } = await customer.history();
    await customer.say('100101');
    const resumed = await follow(customer, `?access_token=${encodeURIComponent(customer.token)}`, { 'last-event-id': String(watermark) });
    const first = await resumed.next(() => true);
    expect(Number(first.id)).toBe(watermark + 1);
    expect((JSON.parse(first.data) as BotActivity).text).toBe('100101');
  });

  it('refuses a stream without the conversation token, and a status change the lifecycle forbids', async () => {
    const customer = new Customer(server.url);
    await customer.start('en');
    const stranger = await follow(customer, '?access_token=wrong');
    expect(stranger.status).toBe(401);
    const { summary } = await driveRefund(customer, 'en', 'I want to cancel order 100101, I changed my mind', { identity: 'lilei@example.com', category: 'changed_mind' });
    expect(summary.status).toBe('approved');
    expect((await changeStatus(summary.id, { status: 'refunded' })).status).toBe(200);
    const again = await changeStatus(summary.id, { status: 'approved' });
    expect(again.status).toBe(409);
    expect((await again.json()) as unknown).toMatchObject({ error: { code: 'invalid_transition' } });
    expect((await changeStatus(summary.id, { status: 'refunded' }, 'not-the-admin-token')).status).toBe(401);
    expect((await changeStatus('RF-XXXXXX', { status: 'refunded' })).status).toBe(404);
    expect((await changeStatus(summary.id, { status: 'paid' })).status).toBe(400);
  });

  // Found by the fuzz (test/fuzz): a HEAD got no headers and its connection stayed open.
  it('answers HEAD on the stream with its headers at once, and checks the token as GET does', async () => {
    const customer = new Customer(server.url);
    await customer.start('en');
    const url = `${server.url}/v1/conversations/${customer.conversationId}/stream`;
    const head = await fetch(url, { method: 'HEAD', headers: { authorization: `Bearer ${customer.token}` }, signal: AbortSignal.timeout(5000) });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await head.text()).toBe('');
    const stranger = await fetch(url, { method: 'HEAD', headers: { authorization: 'Bearer wrong' }, signal: AbortSignal.timeout(5000) });
    expect(stranger.status).toBe(401);
  });
});

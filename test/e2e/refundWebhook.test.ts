import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/refunds/webhook/signature.ts';
import { type Customer as CustomerType, Customer, jpegAttachment } from '../support/client.ts';
import { driveRefund, prompts } from '../support/drive.ts';
import { type Behaviour, MerchantStandIn, WEBHOOK_SECRET } from '../support/merchant.ts';
import { ADMIN_TOKEN, STORES, startServer, type StoreKind, type TestServer } from '../support/server.ts';
import { until } from '../support/wait.ts';

const NOW = '2026-11-20T12:00:00Z';
/** Quick pace for tests: the clock is fixed, so a retry falls due only when a test moves it past `backoffCapMs`. */
const FAST = { pollMs: 40, backoffBaseMs: 1_000, backoffCapMs: 60_000, escalateAfter: 12 };
const PAST_ANY_BACKOFF = 61_000;
const SPEAKER = 'The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com';

interface AuditJson {
  seq: number;
  type: string;
  at: string;
  actor: { kind: string; id?: string };
  data: Record<string, unknown>;
}
interface CaseJson {
  id: string;
  status: string;
  audit: AuditJson[];
}

describe('refunds reach the merchant through the signed webhook', () => {
  let server: TestServer | undefined;
  let merchant: MerchantStandIn | undefined;
  afterEach(async () => {
    await server?.close();
    await merchant?.close();
    server = undefined;
    merchant = undefined;
  });

  /** A merchant stand-in on the test server's clock, and the assistant pointed at it. */
  async function start(options: { store?: StoreKind; behaviours?: Behaviour[]; confirm?: 'answer' | 'none' | 'callback'; escalateAfter?: number } = {}) {
    const standIn = new MerchantStandIn({
      behaviours: options.behaviours ?? [],
      confirm: options.confirm === 'answer' ? 'answer' : 'none',
      now: () => (server ? server.clock.now().getTime() : Date.now()),
    });
    merchant = standIn;
    await standIn.start();
    const started = await startServer({
      now: NOW,
      store: options.store ?? 'sqlite',
      env: { REFUND_WEBHOOK_URL: standIn.url, REFUND_WEBHOOK_SECRET: WEBHOOK_SECRET },
      refundDispatch: { ...FAST, ...(options.escalateAfter ? { escalateAfter: options.escalateAfter } : {}) },
    });
    server = started;
    if (options.confirm === 'callback') standIn.confirmTo(started.url, ADMIN_TOKEN);
    return { server: started, merchant: standIn };
  }

  async function approvedInChat(url: string): Promise<{ customer: CustomerType; caseId: string; clauses: string[] }> {
    const customer = new Customer(url);
    await customer.start('en');
    const { summary } = await driveRefund(customer, 'en', { text: SPEAKER, attachments: [jpegAttachment()] }, { confirm: 'yes' });
    expect(summary).toMatchObject({ orderId: '100102', status: 'approved', amount: 207, currency: 'CNY' });
    return { customer, caseId: summary.id, clauses: summary.clauses };
  }

  async function caseJson(url: string, caseId: string): Promise<CaseJson> {
    const response = await fetch(`${url}/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as CaseJson;
  }

  const deliveryEvents = (audit: AuditJson[]) => audit.filter((event) => event.type.startsWith('refund_'));
  const refundedNotice = (caseId: string, amount = '¥207.00') =>
    prompts.t('en', 'notify.refunded', { caseId, amount, payment: prompts.t('en', 'payment.wechat_pay') });
  const texts = async (customer: CustomerType) => (await customer.history()).activities.map((activity) => activity.text);

  it('answers "where is my refund?" from the case: approved and waiting, handed to the shop, paid on a date', async () => {
    const { server, merchant } = await start({ confirm: 'none', behaviours: ['fail'] });
    const { customer, caseId } = await approvedInChat(server.url);
    const ask = async () => (await customer.say(`where is my refund ${caseId}?`)).map((reply) => reply.text).join('\n');
    const vars = { caseId, orderId: '100102', amount: '¥207.00' };

    // The shop refused the first delivery: approved, still waiting.
    await until(async () => deliveryEvents((await caseJson(server.url, caseId)).audit).some((event) => event.type === 'refund_attempt_failed'), 'a failed attempt');
    expect(await ask()).toContain(prompts.t('en', 'status.approved', { ...vars, date: '2026-11-20' }));

    // A day later the retry goes through: handed to the shop.
    server.clock.advance(24 * 60 * 60 * 1000);
    await until(() => merchant.refundsFor(caseId).length === 1, 'the delivery accepted');
    expect(await ask()).toContain(prompts.t('en', 'status.sent', { ...vars, date: '2026-11-20', sentDate: '2026-11-21', payment: prompts.t('en', 'payment.wechat_pay') }));

    // The shop says it paid on the 22nd.
    const paid = await fetch(`${server.url}/v1/cases/${caseId}/refunded`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reference: 'PAY-1', refundedAt: '2026-11-22T09:00:00Z' }),
    });
    expect(paid.status).toBe(200);
    expect(await ask()).toContain(prompts.t('en', 'status.refunded', { ...vars, date: '2026-11-22' }));
  });

  describe.each(STORES)('on the %s store', (store) => {
    it('sends a refund approved in a chat exactly once, signed, and the merchant’s confirmation reaches the customer', async () => {
      const { server, merchant } = await start({ store, confirm: 'callback' });
      const { customer, caseId, clauses } = await approvedInChat(server.url);

      // The merchant's receiver pays, calls back, and the customer hears it in their conversation.
      await until(async () => (await caseJson(server.url, caseId)).status === 'refunded', 'the merchant’s confirmation');
      await until(async () => (await texts(customer)).includes(refundedNotice(caseId)), 'the customer being told');

      const [request, ...more] = merchant.requestsFor(caseId);
      expect(more).toEqual([]);
      expect(request?.headers['content-type']).toBe('application/json');
      expect(request?.headers['idempotency-key']).toBe(caseId);
      const now = Math.floor(server.clock.now().getTime() / 1000);
      const signature = String(request?.headers['refundbot-signature']);
      expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifySignature(signature, request?.body ?? '', WEBHOOK_SECRET, now)).toEqual({ ok: true });
      expect(verifySignature(signature, request?.body ?? '', `${WEBHOOK_SECRET}x`, now)).toEqual({ ok: false, problem: 'mismatch' });
      expect(JSON.parse(request?.body ?? '{}')).toEqual({
        event: 'refund.approved',
        caseId,
        orderId: '100102',
        customerId: 'c-1002',
        amount: '207.00',
        amountMinor: 20700,
        currency: 'CNY',
        outcome: 'full',
        paymentMethod: 'wechat_pay',
        items: [{ sku: 'SPK-10', name: 'Bluetooth speaker', quantity: 1 }],
        decidedBy: { kind: 'assistant' },
        clauses,
        policyVersion: expect.any(String),
        approvedAt: new Date(NOW).toISOString(),
      });
      expect(merchant.refundsFor(caseId)).toHaveLength(1);

      const recorded = await caseJson(server.url, caseId);
      expect(deliveryEvents(recorded.audit)).toMatchObject([{ type: 'refund_sent', actor: { kind: 'system', id: 'refund-webhook' }, data: { attempt: 1, status: 200 } }]);
      expect(recorded.audit.at(-1)).toMatchObject({
        type: 'status_changed',
        actor: { kind: 'system', id: 'merchant' },
        data: { from: 'approved', to: 'refunded', reference: expect.stringMatching(/^PAY-/) },
      });
      expect(await server.app.stores.refundOutbox.list()).toEqual([]);

      // Nothing more goes out, however long the dispatcher keeps polling.
      server.clock.advance(PAST_ANY_BACKOFF);
      await new Promise((resolve) => setTimeout(resolve, 10 * FAST.pollMs));
      expect(merchant.requestsFor(caseId)).toHaveLength(1);

      // A repeated confirmation is accepted and tells the customer nothing new.
      const again = await fetch(`${server.url}/v1/cases/${caseId}/refunded`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reference: 'PAY-AGAIN' }),
      });
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ id: caseId, status: 'refunded', notified: false });
      expect((await texts(customer)).filter((text) => text === refundedNotice(caseId))).toHaveLength(1);
    });
  });

  it('retries a merchant that fails twice: three attempts on the audit trail, one accepted, one refund', async () => {
    const { server, merchant } = await start({ behaviours: ['fail', 'fail'], confirm: 'answer' });
    const { customer, caseId } = await approvedInChat(server.url);

    const failures = async (count: number) =>
      until(async () => deliveryEvents((await caseJson(server.url, caseId)).audit).length >= count, `attempt ${count} on the trail`);
    await failures(1);
    expect(await server.app.stores.refundOutbox.list()).toMatchObject([{ caseId, attempts: 1 }]);
    server.clock.advance(PAST_ANY_BACKOFF);
    await failures(2);
    server.clock.advance(PAST_ANY_BACKOFF);
    await until(async () => (await caseJson(server.url, caseId)).status === 'refunded', 'the third attempt');

    const attempts = deliveryEvents((await caseJson(server.url, caseId)).audit);
    expect(attempts).toMatchObject([
      { type: 'refund_attempt_failed', data: { attempt: 1, status: 503, error: 'http_503', nextAttemptAt: expect.any(String) } },
      { type: 'refund_attempt_failed', data: { attempt: 2, status: 503, error: 'http_503' } },
      { type: 'refund_sent', data: { attempt: 3, status: 200, merchantStatus: 'refunded', reference: expect.stringMatching(/^PAY-/) } },
    ]);
    // Backoff with jitter: the first retry between half the base and the base after the failure.
    const first = attempts[0] as AuditJson;
    const wait = Date.parse(String(first.data.nextAttemptAt)) - Date.parse(first.at);
    expect(wait).toBeGreaterThanOrEqual(FAST.backoffBaseMs / 2);
    expect(wait).toBeLessThanOrEqual(FAST.backoffBaseMs);

    const requests = merchant.requestsFor(caseId);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((request) => request.headers['idempotency-key']))).toEqual(new Set([caseId]));
    expect(new Set(requests.map((request) => request.body)).size).toBe(1);
    expect(merchant.refundsFor(caseId)).toHaveLength(1);
    // The merchant said "refunded" in its answer: the case moved, and the customer heard it.
    await until(async () => (await texts(customer)).includes(refundedNotice(caseId)), 'the customer being told');
  });

  it('refunds once when the merchant’s answer is lost and the same delivery comes again (Idempotency-Key)', async () => {
    const { server, merchant } = await start({ behaviours: ['drop'], confirm: 'answer' });
    const { caseId } = await approvedInChat(server.url);

    await until(async () => deliveryEvents((await caseJson(server.url, caseId)).audit).length >= 1, 'the first attempt');
    // The merchant did pay; the assistant could not know.
    expect(merchant.refundsFor(caseId)).toHaveLength(1);
    const [lost] = deliveryEvents((await caseJson(server.url, caseId)).audit);
    expect(lost).toMatchObject({ type: 'refund_attempt_failed', data: { attempt: 1 } });
    expect(lost?.data.status).toBeUndefined();

    server.clock.advance(PAST_ANY_BACKOFF);
    await until(async () => (await caseJson(server.url, caseId)).status === 'refunded', 'the retry');
    expect(merchant.requestsFor(caseId)).toHaveLength(2);
    expect(merchant.refundsFor(caseId)).toHaveLength(1);
    const sent = deliveryEvents((await caseJson(server.url, caseId)).audit).at(-1);
    // The repeat got the first payment's answer back, reference included.
    const firstPaid = merchant.receiver.refunds()[0];
    expect(firstPaid?.caseId).toBe(caseId);
    expect(sent).toMatchObject({ type: 'refund_sent', data: { attempt: 2, merchantStatus: 'refunded' } });
  });

  it('delivers an approval made by a person at the desk, naming them', async () => {
    const { server, merchant } = await start();
    const customer = new Customer(server.url);
    await customer.start('zh-CN');
    const { summary } = await driveRefund(customer, 'zh-CN', '订单100118的手机坏了，开不了机', { identity: 'wangfang@example.com', evidence: 'photo', category: 'defective' });
    expect(summary.status).toBe('pending_review');
    // Nothing is sent while a person has not decided.
    await new Promise((resolve) => setTimeout(resolve, 5 * FAST.pollMs));
    expect(merchant.requestsFor(summary.id)).toEqual([]);

    const approved = await fetch(`${server.url}/v1/desk/conversations/${customer.conversationId}/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'Wang', action: { kind: 'approve', amount: 3500 } }),
    });
    expect(approved.status).toBe(200);
    await until(() => merchant.requestsFor(summary.id).length === 1, 'the delivery of the agent’s approval');
    expect(JSON.parse(merchant.requestsFor(summary.id)[0]?.body ?? '{}')).toMatchObject({
      caseId: summary.id,
      orderId: '100118',
      amount: '3500.00',
      amountMinor: 350000,
      outcome: 'partial',
      paymentMethod: 'card',
      decidedBy: { kind: 'agent', id: 'console:Wang' },
    });
    await until(async () => deliveryEvents((await caseJson(server.url, summary.id)).audit).length === 1, 'the trail');
    // Accepted, not yet paid (the merchant will confirm): the case stays approved.
    expect(await caseJson(server.url, summary.id)).toMatchObject({ status: 'approved' });
  });

  it('asks people to look after repeated failures, keeps the case approved and goes on retrying', async () => {
    const { server, merchant } = await start({ behaviours: ['fail', 'fail'], escalateAfter: 2 });
    const { customer, caseId } = await approvedInChat(server.url);
    await until(async () => deliveryEvents((await caseJson(server.url, caseId)).audit).length >= 1, 'the first failure');
    server.clock.advance(PAST_ANY_BACKOFF);

    const desk = async () => {
      const response = await fetch(`${server.url}/v1/desk/conversations`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      return ((await response.json()) as { conversations: { conversationId: string; handoff?: { reason: string; caseId?: string }; refundCase?: { status: string } }[] }).conversations;
    };
    const [waiting] = await until(async () => {
      const open = await desk();
      return open.length > 0 && open;
    }, 'the conversation at the desk');
    expect(waiting).toMatchObject({ conversationId: customer.conversationId, handoff: { reason: 'refund_delivery_failed', caseId }, refundCase: { status: 'approved' } });
    expect(await server.app.stores.cases.escalations(customer.conversationId)).toMatchObject([{ reason: 'refund_delivery_failed', caseId }]);
    const recorded = await caseJson(server.url, caseId);
    expect(recorded.status).toBe('approved');
    expect(recorded.audit.filter((event) => event.type === 'escalated')).toMatchObject([
      { actor: { kind: 'system', id: 'refund-webhook' }, data: { reason: 'refund_delivery_failed', statusChanged: false } },
    ]);

    server.clock.advance(PAST_ANY_BACKOFF);
    await until(async () => deliveryEvents((await caseJson(server.url, caseId)).audit).some((event) => event.type === 'refund_sent'), 'the third attempt');
    expect(merchant.requestsFor(caseId)).toHaveLength(3);
    // Escalated once, not at every further failure.
    expect(await server.app.stores.cases.escalations(customer.conversationId)).toHaveLength(1);
  });

  it('drops a queued delivery whose case was confirmed refunded meanwhile, on the audit trail', async () => {
    const { server, merchant } = await start({ behaviours: ['fail'] });
    const { caseId } = await approvedInChat(server.url);
    await until(async () => deliveryEvents((await caseJson(server.url, caseId)).audit).length >= 1, 'the failed attempt');

    // Staff paid it by hand and told the assistant.
    const confirmed = await fetch(`${server.url}/v1/cases/${caseId}/refunded`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reference: 'BANK-7731', refundedAt: '2026-11-20T11:59:00+08:00' }),
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ status: 'refunded', notified: true });
    server.clock.advance(PAST_ANY_BACKOFF);
    await until(async () => (await server.app.stores.refundOutbox.list()).length === 0, 'the entry dropped');

    expect(merchant.requestsFor(caseId)).toHaveLength(1);
    const trail = (await caseJson(server.url, caseId)).audit;
    expect(trail.find((event) => event.type === 'status_changed')).toMatchObject({
      actor: { kind: 'system', id: 'merchant' },
      data: { to: 'refunded', reference: 'BANK-7731', refundedAt: '2026-11-20T03:59:00.000Z' },
    });
    expect(deliveryEvents(trail).map((event) => [event.type, event.data.attempt])).toEqual([
      ['refund_attempt_failed', 1],
      ['refund_dropped', 2],
    ]);
  });

  it('confirms refunds only for approved cases, with the admin token and a valid body', async () => {
    const { server } = await start();
    const customer = new Customer(server.url);
    await customer.start('zh-CN');
    const { summary } = await driveRefund(customer, 'zh-CN', '订单100118的手机坏了，开不了机', { identity: 'wangfang@example.com', evidence: 'photo', category: 'defective' });
    const confirm = (caseId: string, body: unknown, token = ADMIN_TOKEN) =>
      fetch(`${server.url}/v1/cases/${caseId}/refunded`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const pending = await confirm(summary.id, {});
    expect(pending.status).toBe(409);
    expect(await pending.json()).toMatchObject({ error: { code: 'case_not_approved' } });
    expect((await confirm('RF-NOPE22', {})).status).toBe(404);
    expect((await confirm(summary.id, {}, 'wrong-token-0123456789')).status).toBe(401);
    expect((await confirm(summary.id, { refundedAt: 'yesterday' })).status).toBe(400);
    expect((await confirm(summary.id, { reference: 'x', extra: 1 })).status).toBe(400);
    expect((await caseJson(server.url, summary.id)).status).toBe('pending_review');
  });
});

describe('without a refund webhook', () => {
  it('queues and sends nothing', async () => {
    const server = await startServer({ now: NOW, refundDispatch: FAST });
    try {
      const customer = new Customer(server.url);
      await customer.start('en');
      const { summary } = await driveRefund(customer, 'en', { text: SPEAKER, attachments: [jpegAttachment()] }, { confirm: 'yes' });
      expect(summary.status).toBe('approved');
      expect(server.app.refundDispatcher).toBeUndefined();
      expect(await server.app.stores.refundOutbox.list()).toEqual([]);
      expect((await server.app.stores.cases.audit(summary.id)).map((event) => event.type)).toEqual(['created', 'decided']);
    } finally {
      await server.close();
    }
  });
});

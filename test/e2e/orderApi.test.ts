import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/domain/locale.ts';
import type { Agent } from '../../src/handoff/types.ts';
import { announcedCase, awaiting, type BotActivity, type CaseSummary, Customer, jpegAttachment } from '../support/client.ts';
import { type Answers, driveRefund, prompts } from '../support/drive.ts';
import { demoOrderRecords, type OrderApiMode, OrderApiStandIn } from '../support/orderApiStandIn.ts';
import { ROOT, STORES, startServer, type TestServer } from '../support/server.ts';

// The demo orders are written as of 2026-11-20; the stand-in serves them with real dates for NOW.
const NOW = '2026-11-20T12:00:00Z';
const TOKEN = 'e2e-order-api-token';
const AGENT: Agent = { id: 'console:Wang', name: 'Wang', via: 'console' };

let api: OrderApiStandIn;
let server: TestServer;

/** What the customer hears when the order API fails (English: 30 minutes is the default wait). */
const unavailableText = (locale: Locale) => prompts.t(locale, 'escalated.ordersUnavailable', { minutes: 30 });

describe.each(STORES)('live order lookup on the %s store', (store) => {
  beforeEach(async () => {
    api = new OrderApiStandIn({ orders: demoOrderRecords(ROOT, new Date(NOW)), token: TOKEN });
    const url = await api.start();
    // Short waits: a failing API must not make the suite slow (the defaults are 3 s and 2 retries).
    server = await startServer({ now: NOW, store, env: { ORDERS_API_URL: url, ORDERS_API_TOKEN: TOKEN, ORDERS_API_TIMEOUT_MS: '300', ORDERS_API_RETRIES: '1' } });
  });
  afterEach(async () => {
    await server.close();
    await api.close();
  });

  async function customer(on: TestServer = server, locale: Locale = 'en'): Promise<Customer> {
    const c = new Customer(on.url);
    await c.start(locale);
    return c;
  }

  /** The conversation went to people because of the order API: escalation recorded, hand-over open, no case. */
  async function expectHandedOverWithoutDecision(c: Customer, replies: BotActivity[], locale: Locale, orderId: string): Promise<void> {
    expect(replies.at(-1)?.text).toBe(unavailableText(locale));
    expect(c.replies.some((reply) => reply.channelData?.case)).toBe(false);
    expect(c.replies.some((reply) => reply.text === prompts.t(locale, 'retry.orderNotFound', { orderId }))).toBe(false);
    expect(c.replies.some((reply) => reply.text === prompts.t(locale, 'error.generic'))).toBe(false);
    expect(await server.app.stores.cases.escalations(c.conversationId)).toMatchObject([{ reason: 'orders_unavailable', orderId, locale }]);
    expect(await server.app.stores.cases.byConversation(c.conversationId)).toEqual([]);
    const view = await server.app.handoff.view(c.conversationId);
    expect(view?.handoff).toMatchObject({ reason: 'orders_unavailable' });
    expect((await server.app.handoff.open()).map((open) => open.conversationId)).toContain(c.conversationId);
  }

  describe('the API answers', () => {
    const rows: { name: string; opener: string; answers: Answers }[] = [
      { name: 'defective with a photo (100102)', opener: 'The speaker from order 100102 is broken, it does not turn on. hanmeimei@example.com', answers: { evidence: 'photo', category: 'defective' } },
      // The duplicate-order rule reads the customer's other orders: GET /orders?customer=.
      { name: 'duplicate order (100112)', opener: 'I ordered the kettle twice by mistake, please refund order 100112', answers: { identity: 'zhangwei@example.com', category: 'duplicate_order' } },
      { name: 'over the auto-approval limit (100118)', opener: 'My phone from order 100118 is defective, it will not turn on. Refund please.', answers: { identity: 'wangfang@example.com', evidence: 'photo', category: 'defective' } },
    ];
    it.each(rows)('$name: the decision is the one made from the orders file', async ({ opener, answers }) => {
      const fromApi = await driveRefund(await customer(), 'en', opener, answers);
      const fileServer = await startServer({ now: NOW, store });
      let fromFile: CaseSummary;
      try {
        fromFile = (await driveRefund(await customer(fileServer), 'en', opener, answers)).summary;
      } finally {
        await fileServer.close();
      }
      const { id: _apiId, ...decided } = fromApi.summary;
      const { id: _fileId, ...expected } = fromFile;
      expect(decided).toEqual(expected);
      expect(api.orderRequests().length).toBeGreaterThan(0);
      expect(api.listRequests()).toHaveLength(1);
      expect(api.requests.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
    });

    it('an order the API does not know is "not found", as with the file', async () => {
      const c = await customer();
      const replies = await c.say('I want a refund for order 100999');
      expect(replies.some((reply) => reply.text === prompts.t('en', 'retry.orderNotFound', { orderId: '100999' }))).toBe(true);
      expect(await server.app.stores.cases.escalations(c.conversationId)).toEqual([]);
    });

    it('looks an order up once per 30 s, not on every turn', async () => {
      await driveRefund(await customer(), 'en', 'Refund for order 100102 please', { identity: 'hanmeimei@example.com', reason: 'the speaker is broken, it does not turn on', evidence: 'photo', category: 'defective' });
      expect(api.orderRequests('100102')).toHaveLength(1);
    });
  });

  describe('the API fails: the customer is told and handed to people, never refused', () => {
    const openers: { locale: Locale; text: string; orderId: string }[] = [
      { locale: 'en', text: 'The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com', orderId: '100102' },
      { locale: 'zh-CN', text: '订单100102的音箱坏了，我的邮箱是hanmeimei@example.com', orderId: '100102' },
      { locale: 'zh-TW', text: '訂單100126的絲巾跟描述不符，顏色完全不一樣，我的電子郵件是 linyijun@example.com', orderId: '100126' },
    ];
    it.each(openers)('$locale: the API down on the first message', async ({ locale, text, orderId }) => {
      api.mode = 'down';
      const c = await customer(server, locale);
      const replies = await c.say(text, [jpegAttachment()]);
      await expectHandedOverWithoutDecision(c, replies, locale, orderId);
      // Two tries (ORDERS_API_RETRIES=1), then the hand-over.
      expect(api.orderRequests(orderId)).toHaveLength(2);
      // The desk shows the conversation; the customer waiting is told so.
      expect((await c.say('hello?')).at(-1)?.text).toBe(prompts.t(locale, 'handoff.pending'));
    });

    it.each<OrderApiMode>(['slow', 'malformed', 'other_id', 'foreign_order'])('an answer that cannot be used (%s) is never decided on', async (mode) => {
      api.mode = mode;
      const c = await customer();
      let replies = await c.say('The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com', [jpegAttachment()]);
      // A customer list with another customer's order only shows when deciding (the duplicate-order rule reads it).
      if (awaiting(replies) === 'confirm') replies = await c.say(prompts.t('en', 'action.yes'));
      expect(announcedCase(replies)).toBeUndefined();
      await expectHandedOverWithoutDecision(c, replies, 'en', '100102');
    });

    it('the API failing in the middle of a conversation (after the cached answer expired)', async () => {
      const c = await customer();
      const first = await c.say('The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com', [jpegAttachment()]);
      expect(awaiting(first)).toBe('confirm');
      api.mode = 'down';
      server.clock.advance(31_000);
      const replies = await c.say(prompts.t('en', 'action.yes'));
      await expectHandedOverWithoutDecision(c, replies, 'en', '100102');
    });

    it('a status question while the API is down', async () => {
      api.mode = 'down';
      const c = await customer();
      const replies = await c.say('where is my refund for order 100102?');
      await expectHandedOverWithoutDecision(c, replies, 'en', '100102');
    });
  });

  describe('the desk while the API is down', () => {
    it('shows the case with its order unavailable, refuses an approval it cannot check, and a denial still reaches the customer', async () => {
      const c = await customer();
      const { summary } = await driveRefund(c, 'en', 'My phone from order 100118 is defective, it will not turn on. Refund please.', { identity: 'wangfang@example.com', evidence: 'photo', category: 'defective' });
      expect(summary.status).toBe('pending_review');
      api.mode = 'down';
      server.clock.advance(31_000);

      const view = await server.app.handoff.view(c.conversationId);
      expect(view).toMatchObject({ orderUnavailable: true, order: undefined, refundCase: { id: summary.id }, handoff: { reason: 'needs_review' } });

      const approve = await server.app.handoff.act(c.conversationId, AGENT, { kind: 'approve' });
      expect(approve).toMatchObject({ ok: false, refusal: 'orders_unavailable' });
      expect((await server.app.stores.cases.get(summary.id))?.status).toBe('pending_review');
      expect(c.replies.some((reply) => reply.text === prompts.t('en', 'error.generic'))).toBe(false);

      const deny = await server.app.handoff.act(c.conversationId, AGENT, { kind: 'deny', reason: 'the phone was dropped' });
      expect(deny.ok).toBe(true);
      const { activities } = await c.history();
      const told = prompts.t('en', 'agent.denied', { name: 'Wang', caseId: summary.id, reason: 'the phone was dropped' });
      expect(activities.some((activity) => activity.text === told)).toBe(true);
    });

    it('approves once the API is back', async () => {
      const c = await customer();
      const { summary } = await driveRefund(c, 'en', 'My phone from order 100118 is defective, it will not turn on. Refund please.', { identity: 'wangfang@example.com', evidence: 'photo', category: 'defective' });
      api.mode = 'down';
      server.clock.advance(31_000);
      expect(await server.app.handoff.act(c.conversationId, AGENT, { kind: 'approve' })).toMatchObject({ ok: false, refusal: 'orders_unavailable' });
      api.mode = 'ok';
      expect((await server.app.handoff.act(c.conversationId, AGENT, { kind: 'approve' })).ok).toBe(true);
      expect((await server.app.stores.cases.get(summary.id))?.status).toBe('approved');
    });
  });
});

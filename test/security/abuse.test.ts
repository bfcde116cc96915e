import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/domain/locale.ts';
import { announcedCase, awaiting, type BotActivity, Customer, jpegAttachment } from '../support/client.ts';
import { prompts } from '../support/drive.ts';
import { deleteKeys, testPrefix } from '../support/redis.ts';
import { ADMIN_TOKEN, STORES, startServer, type TestServer } from '../support/server.ts';

/**
 * Issue 10, "Abuse", through the real HTTP API: request limits per client address and per
 * conversation, the client address behind a proxy, the cap on new conversations per address
 * (across instances), the order-number guessing defence, and refund requests per customer per day.
 */
const NOW = '2026-11-20T12:00:00Z';
const LIMITS_OFF = { RATE_LIMIT_PER_IP_PER_MINUTE: '0', RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: '0', CONVERSATIONS_PER_IP_PER_HOUR: '0' };

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function start(store: (typeof STORES)[number], env: Record<string, string>): Promise<TestServer> {
  const server = await startServer({ now: NOW, store, env });
  servers.push(server);
  return server;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { error?: { code: string; message: string }; conversationId?: string; token?: string };
}

/**
 * One request with node:http, so a test can pick the address it comes from (any 127.x.y.z is
 * this machine on Linux) and send any forwarding header.
 */
function call(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown; from?: string } = {},
): Promise<Answer> {
  const url = new URL(path, base);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers },
        ...(options.from ? { localAddress: options.from } : {}),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Answer['body'] = {};
          try {
            body = JSON.parse(text) as Answer['body'];
          } catch {
            // Not JSON (an HTML page): the status is what counts.
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

const startConversation = (base: string, options: { headers?: Record<string, string>; from?: string } = {}) =>
  call(base, '/v1/conversations', { method: 'POST', body: { locale: 'en' }, ...options });

const history = (base: string, conversation: { conversationId?: string; token?: string }, options: { headers?: Record<string, string>; from?: string; token?: string } = {}) =>
  call(base, `/v1/conversations/${conversation.conversationId}/activities?watermark=0`, {
    headers: { authorization: `Bearer ${options.token ?? conversation.token}`, ...options.headers },
    ...(options.from ? { from: options.from } : {}),
  });

/** A 429 in our error shape with a Retry-After of whole seconds within `maxSeconds`. */
function expectRateLimited(answer: Answer, maxSeconds: number): number {
  expect(answer.status).toBe(429);
  expect(answer.body.error?.code).toBe('rate_limited');
  expect(answer.body.error?.message).toEqual(expect.any(String));
  const retryAfter = Number(answer.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  return retryAfter;
}

describe.each(STORES)('abuse limits on the %s store', (store) => {
  describe('request limits on the conversation API', () => {
    it('answers 429 with Retry-After per client address; another address, staff and webhooks are unaffected', async () => {
      const server = await start(store, { ...LIMITS_OFF, RATE_LIMIT_PER_IP_PER_MINUTE: '4' });
      const started = await startConversation(server.url);
      expect(started.status).toBe(201);
      for (let index = 0; index < 3; index++) expect((await history(server.url, started.body)).status).toBe(200);
      // The fifth request from 127.0.0.1 this minute, whatever the route.
      expectRateLimited(await history(server.url, started.body), 60);
      expectRateLimited(await startConversation(server.url), 60);
      expectRateLimited(await call(server.url, `/v1/conversations/${started.body.conversationId}/stream?access_token=${started.body.token}`), 60);
      // Another address reads the same conversation (with its token) as usual.
      expect((await history(server.url, started.body, { from: '127.0.0.2' })).status).toBe(200);
      // Staff APIs, health and the channel webhooks are outside the customer limits.
      expect((await call(server.url, '/v1/cases?orderId=100102', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
      expect((await call(server.url, '/healthz')).status).toBe(200);
      const webhook = await call(server.url, '/api/messages', { method: 'POST', body: { type: 'message' } });
      expect(webhook.status).not.toBe(429);
    });

    it('answers 429 per conversation; another conversation on the same address is unaffected, and a wrong token spends an allowance of its own', async () => {
      const server = await start(store, { ...LIMITS_OFF, RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: '3' });
      const mine = (await startConversation(server.url)).body;
      const other = (await startConversation(server.url)).body;
      // Someone who only knows the id spends an allowance of their own, not its owner's.
      for (let index = 0; index < 3; index++) expect((await history(server.url, mine, { token: 'not-the-token' })).status).toBe(401);
      expectRateLimited(await history(server.url, mine, { token: 'not-the-token' }), 60);
      for (let index = 0; index < 3; index++) expect((await history(server.url, mine)).status).toBe(200);
      expectRateLimited(await history(server.url, mine), 60);
      const customer = Object.assign(new Customer(server.url), { conversationId: mine.conversationId ?? '', token: mine.token ?? '' });
      const posted = await customer.post({ type: 'message', text: 'I want a refund' });
      expect(posted.status).toBe(429);
      expect(posted.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await history(server.url, other)).status).toBe(200);
    });

    it('ignores a spoofed X-Forwarded-For without TRUST_PROXY', async () => {
      const server = await start(store, { ...LIMITS_OFF, RATE_LIMIT_PER_IP_PER_MINUTE: '3' });
      for (const forwarded of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
        expect((await call(server.url, '/v1/conversations/nope/activities', { headers: { 'x-forwarded-for': forwarded } })).status).toBe(404);
      }
      // Every request counted against 127.0.0.1, whatever the header claimed.
      expectRateLimited(await call(server.url, '/v1/conversations/nope/activities', { headers: { 'x-forwarded-for': '198.51.100.7' } }), 60);
    });

    it('counts the forwarded client address with TRUST_PROXY naming the proxy', async () => {
      const server = await start(store, { ...LIMITS_OFF, RATE_LIMIT_PER_IP_PER_MINUTE: '3', TRUST_PROXY: '127.0.0.1' });
      const via = (client: string) => ({ headers: { 'x-forwarded-for': client } });
      for (let index = 0; index < 3; index++) expect((await call(server.url, '/v1/conversations/nope/activities', via('203.0.113.1'))).status).toBe(404);
      expectRateLimited(await call(server.url, '/v1/conversations/nope/activities', via('203.0.113.1')), 60);
      // Another client behind the same proxy, and the proxy's own address, have their own counts.
      expect((await call(server.url, '/v1/conversations/nope/activities', via('203.0.113.2'))).status).toBe(404);
      expect((await call(server.url, '/v1/conversations/nope/activities')).status).toBe(404);
      // A hop added by the client itself before the proxy's is not believed: the proxy (127.0.0.1)
      // is trusted, 203.0.113.9 is not, so the client is 203.0.113.9 whatever it put first.
      for (let index = 0; index < 3; index++) {
        expect((await call(server.url, '/v1/conversations/nope/activities', via(`10.9.9.${index}, 203.0.113.9`))).status).toBe(404);
      }
      expectRateLimited(await call(server.url, '/v1/conversations/nope/activities', via('10.9.9.99, 203.0.113.9')), 60);
    });
  });

  describe('new conversations per address per hour', () => {
    it('refuses a start over the cap with Retry-After to the end of the hour, creates nothing, and lets it in the next hour', async () => {
      const server = await start(store, { ...LIMITS_OFF, CONVERSATIONS_PER_IP_PER_HOUR: '2' });
      expect((await startConversation(server.url)).status).toBe(201);
      expect((await startConversation(server.url)).status).toBe(201);
      const refused = await startConversation(server.url);
      // NOW is 12:00:00: the window (a clock hour) ends at 13:00.
      expect(expectRateLimited(refused, 3600)).toBe(3600);
      expect(refused.body.conversationId).toBeUndefined();
      server.clock.advance(30 * 60 * 1000);
      expect(expectRateLimited(await startConversation(server.url), 3600)).toBe(1800);
      const period = { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z') };
      expect((await server.app.stats(period)).conversations.total).toBe(2);
      // Another address is unaffected; the next hour lets this one in again.
      expect((await startConversation(server.url, { from: '127.0.0.2' })).status).toBe(201);
      server.clock.advance(30 * 60 * 1000);
      expect((await startConversation(server.url)).status).toBe(201);
      expect(server.logs.filter((line) => line.includes('conversation starts refused')).length).toBe(1);
    });
  });

  describe('the order-number guessing defence', () => {
    async function customer(server: TestServer, locale: Locale): Promise<Customer> {
      const c = new Customer(server.url);
      await c.start(locale);
      return c;
    }
    const lockedText = (locale: Locale, orderId: string) => prompts.t(locale, 'identity.locked', { orderId });
    const texts = (replies: BotActivity[]) => replies.map((reply) => reply.text).join(' ');

    it('locks the order after 3 wrong contacts, for good in this conversation, in the status dialog too, and logs it without the contact', async () => {
      const server = await start(store, { ...LIMITS_OFF, IDENTITY_ATTEMPTS: '3' });
      const c = await customer(server, 'en');
      expect(awaiting(await c.say('I want a refund for order 100102'))).toBe('identity');
      expect(texts(await c.say('guess.one@example.com'))).toContain(prompts.t('en', 'retry.identity', { orderId: '100102' }));
      expect(texts(await c.say('guess.two@example.net'))).toContain(prompts.t('en', 'retry.identity', { orderId: '100102' }));
      const locked = await c.say('hanmeimei@example.co');
      expect(locked.at(-1)?.text).toBe(lockedText('en', '100102'));
      expect(locked.at(-1)?.suggestedActions?.actions.map((action) => action.title)).toEqual([prompts.t('en', 'action.human')]);
      expect(awaiting(locked)).toBeUndefined();
      // The right contact no longer helps, after "cancel" neither, nor in the status dialog.
      const right = await c.say('refund order 100102, my email is hanmeimei@example.com');
      expect(right.at(-1)?.text).toBe(lockedText('en', '100102'));
      await c.say('cancel');
      expect((await c.say('where is my refund for order 100102? hanmeimei@example.com')).at(-1)?.text).toBe(lockedText('en', '100102'));
      // Another order in the same conversation is asked about as usual.
      expect(awaiting(await c.say('refund order 100126'))).toBe('identity');
      // No case, no escalation: the customer chooses whether to ask a person.
      expect(await server.app.stores.cases.byConversation(c.conversationId)).toEqual([]);
      expect(await server.app.stores.cases.escalations(c.conversationId)).toEqual([]);

      const records = server.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
      const failures = records.filter((record) => record.msg === 'identity check failed');
      expect(failures).toHaveLength(3);
      for (const record of failures) expect(record).toMatchObject({ conversationId: c.conversationId, orderId: '100102' });
      expect(records.filter((record) => record.msg === 'order locked in this conversation after failed identity checks')).toMatchObject([
        { conversationId: c.conversationId, orderId: '100102', failures: 3 },
      ]);
      for (const record of records.filter((record) => record.orderId === '100102')) {
        const line = JSON.stringify(record);
        expect(line).not.toMatch(/guess|hanmeimei|example\.(com|net|co)|@/);
      }
    });

    it('locks every unverified order after 3× the limit of wrong answers spread over many orders', async () => {
      const server = await start(store, { ...LIMITS_OFF, IDENTITY_ATTEMPTS: '2' });
      const c = await customer(server, 'en');
      // One guess per order with a known email: no order reaches 2, the conversation reaches 6.
      const orders = ['100101', '100103', '100104', '100105', '100106', '100107'];
      let replies: BotActivity[] = [];
      for (const orderId of orders) replies = await c.say(`refund order ${orderId}, my email is hanmeimei@example.com`);
      expect(replies.at(-1)?.text).toBe(lockedText('en', '100107'));
      // An order never tried before is locked too, and so is one tried once.
      expect((await c.say('refund order 100126')).at(-1)?.text).toBe(lockedText('en', '100126'));
      expect((await c.say('refund order 100101, my email is lilei@example.com')).at(-1)?.text).toBe(lockedText('en', '100101'));
      // The lock is this conversation's: another conversation is asked as usual.
      const records = server.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records.filter((record) => record.msg === 'identity check failed')).toHaveLength(6);
      expect(records.filter((record) => String(record.msg).startsWith('identity checks locked in this conversation'))).toMatchObject([{ conversationId: c.conversationId, total: 6 }]);
      const fresh = await customer(server, 'en');
      expect(awaiting(await fresh.say('refund order 100126'))).toBe('identity');
    });

    it('counts wrong answers across the status and refund dialogs, and tells a zh-CN customer in zh-CN', async () => {
      const server = await start(store, { ...LIMITS_OFF, IDENTITY_ATTEMPTS: '3' });
      const c = await customer(server, 'zh-CN');
      expect(awaiting(await c.say('订单100102的退款到哪了？'))).toBe('identity');
      expect(awaiting(await c.say('我的邮箱是 wrong1@example.com'))).toBe('identity');
      expect(awaiting(await c.say('我的邮箱是 wrong2@example.com'))).toBe('identity');
      // Two wrong answers in the status dialog; the customer stops and asks for a refund instead.
      await c.say('取消');
      expect(awaiting(await c.say('订单100102退款'))).toBe('identity');
      const third = await c.say('我的邮箱是 wrong3@example.com');
      expect(third.at(-1)?.text).toBe(lockedText('zh-CN', '100102'));
      expect(third.at(-1)?.locale).toBe('zh-CN');
      expect(third.at(-1)?.suggestedActions?.actions.map((action) => action.title)).toEqual([prompts.t('zh-CN', 'action.human')]);
      // Tapping the button reaches a person.
      const handed = await c.say(prompts.t('zh-CN', 'action.human'));
      expect(handed.at(-1)?.text).toBe(prompts.t('zh-CN', 'escalated', { minutes: 30 }));
    });
  });

  describe('refund requests per customer per day', () => {
    const opener = 'The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com';

    it('opens no case over the limit, tells the customer when to try again, keeps the claim, and lets it through the next day', async () => {
      const server = await start(store, { ...LIMITS_OFF, REFUND_REQUESTS_PER_CUSTOMER_PER_DAY: '1' });
      const first = new Customer(server.url);
      await first.start('en');
      expect(awaiting(await first.say(opener, [jpegAttachment()]))).toBe('confirm');
      expect(announcedCase(await first.say('yes'))).toMatchObject({ orderId: '100102' });

      // The same customer (c-1002), another order, another conversation, in zh-TW.
      const second = new Customer(server.url);
      await second.start('zh-TW');
      let replies = await second.say('訂單100128的鞋子尺碼發錯了，我要退款');
      for (let turn = 0; awaiting(replies) !== 'confirm'; turn++) {
        if (turn > 5) throw new Error(`no confirmation question; last: ${replies.at(-1)?.text}`);
        const slot = awaiting(replies);
        if (slot === 'identity') replies = await second.say('hanmeimei@example.com');
        else if (slot === 'category') replies = await second.say(prompts.t('zh-TW', 'category.wrong_item'));
        else if (slot === 'evidence') replies = await second.say(undefined, [jpegAttachment()]);
        else throw new Error(`unexpected question ${slot}: ${replies.at(-1)?.text}`);
      }
      const refused = await second.say('是');
      // NOW is 2026-11-20 12:00 UTC: the day's window ends at midnight UTC.
      expect(refused.at(-1)?.text).toBe(prompts.t('zh-TW', 'refund.limited', { time: '2026-11-21 00:00 UTC' }));
      expect(awaiting(refused)).toBe('confirm');
      expect(announcedCase(refused)).toBeUndefined();
      expect(await server.app.stores.cases.byConversation(second.conversationId)).toEqual([]);
      expect(await server.app.stores.cases.byOrder('100128')).toEqual([]);
      const refusal = server.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.msg === 'refund request refused: the customer reached the daily limit');
      expect(refusal).toMatchObject([{ conversationId: second.conversationId, orderId: '100128', customerId: 'c-1002', max: 1 }]);

      // Still refused before midnight; the next day "yes" opens the case from what was kept.
      server.clock.set('2026-11-20T23:59:00Z');
      expect((await second.say('是')).at(-1)?.text).toBe(prompts.t('zh-TW', 'refund.limited', { time: '2026-11-21 00:00 UTC' }));
      server.clock.set('2026-11-21T00:00:01Z');
      const decided = await second.say('是');
      expect(announcedCase(decided)).toMatchObject({ orderId: '100128', category: 'wrong_item' });
      expect(await server.app.stores.cases.byConversation(second.conversationId)).toHaveLength(1);
    });
  });
});

describe('new conversations per address across two instances on one Redis', () => {
  it('holds the cap whichever instance the starts reach', async () => {
    const prefix = testPrefix('abuse');
    const env = { ...LIMITS_OFF, CONVERSATIONS_PER_IP_PER_HOUR: '3', REDIS_KEY_PREFIX: prefix };
    try {
      const [a, b] = await Promise.all([start('redis', env), start('redis', env)]);
      if (!a || !b) throw new Error('two servers expected');
      expect((await startConversation(a.url)).status).toBe(201);
      expect((await startConversation(b.url)).status).toBe(201);
      expect((await startConversation(a.url)).status).toBe(201);
      expectRateLimited(await startConversation(b.url), 3600);
      expectRateLimited(await startConversation(a.url), 3600);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
      servers = [];
      await deleteKeys(prefix);
    }
  });
});

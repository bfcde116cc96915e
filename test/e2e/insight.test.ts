import { afterEach, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/domain/categories.ts';
import type { Locale } from '../../src/domain/locale.ts';
import { toMinor } from '../../src/domain/money.ts';
import { parseCsv, statsToCsv } from '../../src/insight/statsCsv.ts';
import type { Stats } from '../../src/insight/types.ts';
import { announcedCase, awaiting, type BotActivity, Customer, jpegAttachment } from '../support/client.ts';
import { driveRefund, prompts } from '../support/drive.ts';
import { killAllSpawned, runBin } from '../support/process.ts';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../support/redis.ts';
import { ADMIN_TOKEN, STORES, startServer, type TestServer } from '../support/server.ts';

const NOW = '2026-11-20T12:00:00.000Z';
const MINUTE = 60_000;
const agent = { id: 'console:Wang', name: 'Wang', via: 'console' as const };

/** A customer that counts the messages it sends (turns per conversation). */
class CountingCustomer extends Customer {
  sent = 0;
  override async say(text: string | undefined, attachments?: Parameters<Customer['say']>[1]): Promise<BotActivity[]> {
    this.sent += 1;
    return super.say(text, attachments);
  }
}

/**
 * Real conversations through the conversation API (and people acting on the desk), then the
 * figures from `GET /v1/stats`, `GET /v1/stats.csv` and `refundbot report --json`: the three
 * agree with each other and with what the conversations were.
 */
describe.each(STORES)('the merchant’s figures from real conversations on the %s store', (store) => {
  let server: TestServer | undefined;
  let prefix: string | undefined;
  afterEach(async () => {
    await killAllSpawned();
    await server?.close();
    if (prefix) await deleteKeys(prefix);
    server = undefined;
    prefix = undefined;
  });

  it('/v1/stats, the CSV and `refundbot report --json` agree, and say what happened', async () => {
    prefix = store === 'redis' ? testPrefix('insight') : undefined;
    server = await startServer({ now: NOW, store, ...(prefix ? { env: { REDIS_KEY_PREFIX: prefix } } : {}) });
    const { url, clock } = server;
    const customer = async (locale: Locale = 'en') => {
      const c = new CountingCustomer(url);
      await c.start(locale);
      return c;
    };

    // A: approved at once (defective speaker, ¥207), rated 5.
    const a = await customer();
    const aFirst = await a.say('The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com', [jpegAttachment()]);
    expect(awaiting(aFirst)).toBe('confirm');
    const aCase = announcedCase(await a.say(prompts.t('en', 'action.yes')));
    expect(aCase).toMatchObject({ status: 'approved', outcome: 'full', category: 'defective', amount: 207 });
    await a.say('5');

    // B: Traditional Chinese, approved at once (scarf not as described, ¥269), rated 4.
    const b = await customer('zh-TW');
    await b.say('訂單100126的絲巾跟描述不符，顏色完全不一樣，我的電子郵件是 linyijun@example.com', [jpegAttachment()]);
    const bCase = announcedCase(await b.say(prompts.t('zh-TW', 'action.yes')));
    expect(bCase).toMatchObject({ status: 'approved', outcome: 'full', category: 'not_as_described', amount: 269 });
    await b.say('4');

    // C: refused (31 days after delivery), disputed: handed to people.
    const c = await customer();
    const cRun = await driveRefund(c, 'en', 'refund order 100105, the mouse is broken. chenjing@example.com', { evidence: 'photo', category: 'defective' });
    expect(cRun.summary).toMatchObject({ status: 'denied', outcome: 'none' });
    await c.say(prompts.t('en', 'action.disagree'));

    // H: over the automatic limit: waits for review (handed to people at once).
    const h = await customer();
    await h.say('refund order 100118, the phone is broken, it does not turn on. wangfang@example.com', [jpegAttachment()]);
    const hCase = announcedCase(await h.say(prompts.t('en', 'action.yes')));
    expect(hCase).toMatchObject({ status: 'pending_review', outcome: 'full', category: 'defective' });

    // D and E leave while asked for the order number / the proof of identity.
    const d = await customer();
    expect(awaiting(await d.say('I want a refund'))).toBe('orderId');
    const e = await customer();
    await e.say('I want a refund');
    expect(awaiting(await e.say('100103'))).toBe('identity');
    // F asks for a person straight away; G opens the chat and writes nothing.
    const f = await customer('zh-CN');
    await f.say('订单100102退款');
    await f.say('转人工');
    await customer();

    // People: C's refusal upheld 10 minutes after the dispute, H approved an hour after it opened.
    clock.advance(10 * MINUTE);
    expect(await server.app.handoff.act(c.conversationId, agent, { kind: 'deny', reason: 'outside the 30 days' })).toMatchObject({ ok: true });
    clock.advance(50 * MINUTE);
    expect(await server.app.handoff.act(h.conversationId, agent, { kind: 'approve' })).toMatchObject({ ok: true });
    // A day later D and E count as abandoned.
    clock.advance(25 * 60 * MINUTE);

    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const response = await fetch(`${url}/v1/stats`, { headers });
    expect(response.status).toBe(200);
    const stats = (await response.json()) as Stats;

    const money = (amount: number | undefined) => toMinor(amount ?? Number.NaN, 'CNY');
    const full = money(aCase?.amount) + money(bCase?.amount) + money(hCase?.amount);
    const categories = Object.fromEntries(CATEGORIES.map((category) => [category, { count: 0, amounts: {} }]));
    expect(stats).toEqual({
      period: { from: '2026-10-23T00:00:00.000Z', to: '2026-11-22T00:00:00.000Z', channel: null },
      cases: {
        total: 4,
        byCategory: { ...categories, defective: { count: 3, amounts: { CNY: money(aCase?.amount) + money(hCase?.amount) } }, not_as_described: { count: 1, amounts: { CNY: money(bCase?.amount) } } },
        byChannel: { api: { count: 4, amounts: { CNY: full } } },
        byLocale: { en: { count: 3, amounts: { CNY: money(aCase?.amount) + money(hCase?.amount) } }, 'zh-TW': { count: 1, amounts: { CNY: money(bCase?.amount) } } },
        byOutcome: { full: { count: 3, amounts: { CNY: full } }, partial: { count: 0, amounts: {} }, none: { count: 1, amounts: {} }, review: { count: 0, amounts: {} } },
        byStatus: { approved: 3, pending_review: 0, escalated: 0, denied: 1, refunded: 0, cancelled: 0 },
        byDay: Array.from({ length: 30 }, (_, index) => {
          const day = new Date(Date.parse('2026-10-23T00:00:00Z') + index * 24 * 60 * MINUTE).toISOString().slice(0, 10);
          return day === '2026-11-20' ? { day, total: 4, byCategory: { defective: 3, not_as_described: 1 } } : { day, total: 0, byCategory: {} };
        }),
        approvedAmounts: { CNY: full },
      },
      topSkus: [
        { sku: 'MS-3', name: 'Wireless mouse', cases: 1, amounts: {}, topCategories: [{ category: 'defective', count: 1 }] },
        { sku: 'PHONE-X', name: 'Smartphone X 256 GB', cases: 1, amounts: { CNY: money(hCase?.amount) }, topCategories: [{ category: 'defective', count: 1 }] },
        { sku: 'SCARF-S', name: 'Silk scarf', cases: 1, amounts: { CNY: money(bCase?.amount) }, topCategories: [{ category: 'not_as_described', count: 1 }] },
        { sku: 'SPK-10', name: 'Bluetooth speaker', cases: 1, amounts: { CNY: money(aCase?.amount) }, topCategories: [{ category: 'defective', count: 1 }] },
      ],
      automation: {
        // A and B were decided without a person; C was disputed, H waited for review.
        automationRate: 2 / 4,
        // C (dispute), H (review) and F (asked) of the eight conversations.
        escalationRate: 3 / 8,
        escalationsByReason: { customer_request: 1, dispute: 1, needs_review: 1, not_understood: 0, too_many_attempts: 0, refund_delivery_failed: 0, orders_unavailable: 0 },
        // A, B, C at once; H an hour later: [0, 0, 0, 3600].
        timeToDecision: { medianSeconds: 0, p90Seconds: 3600 },
      },
      conversations: {
        total: 8,
        turnsPerConversation: expect.any(Object),
        abandoned: 2,
        abandonedAt: { identity: 1, orderId: 1 },
      },
      satisfaction: { responses: 2, average: 4.5, distribution: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 1 } },
      // C: 600 s from the dispute; H: 3600 s from opening.
      agents: { handled: 2, handlingTime: { medianSeconds: 600, p90Seconds: 3600 } },
    });
    const sent = [a, b, c, h, d, e, f].map((one) => one.sent).concat(0).sort((x, y) => x - y);
    expect(stats.conversations.turnsPerConversation).toEqual({
      mean: sent.reduce((sum, n) => sum + n, 0) / 8,
      median: ((sent[3] ?? 0) + (sent[4] ?? 0)) / 2,
    });

    // The CSV: the same figures, row for row.
    const csvResponse = await fetch(`${url}/v1/stats.csv`, { headers });
    expect(csvResponse.status).toBe(200);
    expect(csvResponse.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(csvResponse.headers.get('content-disposition')).toContain('attachment; filename="refund-stats_2026-10-23_2026-11-21.csv"');
    // The bytes as sent (fetch's text() would drop the byte-order mark).
    const csv = Buffer.from(await csvResponse.arrayBuffer()).toString('utf8');
    expect(csv).toBe(statsToCsv(stats));
    expect(csv.startsWith('\uFEFFsection,name,key,value,currency\r\n')).toBe(true);
    const rows = parseCsv(csv);
    const value = (section: string, name: string, key = '') => rows.filter((row) => row[0] === section && row[1] === name && row[2] === key).map((row) => row.slice(3));
    expect(value('cases', 'total')).toEqual([['4', '']]);
    expect(value('cases', 'approvedAmounts')).toEqual([[(full / 100).toFixed(2), 'CNY']]);
    expect(value('automation', 'escalationsByReason', 'dispute')).toEqual([['1', '']]);
    expect(value('conversations', 'abandonedAt', 'orderId')).toEqual([['1', '']]);
    expect(value('agents', 'handlingTime.p90Seconds')).toEqual([['3600', '']]);

    // The command line, on the same store, "now" being the server's now.
    const env: Record<string, string> = { DATA_DIR: server.dataDir, LOG_LEVEL: 'warn', ...(prefix ? { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix } : {}) };
    const now = clock.now().toISOString();
    const json = await runBin(['report', '--since', '30d', '--json', '--now', now], { env });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(stats);
    const text = await runBin(['report', '--since', '30d', '--now', now], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Cases opened: 4');
    expect(text.stdout).toMatch(/Silk scarf\s+1/);
  }, 120_000);

  it('keeps to one channel and answers bad input with a 400 naming the parameter', async () => {
    server = await startServer({ now: NOW, store });
    const a = new Customer(server.url);
    await a.start();
    await a.say('I want a refund');
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const get = (query: string) => fetch(`${server?.url}/v1/stats${query}`, { headers });

    const api = (await (await get('?from=2026-11-20&to=2026-11-20&channel=api')).json()) as Stats;
    expect(api.period).toEqual({ from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z', channel: 'api' });
    expect(api.conversations.total).toBe(1);
    expect(api.cases.byDay).toEqual([{ day: '2026-11-20', total: 0, byCategory: {} }]);
    const wechat = (await (await get('?from=2026-11-20&to=2026-11-20&channel=wechat')).json()) as Stats;
    expect(wechat.conversations.total).toBe(0);

    for (const [query, parameter] of [
      ['?from=2026-13-01', 'from'],
      ['?to=yesterday', 'to'],
      ['?channel=a%20b', 'channel'],
      ['?from=2026-11-21&to=2026-11-20', 'from'],
    ] as const) {
      const response = await get(query);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_query');
      expect(body.error.message.startsWith(`${parameter}:`)).toBe(true);
    }
    expect((await fetch(`${server.url}/v1/stats`)).status).toBe(401);
    expect((await fetch(`${server.url}/v1/stats.csv`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await get('.csv?from=2026-11-31')).status).toBe(400);
  });
});

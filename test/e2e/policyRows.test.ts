import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/domain/locale.ts';
import { Customer } from '../support/client.ts';
import { type Answers, driveRefund } from '../support/drive.ts';
import { ADMIN_TOKEN, STORES, startServer, type TestServer } from '../support/server.ts';

// The demo orders are written as of 2026-11-20; with the clock there, their dates are used as is.
const NOW = '2026-11-20T12:00:00Z';

interface Row {
  name: string;
  locale: Locale;
  opener: string;
  answers: Answers;
  expected: { outcome: string; status: string; amount: number; currency?: string; clauses: string[]; category?: string };
}

/** Every row of the default policy (SPEC §4), held as a conversation through the API. */
const rows: Row[] = [
  {
    name: 'not yet shipped: any reason, full refund incl. shipping',
    locale: 'en',
    opener: 'I want to cancel and get a refund for order 100101',
    answers: { identity: 'lilei@example.com', reason: "I don't need the headphones any more, I changed my mind", category: 'changed_mind' },
    expected: { outcome: 'full', status: 'approved', amount: 309, clauses: ['R-1.1'] },
  },
  {
    name: 'defective within 30 days with a photo',
    locale: 'zh-CN',
    opener: '订单100102的音箱坏了，我要退款',
    answers: { identity: 'hanmeimei@example.com', evidence: 'photo', category: 'defective' },
    expected: { outcome: 'full', status: 'approved', amount: 207, clauses: ['R-2.1'], category: 'defective' },
  },
  {
    name: 'defective on the last day of the window',
    locale: 'zh-TW',
    opener: '我要退款，訂單100104',
    answers: { identity: '1004', reason: '鍵盤壞了，好幾個按鍵都沒反應', evidence: 'photo', category: 'defective' },
    expected: { outcome: 'full', status: 'approved', amount: 349, clauses: ['R-2.1'], category: 'defective' },
  },
  {
    name: 'defective on the first day after the window',
    locale: 'en',
    opener: 'refund please, order 100105',
    answers: { identity: 'chenjing@example.com', reason: 'the mouse stopped working, it is broken', evidence: 'photo', category: 'defective' },
    expected: { outcome: 'none', status: 'denied', amount: 0, clauses: ['R-10'], category: 'defective' },
  },
  {
    name: 'damaged in transit on the last day (7 days)',
    locale: 'en',
    opener: 'Order 100106 arrived damaged, the box was crushed and the mugs are broken. I want a refund.',
    answers: { identity: 'sunli@example.com', evidence: 'photo', category: 'damaged_in_transit' },
    expected: { outcome: 'full', status: 'approved', amount: 99, clauses: ['R-2.4'], category: 'damaged_in_transit' },
  },
  {
    name: 'damaged in transit after 7 days',
    locale: 'zh-CN',
    opener: '订单100107，快递把台灯压坏了，外包装都破了，我要退款',
    answers: { identity: 'sunli@example.com', evidence: 'photo', category: 'damaged_in_transit' },
    expected: { outcome: 'none', status: 'denied', amount: 0, clauses: ['R-2.4'], category: 'damaged_in_transit' },
  },
  {
    name: 'changed mind within 7 days: item refunded, shipping kept',
    locale: 'en',
    opener: "I'd like to return order 100120, I changed my mind",
    answers: { identity: '0101', category: 'changed_mind' },
    expected: { outcome: 'full', status: 'approved', amount: 59.99, currency: 'USD', clauses: ['R-3'], category: 'changed_mind' },
  },
  {
    name: 'not received after 7 days: full refund incl. shipping',
    locale: 'zh-CN',
    opener: '订单100108一直没收到货，申请退款',
    answers: { identity: '1008', category: 'not_received' },
    expected: { outcome: 'full', status: 'approved', amount: 251, clauses: ['R-4.1'], category: 'not_received' },
  },
  {
    name: 'not received, placed less than 7 days ago: wait',
    locale: 'en',
    opener: 'I never received order 100109, I want my money back',
    answers: { identity: 'zhoujie@example.com', category: 'not_received' },
    expected: { outcome: 'none', status: 'denied', amount: 0, clauses: ['R-4.1'], category: 'not_received' },
  },
  {
    name: 'not received but marked delivered: human review',
    locale: 'zh-TW',
    opener: '訂單100110顯示已簽收，但我根本沒收到貨，我要退款',
    answers: { identity: '1010', category: 'not_received' },
    // Review cases carry the amount the policy proposes for the agent to approve.
    expected: { outcome: 'review', status: 'pending_review', amount: 149, clauses: ['R-4.2'], category: 'not_received' },
  },
  {
    name: 'duplicate order within 48 hours',
    locale: 'en',
    opener: 'I ordered the kettle twice by mistake, please refund order 100112',
    answers: { identity: 'zhangwei@example.com', category: 'duplicate_order' },
    expected: { outcome: 'full', status: 'approved', amount: 159, clauses: ['R-5'], category: 'duplicate_order' },
  },
  {
    name: 'duplicate order without a twin within 48 hours: review',
    locale: 'zh-CN',
    opener: '订单100113是重复购买的，拍错了，申请退款',
    answers: { identity: 'zhangwei@example.com', category: 'duplicate_order' },
    expected: { outcome: 'review', status: 'pending_review', amount: 159, clauses: ['R-5'], category: 'duplicate_order' },
  },
  {
    name: 'unused subscription within 7 days',
    locale: 'en',
    opener: "Refund my VIP membership from order 100114, I haven't used it at all",
    answers: { identity: 'zhaomin@example.com', category: 'unused_subscription' },
    expected: { outcome: 'full', status: 'approved', amount: 25, clauses: ['R-6.1'], category: 'unused_subscription' },
  },
  {
    name: 'unused subscription too late',
    locale: 'zh-TW',
    opener: '訂單100115的會員我都沒用過，可以退款嗎',
    answers: { identity: 'zhaomin@example.com', category: 'unused_subscription', reason: '會員沒用過' },
    expected: { outcome: 'none', status: 'denied', amount: 0, clauses: ['R-6.1'], category: 'unused_subscription' },
  },
  {
    name: 'service issue: prorated, always reviewed',
    locale: 'en',
    opener: 'The cloud storage from order 100116 keeps crashing and I cannot upload anything, I want a refund',
    answers: { identity: 'lilei@example.com', evidence: 'photo', category: 'service_issue' },
    expected: { outcome: 'partial', status: 'pending_review', amount: 27, clauses: ['R-6.2'], category: 'service_issue' },
  },
  {
    name: 'billing error: human review',
    locale: 'zh-CN',
    opener: '订单100127被重复扣款了，多扣了钱，申请退款',
    answers: { identity: 'zhoujie@example.com', category: 'billing_error' },
    expected: { outcome: 'review', status: 'pending_review', amount: 0, clauses: ['R-7.1'], category: 'billing_error' },
  },
  {
    name: 'over the auto-approve limit: review',
    locale: 'en',
    opener: 'My phone from order 100118 is defective, it will not turn on. Refund please.',
    answers: { identity: 'wangfang@example.com', evidence: 'photo', category: 'defective' },
    expected: { outcome: 'full', status: 'pending_review', amount: 3999, clauses: ['R-9.1'], category: 'defective' },
  },
  {
    name: 'exactly at the auto-approve limit: approved',
    locale: 'en',
    opener: 'The air purifier from order 100119 is faulty and makes a loud noise, I want a refund',
    answers: { identity: 'chenjing@example.com', evidence: 'photo', category: 'defective' },
    expected: { outcome: 'full', status: 'approved', amount: 500, clauses: ['R-2.1'], category: 'defective' },
  },
  {
    name: 'proof required but missing: review',
    locale: 'zh-TW',
    opener: '訂單100128的鞋子尺碼發錯了，我要退款',
    answers: { identity: 'hanmeimei@example.com', evidence: 'none', category: 'wrong_item' },
    expected: { outcome: 'full', status: 'pending_review', amount: 399, clauses: ['R-9.2'], category: 'wrong_item' },
  },
  {
    name: 'cancelled order: nothing to refund',
    locale: 'en',
    opener: 'I want a refund for order 100125, I changed my mind',
    answers: { identity: 'wuxin@example.com', category: 'changed_mind' },
    expected: { outcome: 'none', status: 'denied', amount: 0, clauses: ['R-1.2'] },
  },
];

describe.each(STORES)('every policy row through the conversation API (%s store)', (store) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ now: NOW, store });
  });
  afterEach(async () => {
    await server.close();
  });

  it.each(rows)('$locale: $name', async (row) => {
    const customer = new Customer(server.url);
    await customer.start(row.locale);
    const { summary } = await driveRefund(customer, row.locale, row.opener, row.answers);
    expect(summary).toMatchObject({ outcome: row.expected.outcome, status: row.expected.status, amount: row.expected.amount, currency: row.expected.currency ?? 'CNY' });
    if (row.expected.category) expect(summary.category).toBe(row.expected.category);
    for (const clause of row.expected.clauses) expect(summary.clauses).toContain(clause);

    // The case is recorded with its audit trail, as the case API shows it.
    const response = await fetch(`${server.url}/v1/cases/${summary.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    const recorded = (await response.json()) as { status: string; amount: number; conversationId: string; audit: { type: string; actor: { kind: string } }[] };
    expect(recorded).toMatchObject({ status: row.expected.status, amount: row.expected.amount, conversationId: customer.conversationId });
    expect(recorded.audit.map((event) => event.type)).toEqual(expect.arrayContaining(['created', 'decided']));
  });

  it('three recent cases make the fourth wait for review (repeat refunder)', async () => {
    const claims = [
      { opener: 'The socks from order 100122 are defective, they tore on the first day', item: 'socks' },
      { opener: 'The cap from order 100122 is defective, the seam came apart', item: 'cap' },
      { opener: 'The water bottle from order 100123 is defective, it leaks', item: 'bottle' },
      { opener: 'The towels from order 100124 are defective, they fall apart', item: 'towels' },
    ];
    const summaries = [];
    for (const claim of claims) {
      const customer = new Customer(server.url);
      await customer.start('en');
      summaries.push((await driveRefund(customer, 'en', claim.opener, { identity: 'liuyang@example.com', item: claim.item, evidence: 'photo', category: 'defective' })).summary);
    }
    expect(summaries.slice(0, 3).map((summary) => summary.status)).toEqual(['approved', 'approved', 'approved']);
    expect(summaries[3]).toMatchObject({ status: 'pending_review', outcome: 'full' });
    expect(summaries[3]?.clauses).toContain('R-9.3');
  });

  it('a second claim on the same item is refused', async () => {
    const first = new Customer(server.url);
    await first.start('en');
    const answers: Answers = { identity: 'hanmeimei@example.com', evidence: 'photo', category: 'defective' };
    const one = await driveRefund(first, 'en', 'The speaker from order 100102 is broken, it does not turn on', answers);
    expect(one.summary.status).toBe('approved');
    const second = new Customer(server.url);
    await second.start('en');
    const two = await driveRefund(second, 'en', 'The speaker from order 100102 is broken, it does not turn on', answers);
    expect(two.summary).toMatchObject({ outcome: 'none', status: 'denied', amount: 0 });
    expect(two.summary.clauses).toContain('R-9.5');
  });
});

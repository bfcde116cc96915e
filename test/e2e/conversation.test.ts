import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/domain/locale.ts';
import { announcedCase, awaiting, type BotActivity, Customer, jpegAttachment } from '../support/client.ts';
import { driveRefund, prompts } from '../support/drive.ts';
import { STORES, startServer, type TestServer } from '../support/server.ts';

const NOW = '2026-11-20T12:00:00Z';

// A fresh server (empty store) per test: cases of one test must not change another's decisions.
let server: TestServer;

describe.each(STORES)('conversations on the %s store', (store) => {
  beforeEach(async () => {
    server = await startServer({ now: NOW, store });
  });
  afterEach(async () => {
    await server.close();
  });

  async function customer(locale: Locale = 'en'): Promise<Customer> {
    const c = new Customer(server.url);
    await c.start(locale);
    return c;
  }

  describe('greeting and history', () => {
    it('greets in the chosen language with the main choices, and keeps both sides in the history', async () => {
      const c = new Customer(server.url);
      const greeting = await c.start('zh-TW');
      expect(greeting).toHaveLength(1);
      expect(greeting[0]).toMatchObject({ from: { role: 'bot' }, locale: 'zh-TW', text: prompts.t('zh-TW', 'greeting') });
      expect(greeting[0]?.suggestedActions?.actions.map((action) => action.title)).toContain(prompts.t('zh-TW', 'action.refund'));
      await c.say('我要退款');
      const { activities, watermark } = await c.history();
      expect(activities.map((activity) => activity.from.role)).toEqual(['bot', 'user', 'bot']);
      expect(activities[1]?.text).toBe('我要退款');
      const later = await c.history(watermark);
      expect(later.activities).toEqual([]);
      expect(later.watermark).toBe(watermark);
    });
  });

  describe('mixed initiative', () => {
    const cases: { locale: Locale; text: string; amount: number; category: string }[] = [
      { locale: 'en', text: 'The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com', amount: 207, category: 'defective' },
      { locale: 'zh-CN', text: '订单100102的音箱坏了，我的邮箱是hanmeimei@example.com', amount: 207, category: 'defective' },
      { locale: 'zh-TW', text: '訂單100126的絲巾跟描述不符，顏色完全不一樣，我的電子郵件是 linyijun@example.com', amount: 269, category: 'not_as_described' },
    ];
    it.each(cases)('$locale: one message with everything reaches the decision in two assistant turns', async ({ locale, text, amount, category }) => {
      const c = await customer(locale);
      const first = await c.say(text, [jpegAttachment()]);
      expect(awaiting(first)).toBe('confirm');
      const second = await c.say(prompts.t(locale, 'action.yes'));
      expect(announcedCase(second)).toMatchObject({ outcome: 'full', status: 'approved', amount, category });
    });

    it('uses what was said before and never asks it again', async () => {
      const c = await customer();
      const run = await driveRefund(c, 'en', 'Refund for order 100102 please', {
        identity: 'hanmeimei@example.com',
        reason: 'the speaker is broken, it does not turn on',
        evidence: 'photo',
        category: 'defective',
      });
      const asked = run.replies.map((reply) => reply.channelData?.awaiting).filter(Boolean);
      expect(asked).not.toContain('orderId');
      expect(new Set(asked).size).toBe(asked.length);
    });
  });

  describe('cancel and start over at any prompt', () => {
    const steps: { slot: string; messages: string[] }[] = [
      { slot: 'orderId', messages: ['I want a refund'] },
      { slot: 'identity', messages: ['I want a refund', '100103'] },
      { slot: 'item', messages: ['I want a refund', '100103', 'wangfang@example.com'] },
      { slot: 'reason', messages: ['I want a refund', '100103', 'wangfang@example.com', 'Phone case'] },
      { slot: 'evidence', messages: ['I want a refund', '100103', 'wangfang@example.com', 'Phone case', 'the phone case is broken, it cracked'] },
    ];
    it.each(steps)('cancel at $slot stops without a case', async ({ slot, messages }) => {
      const c = await customer();
      let replies: BotActivity[] = [];
      for (const message of messages) replies = await c.say(message);
      expect(awaiting(replies)).toBe(slot);
      const cancelled = await c.say('cancel');
      expect(cancelled.at(-1)?.text).toBe(prompts.t('en', 'cancelled'));
      expect(awaiting(cancelled)).toBeUndefined();
      expect(await server.app.stores.cases.byConversation(c.conversationId)).toEqual([]);
      // And the next request starts afresh.
      expect(awaiting(await c.say('I want a refund'))).toBe('orderId');
    });

    it('取消 at the confirmation, and "start over" greets again', async () => {
      const c = await customer('zh-CN');
      await c.say('订单100102的音箱坏了，我的邮箱是hanmeimei@example.com', [jpegAttachment()]);
      const cancelled = await c.say('取消');
      expect(cancelled.at(-1)?.text).toBe(prompts.t('zh-CN', 'cancelled'));
      expect(await server.app.stores.cases.byConversation(c.conversationId)).toEqual([]);
      await c.say('我要退款');
      const restarted = await c.say('重新开始');
      expect(restarted.at(-1)?.text).toBe(prompts.t('zh-CN', 'greeting'));
    });
  });

  describe('corrections and language', () => {
    it('switches to a corrected order number and checks ownership again', async () => {
      const c = await customer();
      await c.say('refund order 100102');
      const reason = await c.say('hanmeimei@example.com');
      expect(awaiting(reason)).toBe('reason');
      const corrected = await c.say('sorry, I meant order 100126');
      expect(corrected.map((reply) => reply.text).join(' ')).toContain(prompts.t('en', 'notice.orderChanged', { orderId: '100126' }));
      expect(awaiting(corrected)).toBe('identity');
      const run = await driveRefund(c, 'en', 'linyijun@example.com', { reason: 'the scarf is not as described, wrong colour', evidence: 'photo', category: 'not_as_described' });
      expect(run.summary.orderId).toBe('100126');
    });

    it('answering "no" at the confirmation lets the customer change the reason', async () => {
      const c = await customer();
      const first = await c.say('The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com', [jpegAttachment()]);
      expect(awaiting(first)).toBe('confirm');
      const fix = await c.say('No');
      expect(fix.map((reply) => reply.text)).toContain(prompts.t('en', 'notice.correct'));
      expect(awaiting(fix)).toBe('reason');
    });

    it('follows the customer into another language mid-conversation', async () => {
      const c = await customer('en');
      const english = await c.say('I want a refund');
      expect(english.at(-1)?.locale).toBe('en');
      const chinese = await c.say('我的订单号是100102');
      expect(chinese.at(-1)).toMatchObject({ locale: 'zh-CN', text: prompts.t('zh-CN', 'ask.identity', { orderId: '100102' }) });
      const traditional = await c.say('我的電子郵件是 hanmeimei@example.com，請幫我處理');
      expect(traditional.at(-1)?.locale).toBe('zh-TW');
    });
  });

  describe('no loops: a person after three failed tries', () => {
    it('offers a person after three unknown order numbers, and records the escalation', async () => {
      const c = await customer();
      await c.say('I want a refund');
      await c.say('999991');
      await c.say('999992');
      const third = await c.say('999993');
      expect(third.at(-1)?.text).toBe(prompts.t('en', 'ask.human'));
      expect(awaiting(third)).toBe('confirm');
      const handed = await c.say('yes');
      expect(handed.at(-1)?.text).toBe(prompts.t('en', 'escalated', { minutes: 30 }));
      const escalations = await server.app.stores.cases.escalations(c.conversationId);
      expect(escalations).toMatchObject([{ reason: 'too_many_attempts', locale: 'en' }]);
    });

    it('offers a person after three wrong identity answers; "no" keeps going', async () => {
      const c = await customer('zh-CN');
      await c.say('订单100102退款');
      await c.say('wrong@example.com');
      await c.say('0000');
      const third = await c.say('1111');
      expect(third.at(-1)?.text).toBe(prompts.t('zh-CN', 'ask.human'));
      const onward = await c.say('否');
      expect(awaiting(onward)).toBe('identity');
      expect(await server.app.stores.cases.escalations(c.conversationId)).toEqual([]);
    });
  });

  describe('unclear reasons', () => {
    it('asks one clarifying question with the best guesses, then hands an unclassifiable reason to a person', async () => {
      const c = await customer();
      await c.say('refund order 100126');
      await c.say('linyijun@example.com');
      const clarify = await c.say('hmm well, it is just kind of weird');
      expect(awaiting(clarify)).toBe('category');
      expect(clarify.at(-1)?.suggestedActions?.actions.map((action) => action.title)).toContain(prompts.t('en', 'category.other'));
      const unclear = await c.say('I really cannot say');
      expect(awaiting(unclear)).toBe('confirm');
      const decided = await c.say('yes');
      const summary = announcedCase(decided);
      expect(decided.at(-1)?.text).toBe(prompts.t('en', 'escalated.withCase', { caseId: summary?.id ?? '', minutes: 30 }));
      expect(summary).toMatchObject({ category: 'other', outcome: 'review' });
      expect(summary?.status).toBe('pending_review');
      expect(await server.app.stores.cases.escalations(c.conversationId)).toMatchObject([{ reason: 'not_understood', caseId: summary?.id }]);
      expect((await server.app.stores.cases.get(summary?.id ?? ''))?.status).toBe('escalated');
    });

    it('a tapped category button settles the reason', async () => {
      const c = await customer();
      await c.say('refund order 100126');
      await c.say('linyijun@example.com');
      await c.say('hmm well, it is just kind of weird');
      const tapped = await c.say(prompts.t('en', 'category.not_as_described'));
      expect(['evidence', 'confirm']).toContain(awaiting(tapped));
    });
  });

  describe('status, policy questions and people', () => {
    it('tells the status by order number (after the identity check) and by case id', async () => {
      const opener = await customer();
      const { summary } = await driveRefund(opener, 'en', 'The speaker from order 100102 is broken. hanmeimei@example.com', { evidence: 'photo', category: 'defective' });
      const later = await customer();
      const asked = await later.say('where is my refund for order 100102?');
      expect(awaiting(asked)).toBe('identity');
      const told = await later.say('hanmeimei@example.com');
      expect(told.at(-1)?.channelData?.case).toMatchObject({ id: summary.id, status: 'approved' });
      const byId = await opener.say(`status of ${summary.id}`);
      expect(byId.at(-1)?.channelData?.case?.id).toBe(summary.id);
      const stranger = await customer();
      const guarded = await stranger.say(`what's the status of case ${summary.id}`);
      expect(awaiting(guarded)).toBe('identity');
    });

    it.each([
      ['en', 'who pays the return shipping?'],
      ['zh-CN', '退货运费谁承担'],
      ['zh-TW', '運費會退嗎？'],
    ] as const)('%s: answers a policy question citing a clause', async (locale, question) => {
      const c = await customer(locale);
      const answer = await c.say(question);
      const clauses = answer.at(-1)?.channelData?.clauses ?? [];
      expect(clauses.length).toBeGreaterThan(0);
      expect(answer.at(-1)?.text).toContain(clauses[0]);
      expect(answer.at(-1)?.locale).toBe(locale);
    });

    it('answers a policy question in the middle of a refund and asks the pending question again', async () => {
      const c = await customer();
      await c.say('I want a refund for order 100102');
      const replies = await c.say('what is your return policy for damaged items?');
      expect(replies.length).toBe(2);
      expect(replies[0]?.channelData?.clauses?.length).toBeGreaterThan(0);
      expect(replies[1]).toMatchObject({ text: prompts.t('en', 'ask.identity', { orderId: '100102' }), channelData: { awaiting: 'identity' } });
    });

    it('hands over to a person at any time and says how long it takes', async () => {
      const c = await customer('zh-CN');
      await c.say('订单100102退款');
      const handed = await c.say('转人工');
      expect(handed.at(-1)?.text).toBe(prompts.t('zh-CN', 'escalated', { minutes: 30 }));
      expect(awaiting(handed)).toBeUndefined();
      expect(await server.app.stores.cases.escalations(c.conversationId)).toMatchObject([{ reason: 'customer_request' }]);
    });

    it('a customer who disagrees with a refusal reaches a person, and the case is escalated', async () => {
      const c = await customer();
      const { summary } = await driveRefund(c, 'en', 'refund order 100105, the mouse is broken. chenjing@example.com', { evidence: 'photo', category: 'defective' });
      expect(summary.status).toBe('denied');
      const dispute = await c.say(prompts.t('en', 'action.disagree'));
      expect(dispute.at(-1)?.text).toBe(prompts.t('en', 'escalated.withCase', { caseId: summary.id, minutes: 30 }));
      expect((await server.app.stores.cases.get(summary.id))?.status).toBe('escalated');
      expect(await server.app.stores.cases.escalations(c.conversationId)).toMatchObject([{ reason: 'dispute', caseId: summary.id }]);
    });

    it('records the rating on the case', async () => {
      const c = await customer();
      const { summary } = await driveRefund(c, 'en', 'refund order 100126, the scarf is not as described. linyijun@example.com', { evidence: 'photo', category: 'not_as_described' });
      const thanks = await c.say('4');
      expect(thanks.at(-1)?.text).toBe(prompts.t('en', 'csat.thanks'));
      const audit = await server.app.stores.cases.audit(summary.id);
      expect(audit.at(-1)).toMatchObject({ type: 'note', actor: { kind: 'customer' }, data: { csat: 4 } });
    });
  });
});

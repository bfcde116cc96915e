import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOfflineUnderstander, loadUtterances } from '../../src/understanding/index.ts';
import type { Understander } from '../../src/understanding/index.ts';

// Messages written for this test, none of them in knowledge/nlu (checked below): the model has
// to generalise, not remember.
const INTENT_CASES = [
  ['hi, i would like a refund for my order 100234', 'request_refund'],
  ['the toaster i got is broken, please refund me', 'request_refund'],
  ['how long until my refund shows up on my visa?', 'refund_status'],
  ['any news on the refund for order 100234?', 'refund_status'],
  ['can i return shoes i already wore outside?', 'policy_question'],
  ['what is the return window for headphones', 'policy_question'],
  ['please get me a real human', 'human_agent'],
  ['i want to speak to an agent right now', 'human_agent'],
  ['how do i change the phone number on my account', 'other'],
  ['good afternoon', 'other'],
  ['耳机坏了，我要退钱', 'request_refund'],
  ['我的退款到现在还没到账', 'refund_status'],
  ['打开过的商品还能退吗', 'policy_question'],
  ['帮我转人工客服', 'human_agent'],
  ['怎么修改收货地址', 'other'],
  ['請幫我辦理退款，東西壞了', 'request_refund'],
  ['我的退款什麼時候會到帳', 'refund_status'],
  ['拆封過的商品可以退貨嗎', 'policy_question'],
  ['我要找真人客服', 'human_agent'],
  ['請問什麼時候出貨', 'other'],
] as const;

const CATEGORY_CASES = [
  ['my kettle stopped heating after three days', 'defective'],
  ['the parcel showed up crushed and the lamp inside is smashed', 'damaged_in_transit'],
  ['I ordered a medium but the shirt in the bag is an XXL', 'wrong_item'],
  ['the bag is fake, the logo is not the real brand', 'not_as_described'],
  ['three weeks and my package still has not arrived', 'not_received'],
  ['I accidentally placed the same order twice', 'duplicate_order'],
  ['I just do not want it anymore', 'changed_mind'],
  ['the app keeps crashing every time I open it', 'service_issue'],
  ['my membership renewed automatically and I never used it', 'unused_subscription'],
  ['you charged my card twice for one order', 'billing_error'],
  ['my coupon was not applied at checkout', 'promotion_issue'],
  ['I want a refund for order 100234', 'other'],
  ['耳机充不进电了', 'defective'],
  ['快递把箱子压坏了，杯子碎了', 'damaged_in_transit'],
  ['颜色发错了，我要的是红色', 'wrong_item'],
  ['收到的是假货', 'not_as_described'],
  ['快递一直没到，都两周了', 'not_received'],
  ['不小心拍了两单', 'duplicate_order'],
  ['突然不想要这个了', 'changed_mind'],
  ['软件老是闪退，根本用不了', 'service_issue'],
  ['会员自动续费了，一天都没用过', 'unused_subscription'],
  ['同一笔订单扣了我两次钱', 'billing_error'],
  ['买完就降价了，要求退差价', 'promotion_issue'],
  ['東西壞了，開不了機', 'defective'],
  ['包裹寄到的時候外箱破損，裡面的杯子碎了', 'damaged_in_transit'],
  ['尺寸寄錯了，我買的是M', 'wrong_item'],
  ['跟商品頁的照片完全不一樣', 'not_as_described'],
  ['等了兩個禮拜還沒收到貨', 'not_received'],
  ['不小心下了兩次單', 'duplicate_order'],
  ['我改變心意了，不想要', 'changed_mind'],
  ['軟體一直閃退', 'service_issue'],
  ['會員自動續約，但我完全沒用', 'unused_subscription'],
  ['信用卡被重複扣款', 'billing_error'],
  ['說好的贈品沒有送', 'promotion_issue'],
] as const;

const knowledgeDir = fileURLToPath(new URL('../../knowledge', import.meta.url));
let understander: Understander;

beforeAll(async () => {
  understander = await createOfflineUnderstander({ knowledgeDir });
});

describe('offline classification of unseen messages', () => {
  it('uses messages that are not in the training files', async () => {
    const { intentRows, categoryRows } = await loadUtterances(knowledgeDir);
    const trained = new Set([...intentRows, ...categoryRows].map((row) => row.text.toLowerCase()));
    const unseen = [...INTENT_CASES, ...CATEGORY_CASES].filter(([text]) => !trained.has(text.toLowerCase()));
    expect(unseen).toHaveLength(INTENT_CASES.length + CATEGORY_CASES.length);
  });

  it.each(INTENT_CASES)('intent of %s is %s', async (text, intent) => {
    expect((await understander.understand(text)).intent.label).toBe(intent);
  });

  it.each(CATEGORY_CASES)('category of %s is %s', async (text, category) => {
    expect((await understander.understand(text)).category.label).toBe(category);
  });
});

describe('an Understanding', () => {
  it('puts it all together for one message', async () => {
    const understood = await understander.understand('訂單100234的耳機壞了，我要退錢');
    expect(understood.text).toBe('訂單100234的耳機壞了，我要退錢');
    expect(understood.language).toBe('zh-TW');
    expect(understood.intent.label).toBe('request_refund');
    expect(understood.category.label).toBe('defective');
    expect(understood.entities.orderIds).toEqual(['100234']);
    expect(understood.command).toBeUndefined();
    expect(understood.affirmation).toBeUndefined();
  });

  it('scores every intent and category in [0, 1], best first, top equal to the first', async () => {
    const understood = await understander.understand('my parcel never came, refund please');
    expect(understood.intents).toHaveLength(5);
    expect(understood.categories).toHaveLength(12);
    for (const list of [understood.intents, understood.categories]) {
      for (const { confidence } of list) {
        expect(confidence).toBeGreaterThanOrEqual(0);
        expect(confidence).toBeLessThanOrEqual(1);
      }
      expect(list.map((s) => s.confidence)).toEqual([...list.map((s) => s.confidence)].sort((a, b) => b - a));
    }
    expect(understood.intent).toEqual(understood.intents[0]);
    expect(understood.category).toEqual(understood.categories[0]);
  });

  it('gives text with nothing it learned "other", and no language to digits', async () => {
    const understood = await understander.understand('100234');
    expect(understood.language).toBeUndefined();
    expect(understood.category.label).toBe('other');
    expect((await understander.understand('zzzz qqqq')).intent.label).toBe('other');
  });

  it('reads commands and yes/no in every language', async () => {
    expect((await understander.understand('轉人工')).command).toBe('human');
    expect((await understander.understand('算了')).command).toBe('cancel');
    expect((await understander.understand('yes please')).affirmation).toBe('yes');
    expect((await understander.understand('不是')).affirmation).toBe('no');
  });
});

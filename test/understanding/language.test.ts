import { describe, expect, it } from 'vitest';
import { createChineseScript } from '../../src/understanding/chinese.ts';
import { detectLanguage, tellsChineseScript } from '../../src/understanding/language.ts';

const script = createChineseScript();

describe('detectLanguage', () => {
  it.each([
    ['I want a refund for my headphones', 'en'],
    ['refund pls', 'en'],
    ['我没收到货，东西坏了', 'zh-CN'],
    ['我要退款', 'zh-CN'],
    ['我沒收到貨，東西壞了要退錢', 'zh-TW'],
    ['請幫我轉人工', 'zh-TW'],
    // no character tells the scripts apart: keep Simplified
    ['你好', 'zh-CN'],
    ['我要退款，订单100234', 'zh-CN'],
    // mixed: one Latin word against several Han characters, and the reverse
    ['我的order还没到', 'zh-CN'],
    ['我的order還沒到', 'zh-TW'],
    ['my order from 淘宝 never arrived', 'en'],
    // identifiers do not count as English
    ['我的邮箱是lilei@example.com', 'zh-CN'],
    ['案件RF-7KQ2MX進度如何', 'zh-TW'],
    ['ＲＥＦＵＮＤ please', 'en'],
  ] as const)('%s → %s', (text, expected) => {
    expect(detectLanguage(text, script)).toBe(expected);
  });

  it.each(['100234', '👍', '', '  ', '+8613800000000', '¥299'])('%j has no letters to tell', (text) => {
    expect(detectLanguage(text, script)).toBeUndefined();
  });
});

describe('tellsChineseScript', () => {
  it.each([
    ['我要找真人客服', false],
    ['你好', false],
    ['我要退款，东西坏了', true],
    ['我要退款，東西壞了', true],
    ['hello', false],
  ])('%s → %s', (text, told) => {
    expect(tellsChineseScript(text, script)).toBe(told);
  });
});

import type { Category } from '../domain/categories.ts';
import type { Locale } from '../domain/locale.ts';
import type { Utterance } from './utterances.ts';

// Customers often put the reason and the request in one message ("it broke, I want a refund").
// Request words appear mostly in reason-less "other" rows, so without help the category model
// learns "refund" (or an order number) means "no reason" and drags such messages to "other".
// Adding request phrases to half the reason rows teaches it that they say nothing about the reason.
const REQUESTS: Record<Locale, string[]> = {
  en: ['i want a refund', 'order 100234', 'refund please', 'can i get my money back?', 'order #200345, please refund me', 'i want to return it', 'what can you do?'],
  'zh-CN': ['我要退款', '订单100234', '退钱', '能退吗', '订单号200345，申请退款', '怎么办'],
  'zh-TW': ['我要退款', '訂單100234', '請退費', '可以退嗎', '訂單編號200345，退錢', '怎麼辦'],
};

/** Every second reason row again, with a request phrase after it (before it for every fourth). */
export function withRequestPhrases(rows: readonly Utterance<Category>[]): Utterance<Category>[] {
  const extra: Utterance<Category>[] = [];
  rows.forEach((row, i) => {
    if (row.label === 'other' || i % 2 !== 0) return;
    const phrases = REQUESTS[row.language];
    const phrase = phrases[(i / 2) % phrases.length] ?? '';
    const separator = row.language === 'en' ? ', ' : '，';
    const text = i % 4 === 0 ? `${phrase}${separator}${row.text}` : `${row.text}${separator}${phrase}`;
    extra.push({ ...row, text });
  });
  return [...rows, ...extra];
}

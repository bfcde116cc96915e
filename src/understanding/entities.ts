import { normalizeText } from './normalize.ts';
import type { Entities } from './types.ts';

const CASE_ID = /\bRF-([a-z0-9]{6})\b/giu;
const EMAIL = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/giu;
const AMOUNT = String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)`;
// "¥299", "USD 20" or "299元", "30 dollars": the currency before or after the amount.
const MONEY = new RegExp(
  String.raw`(us\$|hk\$|nt\$|\$|¥|usd|cny|rmb|人民币|人民幣)\s?${AMOUNT}` +
    String.raw`|${AMOUNT}\s?(元|块钱|塊錢|块|塊|美元|美金|usd|cny|rmb|dollars?|bucks)(?![a-z])`,
  'giu',
);
// An order id after a word that names it: "order 100234", "#100234", "订单号：100234". Such a
// number is an order id even when it has a mobile number's shape.
const ORDER_AFTER_KEYWORD =
  /(?:(?<![a-z])order(?:\s*(?:number|no\.?|num|id))?(?:\s+is)?|#|订单号?|訂單號?|单号|單號)\s*[:：#]?\s*(\d{5,12})(?!\d)/giu;
/** Phone shapes the assistant reads (also masked before text leaves for a language model). */
export const PHONE_PATTERNS: readonly RegExp[] = [
  /\+(?:\d[\s().-]{0,2}){7,14}\d(?!\d)/gu, // E.164, spaced or not: +8613800000000, +1 (415) 555-0100
  /(?<!\d)1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/gu, // Chinese mobile: 13800000000, 138-0000-0000
  /(?<![\d-])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)/gu, // North American national: (415) 555-0100
  /(?<!\d)0\d{2,3}-\d{7,8}(?!\d)/gu, // Chinese landline: 010-12345678
];
const BARE_ORDER = /(?<![a-z\d.,$¥-])\d{5,12}(?![\d]|[.,]\d)/giu;
const TAIL_AFTER_WORDS =
  /(?:last\s*(?:4|four)(?:\s*digits)?|ending\s*(?:in|with)|ends\s*(?:in|with)|尾号|尾號|后四位|後四位|末四位|最后四位|最後四位)\D{0,12}?(\d{4})(?!\d)/giu;
// "essentially just 4 digits": a short reply to "what are the last 4 digits of your phone?"
const ONLY_FOUR_DIGITS = /^\D{0,8}?(\d{4})\D{0,4}$/u;

const CURRENCIES: Record<string, string> = {
  'us$': 'USD', $: 'USD', usd: 'USD', dollar: 'USD', dollars: 'USD', bucks: 'USD', 美元: 'USD', 美金: 'USD',
  'hk$': 'HKD', 'nt$': 'TWD',
  '¥': 'CNY', cny: 'CNY', rmb: 'CNY', 人民币: 'CNY', 人民幣: 'CNY', 元: 'CNY', 块: 'CNY', 块钱: 'CNY', 塊: 'CNY', 塊錢: 'CNY',
};

/**
 * Finds order ids, emails, phones, phone tails, amounts and case ids. Each span is claimed once,
 * most specific first (case id, email, amount, keyword order id, phone, bare number), so
 * "¥29900" is money and "+8613800000000" a phone, never an order id.
 */
export function extractEntities(text: string): Entities {
  const claimed = new Claims(normalizeText(text));
  const caseIds = claimed.take(CASE_ID, (m) => `RF-${(m[1] ?? '').toUpperCase()}`);
  // Only text with an "@" can hold an email; skipping the pattern otherwise keeps a long run of
  // digits or letters from costing quadratic time.
  const emails = claimed.rest.includes('@') ? claimed.take(EMAIL, (m) => m[0].toLowerCase()) : [];
  const money = claimed.take(MONEY, (m) => (m[1] ? amount(m[2], m[1]) : amount(m[3], m[4])));
  const keyed = claimed.take(ORDER_AFTER_KEYWORD, (m) => m[1] ?? '');
  const phones = PHONE_PATTERNS.flatMap((pattern) => claimed.take(pattern, (m) => phone(m[0])));
  const orderIds = [...keyed, ...claimed.take(BARE_ORDER, (m) => m[0])];
  const tails = claimed.take(TAIL_AFTER_WORDS, (m) => m[1] ?? '');
  const alone = ONLY_FOUR_DIGITS.exec(claimed.rest.trim());
  if (alone?.[1]) tails.push({ at: alone.index, value: alone[1] });
  return {
    orderIds: inOrder(orderIds),
    emails: inOrder(emails),
    phones: inOrder(phones),
    phoneTails: inOrder(tails),
    money: money.sort(byPosition).map((found) => found.value),
    caseIds: inOrder(caseIds),
  };
}

/** A value and where in the text it was found. */
interface Found<T> {
  at: number;
  value: T;
}

function byPosition<T>(a: Found<T>, b: Found<T>): number {
  return a.at - b.at;
}

/** Values in the order the customer wrote them, each once. */
function inOrder(found: Found<string>[]): string[] {
  return [...new Set(found.sort(byPosition).map((f) => f.value))];
}

/** The text with every recognised span blanked out, so later patterns cannot reuse it. */
class Claims {
  rest: string;
  constructor(text: string) {
    this.rest = text;
  }
  take<T>(pattern: RegExp, value: (match: RegExpExecArray) => T): Found<T>[] {
    const found: Found<T>[] = [];
    this.rest = this.rest.replace(pattern, (...args) => {
      const match = toExecArray(args);
      found.push({ at: match.index, value: value(match) });
      return ' '.repeat(match[0].length);
    });
    return found;
  }
}

// String.replace hands the match as (whole, ...groups, offset, input[, namedGroups]);
// rebuild the exec-style array the value functions read.
function toExecArray(args: unknown[]): RegExpExecArray {
  const offsetAt = args.findIndex((a) => typeof a === 'number');
  const parts = args.slice(0, offsetAt).map((a) => (a === undefined ? undefined : String(a)));
  return Object.assign(parts, { index: args[offsetAt] as number, input: String(args[offsetAt + 1]) }) as RegExpExecArray;
}

function amount(digits: string | undefined, unit: string | undefined): { amount: number; currency?: string } {
  const value = Number((digits ?? '').replaceAll(',', ''));
  const currency = unit ? CURRENCIES[unit.toLowerCase()] : undefined;
  return currency ? { amount: value, currency } : { amount: value };
}

/** E.164 keeps its "+"; national numbers become digits only. */
function phone(raw: string): string {
  const digits = raw.replace(/\D/gu, '');
  return raw.trim().startsWith('+') ? `+${digits}` : digits;
}

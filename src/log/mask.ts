/**
 * Masks personal data in free text before it reaches logs (and, later, a language model):
 * emails, phone numbers and card-like numbers. Order numbers (5–12 digits) stay readable.
 */
export const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
// 13–19 digits, optionally grouped by spaces or dashes: card-like (PAN) numbers.
export const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
// E.164 or national phone numbers: an optional +, 8–15 digits with separators. Chinese mobiles
// are 11 digits starting with 1; order ids here are at most 12 digits without a leading +.
export const PHONE = /(?:\+\d[\d ()-]{7,18}\d)|(?:\b1[3-9]\d{9}\b)|(?:\(\d{3}\)\s?\d{3}-\d{4})/g;

export function maskPii(text: string): string {
  return text
    .replace(EMAIL, (email) => {
      const at = email.indexOf('@');
      return `${email.slice(0, 1)}***${email.slice(at)}`.replace(/@.*/, '@***');
    })
    .replace(CARD, '[card]')
    .replace(PHONE, (phone) => `[phone …${phone.replace(/\D/g, '').slice(-2)}]`);
}

/** Deeply masks every string in a log record (objects and arrays, bounded depth). */
export function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPii(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  if (value instanceof Error) return { type: value.name, message: maskPii(value.message), stack: value.stack && maskPii(value.stack) };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = maskDeep(item, depth + 1);
  return out;
}

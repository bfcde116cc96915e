/**
 * How the merchant's figures are written for people: money, rates, durations and the names of
 * categories, channels, languages and questions. Shared by the dashboard page (served to the
 * browser as a module, so this file has no runtime imports — see `browserModules.ts`) and the
 * weekly Slack digest, so both say the same thing the same way. English: the staff UI's language.
 */

/** Minor-unit digits of an ISO 4217 currency (2 for CNY, 0 for JPY), as `src/domain/money.ts`. */
function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** `123450` CNY → `CNY 1,234.50`; the code, not a symbol: ¥ would not tell CNY from JPY. */
export function formatMoney(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  const amount = (minor / 10 ** digits).toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${currency} ${amount}`;
}

/** Amounts per currency (never added across currencies), largest first; `—` when there are none. */
export function formatAmounts(amounts: Record<string, number>): string {
  const entries = Object.entries(amounts).filter(([, minor]) => minor !== 0);
  if (entries.length === 0) return '—';
  return entries
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([currency, minor]) => formatMoney(minor, currency))
    .join(' · ');
}

/** A whole count with thousands separators. */
export function formatCount(count: number): string {
  return count.toLocaleString('en');
}

/** A rate in [0, 1] as a percentage with one decimal (`0.7234` → `72.3%`); `—` for null. */
export function formatPercent(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return '—';
  return `${(rate * 100).toFixed(1)}%`;
}

/** A 1–5 rating average (`4.3 / 5`); `—` for null. */
export function formatRating(average: number | null): string {
  if (average === null || !Number.isFinite(average)) return '—';
  return `${average.toFixed(1)} / 5`;
}

/** Whole seconds, readably: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`; `—` for null. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** `damaged_in_transit` → `Damaged in transit`: ids the lists below do not name. */
export function humanize(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : id;
}

const CATEGORY_LABELS: Record<string, string> = {
  defective: 'Defective',
  damaged_in_transit: 'Damaged in transit',
  wrong_item: 'Wrong item',
  not_as_described: 'Not as described',
  not_received: 'Not received',
  duplicate_order: 'Duplicate order',
  changed_mind: 'Changed mind',
  service_issue: 'Service issue',
  unused_subscription: 'Unused subscription',
  billing_error: 'Billing error',
  promotion_issue: 'Promotion issue',
  other: 'Other',
};

const CHANNEL_LABELS: Record<string, string> = {
  api: 'Website & API',
  slack: 'Slack',
  wechat: 'WeChat',
  botframework: 'Teams & Bot Framework',
};

const LOCALE_LABELS: Record<string, string> = {
  en: 'English',
  'zh-CN': 'Chinese (Simplified)',
  'zh-TW': 'Chinese (Traditional)',
};

const OUTCOME_LABELS: Record<string, string> = { full: 'Full refund', partial: 'Partial refund', none: 'No refund', review: 'Human review' };

const ESCALATION_LABELS: Record<string, string> = {
  customer_request: 'Asked for a person',
  dispute: 'Disputed the decision',
  needs_review: 'Policy needs review',
  not_understood: 'Not understood',
  too_many_attempts: 'Too many failed tries',
  refund_delivery_failed: 'Refund delivery failed',
  orders_unavailable: 'Order system down',
};

const STATUS_LABELS: Record<string, string> = {
  approved: 'Approved',
  refunded: 'Refunded',
  denied: 'Denied',
  pending_review: 'Waiting for review',
  escalated: 'With a person',
  cancelled: 'Cancelled',
};

/** The questions the assistant waits on (`channelData.awaiting`). */
const QUESTION_LABELS: Record<string, string> = {
  orderId: 'Order number',
  identity: 'Identity check',
  item: 'Which item',
  reason: 'Reason',
  category: 'Reason category',
  evidence: 'Proof',
  confirm: 'Confirmation',
  csat: 'Satisfaction rating',
};

const lookup = (labels: Record<string, string>) => (id: string) => (Object.hasOwn(labels, id) ? labels[id]! : humanize(id));

export const categoryLabel = lookup(CATEGORY_LABELS);
export const channelLabel = lookup(CHANNEL_LABELS);
export const localeLabel = (id: string): string => (Object.hasOwn(LOCALE_LABELS, id) ? LOCALE_LABELS[id]! : id);
export const outcomeLabel = lookup(OUTCOME_LABELS);
export const escalationLabel = lookup(ESCALATION_LABELS);
export const statusLabel = lookup(STATUS_LABELS);
export const questionLabel = lookup(QUESTION_LABELS);

/** The channels the assistant has (the dashboard's filter offers them even before they have data). */
export const KNOWN_CHANNELS: readonly string[] = Object.keys(CHANNEL_LABELS);

/** `YYYY-MM-DD` of a date in UTC (the stats' days are UTC days). */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The UTC day `days` after `YYYY-MM-DD` (negative: before). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return isoDay(date);
}

/** `2026-11-03` → `3 Nov`; with the year → `3 Nov 2026`. */
export function shortDay(day: string, withYear = false): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}), timeZone: 'UTC' });
}

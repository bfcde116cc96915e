import type { KnownBlock } from '@slack/types';
import { escapeMrkdwn, mrkdwnLink, truncate } from '../channels/slack-desk/mrkdwn.ts';
import { CATEGORIES } from '../domain/categories.ts';
import { categoryLabel, channelLabel, formatAmounts, formatCount, formatDuration, formatMoney, formatPercent, formatRating } from './format.ts';
import type { Stats } from './types.ts';

/**
 * The weekly digest for the agent Slack channel (issue 9): the week's figures and the biggest
 * changes against the week before, as a Block Kit message. Pure: two `Stats` in, a message out.
 *
 * Changes read the same everywhere: ▲ up, ▼ down, ＝ unchanged; counts and money change in per
 * cent of last week's figure, rates in percentage points ("pts"), the CSAT average in points of
 * the 1–5 scale. Every text from data (SKUs, product names) is escaped mrkdwn, so a product
 * called `<!channel>` cannot ping anyone.
 */

export interface DigestInput {
  /** The reported week and the week before it, for the same channel filter. */
  week: Stats;
  previous: Stats;
  /** The reported week's first and last local day, `YYYY-MM-DD` (Monday and Sunday). */
  days: { first: string; last: string };
  /** The time zone the week is counted in (said in the message). */
  timeZone: string;
  /** Link to the dashboard for the week (`…/agent/insight?from=…&to=…`). */
  dashboardUrl?: string;
}

/** A message as `chat.postMessage` takes it: `text` is the notification fallback. */
export interface DigestMessage {
  text: string;
  blocks: KnownBlock[];
}

const UP = '▲';
const DOWN = '▼';
const SAME = '＝';
const SECTION_MAX = 3000;

/** `▲ 25%`, `▼ 100%`, `▲ <1%`, `＝`, `new` — a count or amount against last week's. */
export function countChange(now: number, before: number): string {
  if (now === before) return SAME;
  if (before === 0) return 'new';
  const percent = (Math.abs(now - before) / before) * 100;
  const rounded = Math.round(percent);
  return `${now > before ? UP : DOWN} ${rounded === 0 ? '<1' : rounded}%`;
}

/** `▲ 5.0 pts` — a rate in [0, 1] against last week's, in percentage points; empty without both. */
export function rateChange(now: number | null, before: number | null): string {
  if (now === null || before === null) return '';
  const points = Math.round((now - before) * 1000) / 10;
  if (points === 0) return SAME;
  return `${points > 0 ? UP : DOWN} ${Math.abs(points).toFixed(1)} pts`;
}

/** `▼ 0.2` — the CSAT average against last week's; empty without both. */
export function ratingChange(now: number | null, before: number | null): string {
  if (now === null || before === null) return '';
  const delta = Math.round((now - before) * 10) / 10;
  if (delta === 0) return SAME;
  return `${delta > 0 ? UP : DOWN} ${Math.abs(delta).toFixed(1)}`;
}

/** Reasons whose case counts changed most (by how many cases), largest first: at most `limit`. */
export function categoryChanges(week: Stats, previous: Stats, limit = 3): { category: (typeof CATEGORIES)[number]; now: number; before: number }[] {
  return CATEGORIES.map((category) => ({ category, now: week.cases.byCategory[category]?.count ?? 0, before: previous.cases.byCategory[category]?.count ?? 0 }))
    .filter((change) => change.now !== change.before)
    .sort((a, b) => Math.abs(b.now - b.before) - Math.abs(a.now - a.before) || b.now - a.now)
    .slice(0, limit);
}

/** `16–22 Nov 2026`, `30 Nov – 6 Dec 2026`, `29 Dec 2025 – 4 Jan 2026`. */
export function weekLabel(first: string, last: string): string {
  const date = (day: string) => new Date(`${day}T00:00:00.000Z`);
  const part = (day: string, options: Intl.DateTimeFormatOptions) => date(day).toLocaleDateString('en-GB', { ...options, timeZone: 'UTC' });
  const whole = part(last, { day: 'numeric', month: 'short', year: 'numeric' });
  if (first.slice(0, 7) === last.slice(0, 7)) return `${part(first, { day: 'numeric' })}–${whole}`;
  if (first.slice(0, 4) === last.slice(0, 4)) return `${part(first, { day: 'numeric', month: 'short' })} – ${whole}`;
  return `${part(first, { day: 'numeric', month: 'short', year: 'numeric' })} – ${whole}`;
}

const field = (label: string, value: string, change?: string) => ({ type: 'mrkdwn' as const, text: `*${label}*\n${value}${change ? `  ${change}` : ''}` });
const withLast = (change: string, last: string) => (change ? `${change} (${last} last week)` : `(${last} last week)`);

/** Approved money per currency, each with its change (currencies are never added together). */
function amountsWithChange(now: Record<string, number>, before: Record<string, number>): string {
  const currencies = [...new Set([...Object.keys(now), ...Object.keys(before)])].filter((currency) => (now[currency] ?? 0) !== 0 || (before[currency] ?? 0) !== 0);
  if (currencies.length === 0) return '—';
  return currencies
    .sort((a, b) => (now[b] ?? 0) - (now[a] ?? 0) || a.localeCompare(b))
    .map((currency) => `${formatMoney(now[currency] ?? 0, currency)} ${countChange(now[currency] ?? 0, before[currency] ?? 0)}`)
    .join('\n');
}

export function weeklyDigest(input: DigestInput): DigestMessage {
  const { week, previous } = input;
  const label = weekLabel(input.days.first, input.days.last);
  const scope = week.period.channel ? channelLabel(week.period.channel) : 'all channels';

  const fields = [
    field('Refund cases', formatCount(week.cases.total), withLast(countChange(week.cases.total, previous.cases.total), formatCount(previous.cases.total))),
    field('Approved', amountsWithChange(week.cases.approvedAmounts, previous.cases.approvedAmounts)),
    field('Automation rate', formatPercent(week.automation.automationRate), withLast(rateChange(week.automation.automationRate, previous.automation.automationRate), formatPercent(previous.automation.automationRate))),
    field('Escalation rate', formatPercent(week.automation.escalationRate), withLast(rateChange(week.automation.escalationRate, previous.automation.escalationRate), formatPercent(previous.automation.escalationRate))),
    field(
      'Satisfaction (CSAT)',
      `${formatRating(week.satisfaction.average)} · ${formatCount(week.satisfaction.responses)} ratings`,
      withLast(ratingChange(week.satisfaction.average, previous.satisfaction.average), formatRating(previous.satisfaction.average)),
    ),
    field('Median time to decision', formatDuration(week.automation.timeToDecision.medianSeconds), `(${formatDuration(previous.automation.timeToDecision.medianSeconds)} last week)`),
    field('Agent handling time', `${formatDuration(week.agents.handlingTime.medianSeconds)} median · ${formatCount(week.agents.handled)} handled`, `(${formatDuration(previous.agents.handlingTime.medianSeconds)} last week)`),
    field('Abandoned conversations', `${formatCount(week.conversations.abandoned)} of ${formatCount(week.conversations.total)}`, withLast(countChange(week.conversations.abandoned, previous.conversations.abandoned), formatCount(previous.conversations.abandoned))),
  ];

  const changes = categoryChanges(week, previous);
  const changeLines = changes.length
    ? changes.map((c) => `• *${escapeMrkdwn(categoryLabel(c.category))}*: ${c.before} → ${c.now} (${countChange(c.now, c.before)})`)
    : ['No reason changed against last week.'];

  const skuLines = week.topSkus.slice(0, 3).map((sku) => {
    const main = sku.topCategories[0];
    const name = sku.name ? ` ${escapeMrkdwn(truncate(sku.name, 80))}` : '';
    const reason = main ? `, mostly ${escapeMrkdwn(categoryLabel(main.category))} (${main.count})` : '';
    return `• *${escapeMrkdwn(truncate(sku.sku, 60))}*${name} — ${formatCount(sku.cases)} ${sku.cases === 1 ? 'case' : 'cases'}${reason} · ${formatAmounts(sku.amounts)}`;
  });

  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Refunds last week: ${label}`, emoji: true } },
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*Biggest changes by reason*\n${changeLines.join('\n')}`, SECTION_MAX) } },
  ];
  if (skuLines.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Most refunded products*\n${skuLines.join('\n')}`, SECTION_MAX) } });
  const context = [`${escapeMrkdwn(scope[0]!.toUpperCase() + scope.slice(1))} · Monday to Sunday, ${escapeMrkdwn(input.timeZone)} time`];
  if (input.dashboardUrl) context.push(mrkdwnLink(input.dashboardUrl, 'Open the dashboard'));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });

  const csat = week.satisfaction.average === null ? '' : `, CSAT ${formatRating(week.satisfaction.average)}`;
  const text = escapeMrkdwn(
    `Refunds last week (${label}): ${formatCount(week.cases.total)} ${week.cases.total === 1 ? 'case' : 'cases'} (${countChange(week.cases.total, previous.cases.total)}), automation ${formatPercent(week.automation.automationRate)}, escalation ${formatPercent(week.automation.escalationRate)}${csat}.`,
  );
  return { text, blocks };
}

import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { insightOptions, openOrders, openStores } from '../app.ts';
import { loadConfigFromEnv } from '../config.ts';
import { type Clock, FixedClock, systemClock } from '../domain/clock.ts';
import { InputError } from '../errors.ts';
import { computeStats } from '../insight/computeStats.ts';
import {
  categoryLabel,
  channelLabel,
  escalationLabel,
  formatAmounts,
  formatCount,
  formatDuration,
  formatPercent,
  formatRating,
  localeLabel,
  outcomeLabel,
  questionLabel,
  statusLabel,
} from '../insight/format.ts';
import { lastDays, parseStatsQuery } from '../insight/statsQuery.ts';
import type { CountAndAmount, Stats, StatsQuery } from '../insight/types.ts';
import { createLogger } from '../log/logger.ts';

/**
 * `refundbot report`: the figures of `GET /v1/stats`, computed the same way from the same store,
 * as tables for a terminal (or, with `--json`, exactly the API's JSON). `--since Nd` (or `Nw`) is
 * the last N whole UTC days, today included; `--from/--to` are UTC days as in the API, both
 * included. `--now` sets "today" and the abandonment clock, for reproducible reports.
 */
export async function reportCommand(args: string[], output: Writable): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      since: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      channel: { type: 'string' },
      json: { type: 'boolean', default: false },
      now: { type: 'string' },
    },
    allowPositionals: false,
  });
  const clock = reportClock(values.now);
  const query = reportQuery(values, clock);
  const config = loadConfigFromEnv();
  // Logs to stderr, warnings only: the report is the output.
  const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, destination: pino.destination(2) });
  const stores = await openStores(config, clock, logger);
  try {
    const orders = await openOrders(config, clock, logger);
    const stats = await computeStats(stores, query, { ...insightOptions(config, orders), clock });
    output.write(values.json ? `${JSON.stringify(stats, null, 2)}\n` : formatReport(stats));
    return 0;
  } finally {
    await stores.close();
  }
}

function reportClock(now: string | undefined): Clock {
  if (now === undefined) return systemClock;
  const at = new Date(now);
  if (Number.isNaN(at.getTime())) throw new InputError('invalid_option', `--now: ${now} is not a date and time (e.g. 2026-11-23T09:00:00Z)`);
  return new FixedClock(at);
}

/** The period asked for: `--since` or `--from/--to` (as the API's query), the last 30 days by default. */
function reportQuery(values: { since?: string | undefined; from?: string | undefined; to?: string | undefined; channel?: string | undefined }, clock: Clock): StatsQuery {
  if (values.since !== undefined && (values.from !== undefined || values.to !== undefined)) {
    throw new InputError('invalid_option', '--since: give either --since or --from/--to');
  }
  if (values.since !== undefined) {
    const match = /^(\d{1,4})([dw])$/.exec(values.since);
    const days = match ? Number(match[1]) * (match[2] === 'w' ? 7 : 1) : 0;
    if (days < 1 || days > 3660) throw new InputError('invalid_option', `--since: ${values.since} is not a number of days or weeks such as 30d or 4w (at most 3660 days)`);
    // The same checks as the API's (a channel name): through its parser.
    const channel = values.channel === undefined ? undefined : parseStatsQuery({ channel: values.channel }, clock).channel;
    return lastDays(days, clock, channel);
  }
  const raw = Object.fromEntries(Object.entries({ from: values.from, to: values.to, channel: values.channel }).filter(([, value]) => value !== undefined));
  try {
    return parseStatsQuery(raw, clock);
  } catch (error) {
    // The API names query parameters; here they are options.
    if (error instanceof InputError) throw new InputError('invalid_option', `--${error.message}`);
    throw error;
  }
}

/** The figures as text tables for a terminal. */
export function formatReport(stats: Stats): string {
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);
  const lastDay = new Date(new Date(stats.period.to).getTime() - 1).toISOString().slice(0, 10);
  const days = stats.cases.byDay.length;
  out(`Refund insight: ${stats.period.from.slice(0, 10)} to ${lastDay} (${days} day${days === 1 ? '' : 's'}, UTC), ${stats.period.channel ? `channel ${channelLabel(stats.period.channel)}` : 'all channels'}`);
  out();
  out(`Cases opened: ${formatCount(stats.cases.total)}    money approved (approved or refunded): ${formatAmounts(stats.cases.approvedAmounts)}`);

  const counters = (title: string, entries: [string, CountAndAmount][], label: (key: string) => string) => {
    const shown = entries.filter(([, counter]) => counter.count > 0).sort(([, a], [, b]) => b.count - a.count);
    table(title, ['cases', 'share', 'amount asked'], shown.map(([key, counter]) => [label(key), formatCount(counter.count), formatPercent(stats.cases.total === 0 ? null : counter.count / stats.cases.total), formatAmounts(counter.amounts)]));
  };
  const table = (title: string, headings: string[], rows: string[][]) => {
    out();
    out(title);
    if (rows.length === 0) {
      out('  (none)');
      return;
    }
    const all = [['', ...headings], ...rows];
    const widths = all[0]!.map((_, column) => Math.max(...all.map((row) => width(row[column] ?? ''))));
    // Names and lists of reasons read left to right; numbers and money line up on the right.
    const left = (column: number) => column === 0 || headings[column - 1]?.endsWith('reasons') === true;
    for (const row of all) out(`  ${row.map((cell, column) => (left(column) ? pad(cell, widths[column]!) : padStart(cell, widths[column]!))).join('  ')}`.trimEnd());
  };

  counters('Why customers ask (reason category)', Object.entries(stats.cases.byCategory), categoryLabel);
  counters('What the assistant decided (at opening)', Object.entries(stats.cases.byOutcome), outcomeLabel);
  table('Where the cases are now', ['cases'], Object.entries(stats.cases.byStatus).filter(([, count]) => count > 0).map(([status, count]) => [statusLabel(status), formatCount(count)]));
  counters('By channel', Object.entries(stats.cases.byChannel), channelLabel);
  counters('By language', Object.entries(stats.cases.byLocale), localeLabel);
  table(
    'Most refunded products',
    ['cases', 'amount asked', 'main reasons'],
    stats.topSkus.map((top) => [
      top.name ? `${top.sku} ${top.name}` : top.sku,
      formatCount(top.cases),
      formatAmounts(top.amounts),
      top.topCategories.map((entry) => `${categoryLabel(entry.category)} ${entry.count}`).join(', '),
    ]),
  );
  const busiest = stats.cases.byDay.filter((day) => day.total > 0);
  table('Cases by day (days with cases)', ['cases', 'reasons'], busiest.map((day) => [day.day, formatCount(day.total), Object.entries(day.byCategory).map(([category, count]) => `${categoryLabel(category)} ${count}`).join(', ')]));

  const { automation, conversations, satisfaction, agents } = stats;
  table('How the assistant served them', ['value'], [
    ['decided without a person (automation rate)', formatPercent(automation.automationRate)],
    ['conversations handed to people (escalation rate)', formatPercent(automation.escalationRate)],
    ['time to decision, median', formatDuration(automation.timeToDecision.medianSeconds)],
    ['time to decision, 90th percentile', formatDuration(automation.timeToDecision.p90Seconds)],
    ['conversations started', formatCount(conversations.total)],
    ['customer messages per conversation, mean', conversations.turnsPerConversation.mean === null ? '—' : conversations.turnsPerConversation.mean.toFixed(1)],
    ['customer messages per conversation, median', conversations.turnsPerConversation.median === null ? '—' : String(conversations.turnsPerConversation.median)],
    ['abandoned conversations', formatCount(conversations.abandoned)],
  ]);
  table('Escalations by reason', ['count'], Object.entries(automation.escalationsByReason).filter(([, count]) => count > 0).map(([reason, count]) => [escalationLabel(reason), formatCount(count)]));
  table('Abandoned at the question', ['count'], Object.entries(conversations.abandonedAt).map(([question, count]) => [questionLabel(question), formatCount(count)]));
  table('Satisfaction (ratings given in the period)', ['value'], [
    ['ratings', formatCount(satisfaction.responses)],
    ['average', formatRating(satisfaction.average)],
    ...(['5', '4', '3', '2', '1'] as const).map((stars) => [`${'★'.repeat(Number(stars))}${'☆'.repeat(5 - Number(stars))}`, formatCount(satisfaction.distribution[stars])]),
  ]);
  table('Agents', ['value'], [
    ['hand-overs decided or handed back', formatCount(agents.handled)],
    ['handling time, median', formatDuration(agents.handlingTime.medianSeconds)],
    ['handling time, 90th percentile', formatDuration(agents.handlingTime.p90Seconds)],
  ]);
  return `${lines.join('\n')}\n`;
}

/** Display width: CJK characters take two columns in a terminal. */
function width(text: string): number {
  let columns = 0;
  for (const char of text) columns += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char) ? 2 : 1;
  return columns;
}

function pad(text: string, to: number): string {
  return text + ' '.repeat(Math.max(0, to - width(text)));
}

function padStart(text: string, to: number): string {
  return ' '.repeat(Math.max(0, to - width(text))) + text;
}

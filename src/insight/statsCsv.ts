import { toDecimalString } from '../domain/money.ts';
import type { CountAndAmount, Stats } from './types.ts';

/**
 * The figures as CSV (`GET /v1/stats.csv`), one row per figure, for spreadsheets:
 *
 *     section,name,key,value,currency
 *     cases,total,,42,
 *     cases,byCategory.count,defective,12,
 *     cases,byCategory.amount,defective,3588.00,CNY
 *
 * `section` is the top-level part of `Stats` (period, cases, topSkus, automation, conversations,
 * satisfaction, agents); `name` the figure's path in it; `key` the category, channel, status,
 * day, SKU, reason, question or rating a figure is broken down by (empty when none); `value` a
 * number, ISO time or text, empty for a figure that cannot be computed (null: nothing to divide
 * by); `currency` set on money rows only, whose value is a decimal in that currency's major unit
 * (`3588.00`, as the orders file writes money), one row per currency. Rates are fractions
 * (0.25 = 25 %), durations whole seconds.
 *
 * RFC 4180: CRLF after every row, a field holding a comma, quote, CR or LF is quoted with quotes
 * doubled. The text starts with a UTF-8 byte-order mark so spreadsheet programs read Chinese
 * product names correctly; a text field starting with `=`, `+`, `-`, `@`, tab or CR gets a
 * leading `'`, so a product name can never run as a spreadsheet formula.
 */
export function statsToCsv(stats: Stats): string {
  const rows: string[][] = [['section', 'name', 'key', 'value', 'currency']];
  const row = (section: string, name: string, key: string, value: string | number | null, currency = '') =>
    rows.push([section, name, text(key), value === null ? '' : typeof value === 'number' ? String(value) : text(value), currency]);
  const money = (section: string, name: string, key: string, amounts: Record<string, number>) => {
    for (const [currency, amount] of Object.entries(amounts)) row(section, name, key, toDecimalString(amount, currency), currency);
  };
  const counted = (section: string, name: string, counters: Record<string, CountAndAmount>) => {
    for (const [key, counter] of Object.entries(counters)) {
      row(section, `${name}.count`, key, counter.count);
      money(section, `${name}.amount`, key, counter.amounts);
    }
  };

  row('period', 'from', '', stats.period.from);
  row('period', 'to', '', stats.period.to);
  row('period', 'channel', '', stats.period.channel ?? '');

  const { cases } = stats;
  row('cases', 'total', '', cases.total);
  counted('cases', 'byCategory', cases.byCategory);
  counted('cases', 'byChannel', cases.byChannel);
  counted('cases', 'byLocale', cases.byLocale);
  counted('cases', 'byOutcome', cases.byOutcome);
  for (const [status, count] of Object.entries(cases.byStatus)) row('cases', 'byStatus', status, count);
  for (const day of cases.byDay) {
    row('cases', 'byDay.total', day.day, day.total);
    for (const [category, count] of Object.entries(day.byCategory)) row('cases', `byDay.${category}`, day.day, count ?? 0);
  }
  money('cases', 'approvedAmounts', '', cases.approvedAmounts);

  for (const top of stats.topSkus) {
    row('topSkus', 'cases', top.sku, top.cases);
    row('topSkus', 'name', top.sku, top.name);
    money('topSkus', 'amount', top.sku, top.amounts);
    for (const { category, count } of top.topCategories) row('topSkus', `topCategories.${category}`, top.sku, count);
  }

  const { automation } = stats;
  row('automation', 'automationRate', '', automation.automationRate);
  row('automation', 'escalationRate', '', automation.escalationRate);
  for (const [reason, count] of Object.entries(automation.escalationsByReason)) row('automation', 'escalationsByReason', reason, count);
  row('automation', 'timeToDecision.medianSeconds', '', automation.timeToDecision.medianSeconds);
  row('automation', 'timeToDecision.p90Seconds', '', automation.timeToDecision.p90Seconds);

  const { conversations } = stats;
  row('conversations', 'total', '', conversations.total);
  row('conversations', 'turnsPerConversation.mean', '', conversations.turnsPerConversation.mean);
  row('conversations', 'turnsPerConversation.median', '', conversations.turnsPerConversation.median);
  row('conversations', 'abandoned', '', conversations.abandoned);
  for (const [question, count] of Object.entries(conversations.abandonedAt)) row('conversations', 'abandonedAt', question, count);

  const { satisfaction } = stats;
  row('satisfaction', 'responses', '', satisfaction.responses);
  row('satisfaction', 'average', '', satisfaction.average);
  for (const [rating, count] of Object.entries(satisfaction.distribution)) row('satisfaction', 'distribution', rating, count);

  row('agents', 'handled', '', stats.agents.handled);
  row('agents', 'handlingTime.medianSeconds', '', stats.agents.handlingTime.medianSeconds);
  row('agents', 'handlingTime.p90Seconds', '', stats.agents.handlingTime.p90Seconds);

  return `\uFEFF${rows.map((cells) => cells.map(field).join(',')).join('\r\n')}\r\n`;
}

/** A text cell that a spreadsheet cannot take for a formula. */
function text(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180 quoting. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Parses CSV written by `statsToCsv` (RFC 4180, with or without the byte-order mark) into rows of
 * fields: for tests and scripts that read the export back.
 */
export function parseCsv(csv: string): string[][] {
  const input = csv.startsWith('\uFEFF') ? csv.slice(1) : csv;
  const rows: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < input.length; index++) {
    const char = input[index];
    if (quoted) {
      if (char === '"' && input[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else if (char === '\r' && input[index + 1] === '\n') {
      cells.push(cell);
      rows.push(cells);
      cells = [];
      cell = '';
      index++;
    } else cell += char;
  }
  if (cell !== '' || cells.length > 0) rows.push([...cells, cell]);
  return rows;
}

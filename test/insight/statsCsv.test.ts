import { describe, expect, it } from 'vitest';
import { parseCsv, statsToCsv } from '../../src/insight/statsCsv.ts';
import type { Stats } from '../../src/insight/types.ts';
import { CATEGORIES } from '../../src/domain/categories.ts';

const zero = { count: 0, amounts: {} };
const stats: Stats = {
  period: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z', channel: null },
  cases: {
    total: 2,
    byCategory: { ...(Object.fromEntries(CATEGORIES.map((category) => [category, zero])) as Stats['cases']['byCategory']), defective: { count: 2, amounts: { CNY: 30950, JPY: 500 } } },
    byChannel: { api: { count: 2, amounts: { CNY: 30950, JPY: 500 } } },
    byLocale: { en: { count: 2, amounts: { CNY: 30950, JPY: 500 } } },
    byOutcome: { full: { count: 2, amounts: { CNY: 30950, JPY: 500 } }, partial: zero, none: zero, review: zero },
    byStatus: { approved: 2 },
    byDay: [{ day: '2026-11-01', total: 2, byCategory: { defective: 2 } }],
    approvedAmounts: { CNY: 30950 },
  },
  topSkus: [
    { sku: 'HP-200', name: 'Headphones, "Pro"', cases: 1, amounts: { CNY: 30950 }, topCategories: [{ category: 'defective', count: 1 }] },
    { sku: 'EVIL', name: '=HYPERLINK("http://x")', cases: 1, amounts: { JPY: 500 }, topCategories: [{ category: 'defective', count: 1 }] },
  ],
  automation: { automationRate: 0.5, escalationRate: null, escalationsByReason: { dispute: 1 }, timeToDecision: { medianSeconds: 0, p90Seconds: 12 } },
  conversations: { total: 3, turnsPerConversation: { mean: 4.5, median: 4 }, abandoned: 1, abandonedAt: { orderId: 1 } },
  satisfaction: { responses: 1, average: 5, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 1 } },
  agents: { handled: 0, handlingTime: { medianSeconds: null, p90Seconds: null } },
};

describe('the figures as CSV', () => {
  const csv = statsToCsv(stats);
  const rows = parseCsv(csv);

  it('writes RFC 4180: a header, CRLF after every row, quoted fields with quotes doubled, a BOM for spreadsheets', () => {
    expect(csv.startsWith('\uFEFFsection,name,key,value,currency\r\n')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(csv).toContain('topSkus,name,HP-200,"Headphones, ""Pro""",\r\n');
    expect(rows.every((row) => row.length === 5)).toBe(true);
  });

  it('has one row per figure, money as decimals in its currency, null as an empty value', () => {
    const find = (section: string, name: string, key = '') => rows.filter((row) => row[0] === section && row[1] === name && row[2] === key).map((row) => [row[3], row[4]]);
    expect(find('cases', 'total')).toEqual([['2', '']]);
    expect(find('cases', 'byCategory.count', 'defective')).toEqual([['2', '']]);
    expect(find('cases', 'byCategory.count', 'other')).toEqual([['0', '']]);
    expect(find('cases', 'byCategory.amount', 'defective')).toEqual([
      ['309.50', 'CNY'],
      ['500', 'JPY'],
    ]);
    expect(find('cases', 'approvedAmounts')).toEqual([['309.50', 'CNY']]);
    expect(find('cases', 'byDay.total', '2026-11-01')).toEqual([['2', '']]);
    expect(find('cases', 'byDay.defective', '2026-11-01')).toEqual([['2', '']]);
    expect(find('automation', 'escalationRate')).toEqual([['', '']]);
    expect(find('automation', 'automationRate')).toEqual([['0.5', '']]);
    expect(find('agents', 'handlingTime.medianSeconds')).toEqual([['', '']]);
    expect(find('satisfaction', 'distribution', '5')).toEqual([['1', '']]);
    expect(find('conversations', 'abandonedAt', 'orderId')).toEqual([['1', '']]);
    expect(find('topSkus', 'topCategories.defective', 'HP-200')).toEqual([['1', '']]);
    expect(find('period', 'channel')).toEqual([['', '']]);
  });

  it('never lets a product name run as a spreadsheet formula', () => {
    expect(rows.find((row) => row[1] === 'name' && row[2] === 'EVIL')?.[3]).toBe('\'=HYPERLINK("http://x")');
  });
});

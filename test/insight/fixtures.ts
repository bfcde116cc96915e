import { type Category, CATEGORIES } from '../../src/domain/categories.ts';
import { type Outcome, OUTCOMES } from '../../src/domain/case.ts';
import type { CountAndAmount, Stats } from '../../src/insight/types.ts';

/**
 * Hand-made `Stats` for the dashboard and digest tests: small, internally consistent figures
 * whose expected renderings are written out in the tests by hand.
 */

const none = (): CountAndAmount => ({ count: 0, amounts: {} });

/** Every category (the shape requires all), the given ones filled in. */
export function byCategory(given: Partial<Record<Category, CountAndAmount>> = {}): Record<Category, CountAndAmount> {
  return Object.fromEntries(CATEGORIES.map((category) => [category, given[category] ?? none()])) as Record<Category, CountAndAmount>;
}

export function byOutcome(given: Partial<Record<Outcome, CountAndAmount>> = {}): Record<Outcome, CountAndAmount> {
  return Object.fromEntries(OUTCOMES.map((outcome) => [outcome, given[outcome] ?? none()])) as Record<Outcome, CountAndAmount>;
}

/** UTC days from `from` (inclusive) to `to` (exclusive), each with the counts `perDay` gives it. */
export function days(from: string, to: string, perDay: (day: string, index: number) => Partial<Record<Category, number>> = () => ({})): Stats['cases']['byDay'] {
  const result: Stats['cases']['byDay'] = [];
  for (let at = new Date(from), index = 0; at < new Date(to); at.setUTCDate(at.getUTCDate() + 1), index++) {
    const day = at.toISOString().slice(0, 10);
    const counts = perDay(day, index);
    result.push({ day, total: Object.values(counts).reduce((a, b) => a + (b ?? 0), 0), byCategory: counts });
  }
  return result;
}

/** A period with nothing in it. */
export function emptyStats(from: string, to: string, channel: string | null = null): Stats {
  return {
    period: { from, to, channel },
    cases: { total: 0, byCategory: byCategory(), byChannel: {}, byLocale: {}, byOutcome: byOutcome(), byStatus: {}, byDay: days(from, to), approvedAmounts: {} },
    topSkus: [],
    automation: { automationRate: null, escalationRate: null, escalationsByReason: {}, timeToDecision: { medianSeconds: null, p90Seconds: null } },
    conversations: { total: 0, turnsPerConversation: { mean: null, median: null }, abandoned: 0, abandonedAt: {} },
    satisfaction: { responses: 0, average: null, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } },
    agents: { handled: 0, handlingTime: { medianSeconds: null, p90Seconds: null } },
  };
}

/**
 * Fourteen days, 2026-11-07 to 2026-11-20 (to: 2026-11-21T00:00Z, exclusive), 30 cases:
 * defective 12, not_as_described 8, damaged_in_transit 6, changed_mind 4 — by day as below.
 */
export function dashboardStats(channel: string | null = null): Stats {
  const from = '2026-11-07T00:00:00.000Z';
  const to = '2026-11-21T00:00:00.000Z';
  // 14 days; the columns add up to the category totals (12, 8, 6, 4).
  const defective = [1, 0, 2, 1, 0, 1, 2, 0, 1, 1, 0, 2, 1, 0];
  const described = [0, 1, 0, 1, 1, 0, 0, 2, 0, 1, 1, 0, 0, 1];
  const damaged = [1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1];
  const changed = [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0];
  return {
    period: { from, to, channel },
    cases: {
      total: 30,
      byCategory: byCategory({
        defective: { count: 12, amounts: { CNY: 412_300 } },
        not_as_described: { count: 8, amounts: { CNY: 96_000, USD: 4_500 } },
        damaged_in_transit: { count: 6, amounts: { CNY: 58_800 } },
        changed_mind: { count: 4, amounts: { CNY: 31_600 } },
      }),
      byChannel: {
        api: { count: 17, amounts: { CNY: 350_000 } },
        wechat: { count: 9, amounts: { CNY: 200_700 } },
        slack: { count: 4, amounts: { CNY: 48_000, USD: 4_500 } },
      },
      byLocale: {
        'zh-CN': { count: 16, amounts: { CNY: 380_000 } },
        en: { count: 10, amounts: { CNY: 170_700, USD: 4_500 } },
        'zh-TW': { count: 4, amounts: { CNY: 48_000 } },
      },
      byOutcome: byOutcome({
        full: { count: 18, amounts: { CNY: 420_000, USD: 4_500 } },
        partial: { count: 5, amounts: { CNY: 78_700 } },
        none: { count: 3, amounts: {} },
        review: { count: 4, amounts: { CNY: 100_000 } },
      }),
      byStatus: { approved: 9, refunded: 13, denied: 4, pending_review: 2, escalated: 2 },
      byDay: days(from, to, (_day, i) => {
        const counts: Partial<Record<Category, number>> = {};
        if (defective[i]) counts.defective = defective[i];
        if (described[i]) counts.not_as_described = described[i];
        if (damaged[i]) counts.damaged_in_transit = damaged[i];
        if (changed[i]) counts.changed_mind = changed[i];
        return counts;
      }),
      approvedAmounts: { CNY: 498_700, USD: 4_500 },
    },
    topSkus: [
      { sku: 'SPK-200', name: 'Bluetooth speaker', cases: 7, amounts: { CNY: 207_000 }, topCategories: [{ category: 'defective', count: 6 }, { category: 'damaged_in_transit', count: 1 }] },
      { sku: 'SCF-9', name: 'Silk scarf <limited>', cases: 5, amounts: { CNY: 134_500 }, topCategories: [{ category: 'not_as_described', count: 5 }] },
      { sku: 'MUG-1', name: null, cases: 3, amounts: { CNY: 11_700 }, topCategories: [{ category: 'damaged_in_transit', count: 2 }, { category: 'changed_mind', count: 1 }] },
    ],
    automation: {
      automationRate: 0.7,
      escalationRate: 0.125,
      escalationsByReason: { dispute: 2, customer_request: 3, needs_review: 4, too_many_attempts: 1 },
      timeToDecision: { medianSeconds: 95, p90Seconds: 7_260 },
    },
    conversations: { total: 80, turnsPerConversation: { mean: 6.4, median: 6 }, abandoned: 12, abandonedAt: { orderId: 5, identity: 3, evidence: 4 } },
    satisfaction: { responses: 20, average: 4.25, distribution: { '1': 1, '2': 1, '3': 2, '4': 4, '5': 12 } },
    agents: { handled: 9, handlingTime: { medianSeconds: 1_080, p90Seconds: 5_400 } },
  };
}

/**
 * Two weeks for the digest, Monday 2026-11-16 to Sunday 2026-11-22 in Asia/Shanghai against the
 * week before. Hand-checked changes: cases 32 → 40 (▲ 25%); defective 12 → 20 (▲ 67%),
 * changed_mind 6 → 0 (▼ 100%), wrong_item 0 → 5 (new), not_as_described 9 → 10, damaged 5 → 5;
 * automation 70% → 75% (▲ 5.0 pts), escalation 12.5% → 10% (▼ 2.5 pts), CSAT 4.6 → 4.4 (▼ 0.2);
 * approved CNY 5,000 → 5,600 (▲ 12%), USD 0 → 90 (new), JPY 3,000 → 0 (▼ 100%).
 */
export function digestWeeks(): { week: Stats; previous: Stats } {
  const week = emptyStats('2026-11-15T16:00:00.000Z', '2026-11-22T16:00:00.000Z');
  week.cases.total = 40;
  week.cases.byCategory = byCategory({
    defective: { count: 20, amounts: { CNY: 300_000 } },
    wrong_item: { count: 5, amounts: { CNY: 60_000, USD: 9_000 } },
    not_as_described: { count: 10, amounts: { CNY: 150_000 } },
    damaged_in_transit: { count: 5, amounts: { CNY: 50_000 } },
  });
  week.cases.approvedAmounts = { CNY: 560_000, USD: 9_000 };
  week.automation = { automationRate: 0.75, escalationRate: 0.1, escalationsByReason: { dispute: 4, customer_request: 5 }, timeToDecision: { medianSeconds: 120, p90Seconds: 3_600 } };
  week.satisfaction = { responses: 25, average: 4.4, distribution: { '1': 1, '2': 1, '3': 2, '4': 4, '5': 17 } };
  week.agents = { handled: 9, handlingTime: { medianSeconds: 1_080, p90Seconds: 4_000 } };
  week.conversations = { total: 90, turnsPerConversation: { mean: 6, median: 6 }, abandoned: 5, abandonedAt: { orderId: 3, evidence: 2 } };
  week.topSkus = [
    { sku: 'SPK-200', name: 'Bluetooth speaker', cases: 9, amounts: { CNY: 207_000 }, topCategories: [{ category: 'defective', count: 8 }, { category: 'damaged_in_transit', count: 1 }] },
    { sku: '<!channel>', name: 'Scarf & <b>bold</b>', cases: 1, amounts: { USD: 9_000 }, topCategories: [{ category: 'wrong_item', count: 1 }] },
  ];

  const previous = emptyStats('2026-11-08T16:00:00.000Z', '2026-11-15T16:00:00.000Z');
  previous.cases.total = 32;
  previous.cases.byCategory = byCategory({
    defective: { count: 12, amounts: { CNY: 200_000 } },
    changed_mind: { count: 6, amounts: { CNY: 50_000 } },
    not_as_described: { count: 9, amounts: { CNY: 100_000, JPY: 3_000 } },
    damaged_in_transit: { count: 5, amounts: { CNY: 50_000 } },
  });
  previous.cases.approvedAmounts = { CNY: 500_000, JPY: 3_000 };
  previous.automation = { automationRate: 0.7, escalationRate: 0.125, escalationsByReason: { dispute: 5, needs_review: 5 }, timeToDecision: { medianSeconds: 180, p90Seconds: 5_000 } };
  previous.satisfaction = { responses: 20, average: 4.6, distribution: { '1': 0, '2': 1, '3': 1, '4': 3, '5': 15 } };
  previous.agents = { handled: 10, handlingTime: { medianSeconds: 1_500, p90Seconds: 6_000 } };
  previous.conversations = { total: 80, turnsPerConversation: { mean: 6, median: 6 }, abandoned: 4, abandonedAt: { orderId: 4 } };
  return { week, previous };
}

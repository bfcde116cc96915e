import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES, type Category } from '../../src/domain/categories.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { computeStats, type StatsOptions } from '../../src/insight/computeStats.ts';
import { Distribution } from '../../src/insight/distribution.ts';
import type { CountAndAmount, Stats } from '../../src/insight/types.ts';
import type { Stores } from '../../src/stores/ports.ts';
import type { StoreHarness } from '../stores/contract/harness.ts';
import { makeRedisHarness, RedisAdmin } from '../stores/redisHarness.ts';
import { makeSqliteHarness } from '../stores/sqliteHarness.ts';
import { NOW, PERIOD, seedHistory } from './statsSeed.ts';

const zeroCategories = Object.fromEntries(CATEGORIES.map((category) => [category, { count: 0, amounts: {} }])) as Record<Category, CountAndAmount>;
const names: Record<string, string> = { 'HP-200': 'Wireless headphones' };
const options = (pageSize: number): StatsOptions => ({
  clock: new FixedClock(NOW),
  pageSize,
  productName: async (sku) => names[sku],
});

/**
 * Every figure worked out by hand from statsSeed.ts (period 2026-11-01 to 2026-11-03, now
 * 2026-11-05 12:00Z, abandonment window 24 h):
 *
 * Cases C1–C5 (C6 is before, C7 at the exclusive end). Opening amounts: C1 CNY 300 full, C2 CNY
 * 500 full, C3 none 0, C4 review 0, C5 USD 200 full. Approved money: C1 (refunded, 300) + C2
 * (500) + C3 (a person's 15.00) = CNY 815.00. Automated: C1, C2 (C3 was disputed) → 2 / 5.
 * Decision times: C1, C2, C3 at opening (0 s), C4 a day later (86400 s), C5 undecided →
 * [0, 0, 0, 86400]: nearest-rank median 0, p90 86400.
 * Hand-overs ended by a person: C3 escalated 09:30 → approved 10:00 (1800 s), C4 opened for
 * review → denied a day later (86400 s), C5 opened for review 08:00 → handed back 08:40
 * (2400 s) → median 2400, p90 86400.
 * Escalations: dispute (esc-1), customer_request (esc-2), orders_unavailable (esc-4), plus
 * needs_review for C4 and C5 (opened pending_review); esc-3 is before the period.
 * Ratings in the period: C6's 2 (00:10), C1's 5, C2's 4 → 3 ratings, mean 11 / 3.
 * Conversations started in the period: 10 (conv-old is before); handed: RF-C3, x, RF-C4, RF-C5
 * → 4 / 10. Customer messages 6, 5, 7, 2, 2, 3, 1, 0, 6, 5: mean 3.7, median (3 + 5) / 2 = 4.
 * Abandoned: conv-a (orderId) and conv-b (evidence); conv-c waits only 30 min.
 */
const expectedAll: Stats = {
  period: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-04T00:00:00.000Z', channel: null },
  cases: {
    total: 5,
    byCategory: {
      ...zeroCategories,
      defective: { count: 2, amounts: { CNY: 30000, USD: 20000 } },
      damaged_in_transit: { count: 1, amounts: { CNY: 50000 } },
      changed_mind: { count: 1, amounts: {} },
      billing_error: { count: 1, amounts: {} },
    },
    byChannel: {
      api: { count: 3, amounts: { CNY: 30000, USD: 20000 } },
      slack: { count: 1, amounts: {} },
      wechat: { count: 1, amounts: { CNY: 50000 } },
    },
    byLocale: {
      en: { count: 3, amounts: { CNY: 30000, USD: 20000 } },
      'zh-CN': { count: 1, amounts: { CNY: 50000 } },
      'zh-TW': { count: 1, amounts: {} },
    },
    byOutcome: {
      full: { count: 3, amounts: { CNY: 80000, USD: 20000 } },
      partial: { count: 0, amounts: {} },
      none: { count: 1, amounts: {} },
      review: { count: 1, amounts: {} },
    },
    byStatus: { approved: 2, pending_review: 1, escalated: 0, denied: 1, refunded: 1, cancelled: 0 },
    byDay: [
      { day: '2026-11-01', total: 2, byCategory: { defective: 1, damaged_in_transit: 1 } },
      { day: '2026-11-02', total: 2, byCategory: { changed_mind: 1, billing_error: 1 } },
      { day: '2026-11-03', total: 1, byCategory: { defective: 1 } },
    ],
    approvedAmounts: { CNY: 81500 },
  },
  topSkus: [
    { sku: 'HP-200', name: 'Wireless headphones', cases: 3, amounts: { CNY: 80000, USD: 20000 }, topCategories: [{ category: 'defective', count: 2 }, { category: 'damaged_in_transit', count: 1 }] },
    { sku: 'CASE-1', name: null, cases: 1, amounts: { CNY: 50000 }, topCategories: [{ category: 'damaged_in_transit', count: 1 }] },
    { sku: 'MUG-1', name: null, cases: 1, amounts: {}, topCategories: [{ category: 'changed_mind', count: 1 }] },
    { sku: 'VIP-Y', name: null, cases: 1, amounts: {}, topCategories: [{ category: 'billing_error', count: 1 }] },
  ],
  automation: {
    automationRate: 0.4,
    escalationRate: 0.4,
    escalationsByReason: {
      customer_request: 1,
      dispute: 1,
      needs_review: 2,
      not_understood: 0,
      too_many_attempts: 0,
      refund_delivery_failed: 0,
      orders_unavailable: 1,
    },
    timeToDecision: { medianSeconds: 0, p90Seconds: 86400 },
  },
  conversations: { total: 10, turnsPerConversation: { mean: 3.7, median: 4 }, abandoned: 2, abandonedAt: { evidence: 1, orderId: 1 } },
  satisfaction: { responses: 3, average: 11 / 3, distribution: { '1': 0, '2': 1, '3': 0, '4': 1, '5': 1 } },
  agents: { handled: 3, handlingTime: { medianSeconds: 2400, p90Seconds: 86400 } },
};

/**
 * Only the `api` channel: cases C1, C3, C5; esc-1 (esc-2 is WeChat's, esc-4 has no channel) and
 * C5's review; conversations RF-C1, RF-C3, a, b, c, d, RF-C5 (handed: RF-C3, RF-C5 → 2 / 7;
 * messages 6, 7, 2, 3, 1, 0, 5: mean 24 / 7, median 3); ratings C1's 5 and C6's 2; hand-overs
 * C3 (1800 s) and C5 (2400 s).
 */
const expectedApi: Stats = {
  period: { ...expectedAll.period, channel: 'api' },
  cases: {
    total: 3,
    byCategory: { ...zeroCategories, defective: { count: 2, amounts: { CNY: 30000, USD: 20000 } }, changed_mind: { count: 1, amounts: {} } },
    byChannel: { api: { count: 3, amounts: { CNY: 30000, USD: 20000 } } },
    byLocale: { en: { count: 3, amounts: { CNY: 30000, USD: 20000 } } },
    byOutcome: { full: { count: 2, amounts: { CNY: 30000, USD: 20000 } }, partial: { count: 0, amounts: {} }, none: { count: 1, amounts: {} }, review: { count: 0, amounts: {} } },
    byStatus: { approved: 1, pending_review: 1, escalated: 0, denied: 0, refunded: 1, cancelled: 0 },
    byDay: [
      { day: '2026-11-01', total: 1, byCategory: { defective: 1 } },
      { day: '2026-11-02', total: 1, byCategory: { changed_mind: 1 } },
      { day: '2026-11-03', total: 1, byCategory: { defective: 1 } },
    ],
    approvedAmounts: { CNY: 31500 },
  },
  topSkus: [
    { sku: 'HP-200', name: 'Wireless headphones', cases: 2, amounts: { CNY: 30000, USD: 20000 }, topCategories: [{ category: 'defective', count: 2 }] },
    { sku: 'MUG-1', name: null, cases: 1, amounts: {}, topCategories: [{ category: 'changed_mind', count: 1 }] },
  ],
  automation: {
    automationRate: 1 / 3,
    escalationRate: 2 / 7,
    escalationsByReason: { ...expectedAll.automation.escalationsByReason, customer_request: 0, dispute: 1, needs_review: 1, orders_unavailable: 0 },
    timeToDecision: { medianSeconds: 0, p90Seconds: 0 },
  },
  conversations: { total: 7, turnsPerConversation: { mean: 24 / 7, median: 3 }, abandoned: 2, abandonedAt: { evidence: 1, orderId: 1 } },
  satisfaction: { responses: 2, average: 3.5, distribution: { '1': 0, '2': 1, '3': 0, '4': 0, '5': 1 } },
  agents: { handled: 2, handlingTime: { medianSeconds: 1800, p90Seconds: 2400 } },
};

const admin = new RedisAdmin();
beforeAll(() => admin.connect());
afterAll(() => admin.close());

describe.each([
  ['embedded', () => makeSqliteHarness()],
  ['redis', () => makeRedisHarness(admin)],
] as const)('computeStats on the %s store', (_name, makeHarness) => {
  let harness: StoreHarness | undefined;
  const stores = (): Stores => {
    if (!harness) throw new Error('no stores');
    return harness.stores;
  };
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });

  it('computes every figure of a seeded period as worked out by hand, whatever the page size', async () => {
    harness = await makeHarness();
    await seedHistory(stores());
    expect(await computeStats(stores(), PERIOD, options(500))).toEqual(expectedAll);
    // Pages of one and of two: every stream crosses page boundaries, ties included.
    expect(await computeStats(stores(), PERIOD, options(1))).toEqual(expectedAll);
    expect(await computeStats(stores(), PERIOD, options(2))).toEqual(expectedAll);
  });

  it('keeps to one channel', async () => {
    harness = await makeHarness();
    await seedHistory(stores());
    expect(await computeStats(stores(), { ...PERIOD, channel: 'api' }, options(2))).toEqual(expectedApi);
  });

  it('answers an empty period with zeros and nulls, one entry per day', async () => {
    harness = await makeHarness();
    await seedHistory(stores());
    const stats = await computeStats(stores(), { from: new Date('2026-12-01T12:00:00Z'), to: new Date('2026-12-03T00:00:00Z') }, options(10));
    expect(stats.cases.total).toBe(0);
    // From a midday start: the days it touches.
    expect(stats.cases.byDay).toEqual([
      { day: '2026-12-01', total: 0, byCategory: {} },
      { day: '2026-12-02', total: 0, byCategory: {} },
    ]);
    expect(stats.automation).toMatchObject({ automationRate: null, escalationRate: null, timeToDecision: { medianSeconds: null, p90Seconds: null } });
    expect(stats.conversations).toEqual({ total: 0, turnsPerConversation: { mean: null, median: null }, abandoned: 0, abandonedAt: {} });
    expect(stats.satisfaction).toEqual({ responses: 0, average: null, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } });
    expect(stats.agents).toEqual({ handled: 0, handlingTime: { medianSeconds: null, p90Seconds: null } });
    expect(stats.topSkus).toEqual([]);
  });

  it('counts a conversation as abandoned only once its window has passed', async () => {
    harness = await makeHarness();
    await seedHistory(stores());
    // Two days later, conv-c (idle since 2026-11-05 11:30) is abandoned too; with a 40-day
    // window, none is.
    const later = await computeStats(stores(), PERIOD, { ...options(10), clock: new FixedClock('2026-11-07T12:00:00Z') });
    expect(later.conversations).toMatchObject({ abandoned: 3, abandonedAt: { evidence: 1, identity: 1, orderId: 1 } });
    const patient = await computeStats(stores(), PERIOD, { ...options(10), abandonedAfterMs: 40 * 24 * 60 * 60 * 1000 });
    expect(patient.conversations).toMatchObject({ abandoned: 0, abandonedAt: {} });
  });

  it('leaves a name null when looking it up fails', async () => {
    harness = await makeHarness();
    await seedHistory(stores());
    const stats = await computeStats(stores(), PERIOD, { ...options(10), productName: async () => Promise.reject(new Error('orders API down')) });
    expect(stats.topSkus[0]).toMatchObject({ sku: 'HP-200', name: null });
  });
});

describe('Distribution', () => {
  it('gives nearest-rank percentiles, the usual median and the mean', () => {
    const distribution = new Distribution();
    expect([distribution.mean(), distribution.median(), distribution.percentile(0.9)]).toEqual([null, null, null]);
    for (const value of [7, 1, 3, 3, 10]) distribution.add(value);
    expect(distribution.mean()).toBe(24 / 5);
    expect(distribution.median()).toBe(3);
    expect(distribution.percentile(0.5)).toBe(3);
    expect(distribution.percentile(0.9)).toBe(10);
    expect(distribution.percentile(0.2)).toBe(1);
    distribution.add(4);
    // Six values 1 3 3 4 7 10: median (3 + 4) / 2; the nearest-rank 50th is the 3rd, 3.
    expect(distribution.median()).toBe(3.5);
    expect(distribution.percentile(0.5)).toBe(3);
    expect(distribution.countOf(3)).toBe(2);
    expect(() => distribution.add(1.5)).toThrow(RangeError);
  });
});

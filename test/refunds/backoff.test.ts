import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/refunds/webhook/backoff.ts';
import { DEFAULT_DISPATCHER_TIMING } from '../../src/refunds/webhook/dispatcher.ts';

const POLICY = { baseMs: 10_000, capMs: 30 * 60_000 };
const lowest = () => 0;
const highest = () => 1;

describe('retry backoff', () => {
  it('doubles from the base with each failed attempt, drawing between half the ceiling and all of it', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, POLICY, highest))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, POLICY, lowest))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(1, POLICY, () => 0.5)).toBe(7_500);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    expect(retryDelayMs(9, POLICY, highest)).toBe(30 * 60_000);
    expect(retryDelayMs(10_000, POLICY, highest)).toBe(30 * 60_000);
    expect(retryDelayMs(10_000, POLICY, lowest)).toBe(15 * 60_000);
  });

  it('spreads retries of refunds that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, POLICY)));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(20_000);
      expect(delay).toBeLessThanOrEqual(40_000);
    }
  });

  it('with the defaults, asks people to look after about two hours of failures at the latest', () => {
    const { backoffBaseMs, backoffCapMs, escalateAfter } = DEFAULT_DISPATCHER_TIMING;
    const waits = Array.from({ length: escalateAfter - 1 }, (_, index) => retryDelayMs(index + 1, { baseMs: backoffBaseMs, capMs: backoffCapMs }, highest));
    const hours = waits.reduce((sum, wait) => sum + wait, 0) / 3_600_000;
    expect(hours).toBeGreaterThan(1.5);
    expect(hours).toBeLessThan(2.5);
  });

  it('refuses an attempt number that is not a whole number from 1', () => {
    expect(() => retryDelayMs(0, POLICY)).toThrow(RangeError);
    expect(() => retryDelayMs(1.5, POLICY)).toThrow(RangeError);
  });
});

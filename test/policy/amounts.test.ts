import { describe, expect, it } from 'vitest';
import { allocateProportionally, itemPaidAmounts, proratedAmount } from '../../src/policy/amounts.ts';
import { CABLE, CASE_2X, HEADPHONES, makeOrder } from './fixtures.ts';

describe('allocateProportionally (largest remainder)', () => {
  it.each([
    // total, weights, expected — worked out by hand
    [3000, [29900, 7800, 2990], [2205, 575, 220]],
    [100, [1, 1, 1], [34, 33, 33]], // 33.33 each; the leftover fen goes to the first (tie → earlier)
    [2, [1, 1, 1], [1, 1, 0]],
    [10, [3, 0, 7], [3, 0, 7]],
    [1, [50, 50], [1, 0]],
    [0, [10, 20], [0, 0]],
    [5, [0, 0], [0, 0]],
    [7, [2, 5, 5, 2], [1, 3, 2, 1]], // 1.0, 2.5, 2.5, 1.0 → floors 1,2,2,1 = 6; tie between .5s → earlier
  ])('%i over %j → %j', (total, weights, expected) => {
    expect(allocateProportionally(total, weights)).toEqual(expected);
  });

  it('always sums exactly to the total and stays within one unit of the exact share', () => {
    let seed = 20261120;
    const next = (max: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31; // deterministic LCG: reproducible failures
      return seed % max;
    };
    for (let round = 0; round < 500; round++) {
      const weights = Array.from({ length: 1 + next(6) }, () => next(100000));
      const sum = weights.reduce((a, b) => a + b, 0);
      const total = sum === 0 ? 0 : next(sum + 1);
      const shares = allocateProportionally(total, weights);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(sum === 0 ? 0 : total);
      shares.forEach((share, i) => {
        const exact = sum === 0 ? 0 : (total * (weights[i] ?? 0)) / sum;
        expect(Math.abs(share - exact)).toBeLessThan(1);
        expect(Number.isInteger(share)).toBe(true);
      });
    }
  });
});

describe('itemPaidAmounts', () => {
  it('subtracts each item’s share of the discount', () => {
    const order = makeOrder({ items: [HEADPHONES, CASE_2X, CABLE], shippingFee: 1200, discount: 3000 });
    expect([...itemPaidAmounts(order)]).toEqual([
      ['HP-200', 27695],
      ['CASE-01', 7225],
      ['CBL-C', 2770],
    ]);
  });
  it('adds up, with shipping, to what was paid', () => {
    const order = makeOrder({ items: [HEADPHONES, CASE_2X, CABLE], shippingFee: 1200, discount: 3000 });
    const total = [...itemPaidAmounts(order).values()].reduce((a, b) => a + b, 0);
    expect(total + order.shippingFee).toBe(38890);
    expect(order.paid).toBe(38890);
  });
  it('is unit price × quantity without a discount', () => {
    expect(itemPaidAmounts(makeOrder({ items: [CASE_2X] })).get('CASE-01')).toBe(7800);
  });
  it('never goes below zero when the discount exceeds the goods', () => {
    const order = makeOrder({ items: [CABLE], discount: 5000, shippingFee: 3000, paid: 990 });
    expect(itemPaidAmounts(order).get('CBL-C')).toBe(0);
  });
});

describe('proratedAmount', () => {
  it.each([
    [19800, 365, 40, 17630], // 6 435 000 / 365 = 17630.14
    [1000, 3, 1, 666], // 666.67 rounded down, not up
    [999, 3, 2, 333], // exact
    [19800, 365, 0, 19800],
    [19800, 365, 365, 0],
    [19800, 365, 400, 0], // more used than the period: clamped
    [1, 2, 1, 0], // half a fen is not paid back
  ])('%i × (%i − %i) / %i → %i', (paid, days, used, expected) => {
    expect(proratedAmount(paid, days, used)).toBe(expected);
  });
  it('stays exact for amounts whose product exceeds 2^53', () => {
    // 9e15 × 364 / 365 would lose precision as a float; the exact floor is 8975342465753424
    expect(proratedAmount(9_000_000_000_000_000, 365, 1)).toBe(8975342465753424);
  });
});

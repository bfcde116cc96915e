import { expect, it } from 'vitest';
import type { Order } from '../../src/domain/order.ts';
import { decide } from '../../src/policy/engine.ts';
import type { PolicyRules } from '../../src/policy/rules.ts';
import type { Claim, Decision, DecisionInput } from '../../src/policy/types.ts';
import { CABLE, CASE_2X, HEADPHONES, input, makeOrder } from './fixtures.ts';

/**
 * Table-driven engine tests. Expected amounts are worked out by hand in fen:
 * - default order: headphones 29900 + shipping 1000 = paid 30900;
 * - three-item order: 29900 + 2×3900 + 2990 = 40690 goods, discount 3000, shipping 1200, paid 38890;
 *   discount shares 3000×29900/40690 = 2204.47, ×7800/40690 = 575.08, ×2990/40690 = 220.44 →
 *   2204 + 575 + 220 = 2999, the leftover fen to the largest remainder (headphones): 2205/575/220;
 *   paid per item: headphones 27695, cases 7225, cable 2770.
 */
export interface Row {
  name: string;
  order: Order;
  claim: Claim;
  extra?: Partial<DecisionInput>;
  expect: Partial<Decision>;
}

/** One test per row; `rules` is read when the tests run (after beforeAll loaded it). */
export function runRows(rules: () => PolicyRules, rows: Row[]): void {
  it.each(rows)('$name', (row) => {
    expect(decide(rules(), input(row.order, row.claim, row.extra))).toMatchObject(row.expect);
  });
}

export const threeItems = (overrides: Partial<Order> = {}) =>
  makeOrder({ items: [HEADPHONES, CASE_2X, CABLE], shippingFee: 1200, discount: 3000, ...overrides });

export const approved = (amount: number, reason: string, clauses: string[], shipping: number): Partial<Decision> => ({
  outcome: 'full',
  amount,
  status: 'approved',
  reason,
  clauses,
  shipping,
  guardrails: [],
});

export const denied = (reason: string, clauses: string[]): Partial<Decision> => ({
  outcome: 'none',
  amount: 0,
  status: 'denied',
  reason,
  clauses,
  lines: [],
  shipping: 0,
});

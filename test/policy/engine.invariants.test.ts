import { beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../src/policy/engine.ts';
import { type PolicyKnowledge, loadPolicyText } from '../../src/policy/knowledge.ts';
import { REASON_CODES } from '../../src/policy/reasons.ts';
import type { PolicyRules } from '../../src/policy/rules.ts';
import { POLICY_DIR, defaultRules } from './fixtures.ts';
import { SCENARIOS } from './scenarios.ts';

let rules: PolicyRules;
let kb: PolicyKnowledge;
beforeAll(async () => {
  rules = await defaultRules();
  kb = await loadPolicyText(POLICY_DIR, rules);
});

describe('every decision', () => {
  it.each(SCENARIOS)('$name → $reason', ({ input, reason }) => {
    const decision = decide(rules, input);
    expect(decision.reason).toBe(reason);
    // cites at least one clause, and only clauses that exist in the readable policy
    expect(decision.clauses.length).toBeGreaterThanOrEqual(1);
    const known = new Set(kb.clauses.en.map((c) => c.id));
    for (const id of decision.clauses) expect(known, id).toContain(id);
    // never more than what was paid, never negative, in the order's currency
    expect(decision.amount).toBeGreaterThanOrEqual(0);
    expect(decision.amount).toBeLessThanOrEqual(input.order.paid);
    expect(decision.currency).toBe(input.order.currency);
    // the amount is its lines plus shipping; shipping at most the order's fee
    expect(decision.amount).toBe(decision.lines.reduce((sum, line) => sum + line.amount, decision.shipping));
    expect(decision.shipping).toBeLessThanOrEqual(input.order.shippingFee);
    // outcome ↔ status
    if (decision.outcome === 'none') expect([decision.status, decision.amount]).toEqual(['denied', 0]);
    if (decision.outcome === 'review') expect(decision.status).toBe('pending_review');
    if (decision.status === 'approved') expect(decision.guardrails).toEqual([]);
    expect(decision.policyVersion).toBe(rules.version);
  });

  it('reaches every reason code', () => {
    const reached = new Set(SCENARIOS.map(({ input }) => decide(rules, input).reason));
    expect([...reached].sort()).toEqual([...REASON_CODES].sort());
  });
});

describe('determinism and purity', () => {
  it.each(SCENARIOS)('$name: same input twice → deep-equal decisions, input untouched', ({ input }) => {
    const before = structuredClone(input);
    const first = decide(rules, input);
    const second = decide(rules, structuredClone(input));
    expect(second).toEqual(first);
    expect(input).toEqual(before);
  });

  it('does not depend on the order of the customer’s orders and cases', () => {
    for (const { input } of SCENARIOS) {
      const shuffled = { ...input, customerOrders: [...input.customerOrders].reverse(), customerCases: [...input.customerCases].reverse() };
      expect(decide(rules, shuffled)).toEqual(decide(rules, input));
    }
  });
});

import type { Minor } from '../domain/money.ts';
import { toMinor } from '../domain/money.ts';
import type { Order, OrderItem } from '../domain/order.ts';
import { calendarDaysBetween } from './calendar.ts';
import type { GuardrailId, PolicyRules } from './rules.ts';
import type { PriorCase } from './types.ts';

/**
 * The named risk rules (SPEC §4 "Automatic approval"). Each returns whether it fires; the engine
 * records the ids of those that fired on the decision, so a reviewer sees *why* a case waits.
 */

/** The auto-approve limit for a currency, in its minor units. */
export function autoApproveLimit(rules: PolicyRules, currency: string): Minor {
  const rule = rules.guardrails.over_auto_approve_limit;
  return toMinor(rule.perCurrency[currency] ?? rule.limit, currency);
}

/**
 * Refund cases that count towards the repeat-refunder rule: created within the last `withinDays`
 * calendar days (same counting as every policy window) and not in an ignored status — by default
 * only `cancelled` is ignored, because a withdrawn request is not a refund; a denied one still
 * shows how often the customer asks.
 */
export function recentCaseCount(rules: PolicyRules, cases: readonly PriorCase[], now: Date): number {
  const rule = rules.guardrails.repeat_refunder;
  return cases.filter(
    (c) => !rule.ignoreStatuses.includes(c.status) && calendarDaysBetween(c.createdAt, now) <= rule.withinDays,
  ).length;
}

/** Whether an item of an order already has a case that blocks a second claim. */
export function isAlreadyClaimed(rules: PolicyRules, orderId: string, sku: string, cases: readonly PriorCase[]): boolean {
  const blocking = rules.guardrails.already_claimed.blockingStatuses;
  return cases.some((c) => c.orderId === orderId && c.items.includes(sku) && blocking.includes(c.status));
}

/** SKUs among `items` that already have a blocking case (empty when the guardrail is off). */
export function alreadyClaimedSkus(
  rules: PolicyRules,
  order: Order,
  items: readonly OrderItem[],
  cases: readonly PriorCase[],
): string[] {
  if (!rules.guardrails.already_claimed.enabled) return [];
  return items.filter((item) => isAlreadyClaimed(rules, order.id, item.sku, cases)).map((item) => item.sku);
}

/** The facts the risk rules look at. */
export interface RiskFacts {
  order: Order;
  amount: Minor;
  unknownSkus: readonly string[];
  proofRequired: boolean;
  hasProof: boolean;
  customerCases: readonly PriorCase[];
  now: Date;
}

/**
 * Ids of the risk rules that fire, in a fixed order (the first one names the decision's reason):
 * the claim's own defects first, then the customer's history, then the amount.
 */
export function firedGuardrails(rules: PolicyRules, facts: RiskFacts): GuardrailId[] {
  const g = rules.guardrails;
  const checks: [GuardrailId, boolean][] = [
    ['item_not_in_order', g.item_not_in_order.enabled && facts.unknownSkus.length > 0],
    ['missing_proof', g.missing_proof.enabled && facts.proofRequired && !facts.hasProof],
    [
      'repeat_refunder',
      g.repeat_refunder.enabled && recentCaseCount(rules, facts.customerCases, facts.now) >= g.repeat_refunder.minCases,
    ],
    [
      'over_auto_approve_limit',
      g.over_auto_approve_limit.enabled && facts.amount > autoApproveLimit(rules, facts.order.currency),
    ],
  ];
  return checks.filter(([, fired]) => fired).map(([id]) => id);
}

import type { Outcome } from '../domain/case.ts';
import type { Minor } from '../domain/money.ts';
import type { Order, OrderItem } from '../domain/order.ts';
import type { ReasonCode } from './reasons.ts';
import type { PolicyRules } from './rules.ts';
import type { DecisionInput, DecisionLine } from './types.ts';

/** A rule's answer before the risk rules run: what the policy itself says. */
export interface Verdict {
  outcome: Outcome;
  reason: ReasonCode;
  clauses: string[];
  lines: DecisionLine[];
  /** Shipping fee included in the refund. */
  shipping: Minor;
  /** The rule always wants a person to approve (prorated refunds), whatever the risk rules say. */
  alwaysReview?: boolean;
}

/** What a rule evaluator needs to know about the claim. */
export interface RuleContext {
  rules: PolicyRules;
  input: DecisionInput;
  order: Order;
  /** The items the rule refunds (the claimed ones, or the whole order for order-scoped rules). */
  items: readonly OrderItem[];
  /** Whether `items` is every item of the order (the shipping fee goes back only then). */
  wholeOrder: boolean;
  /** Paid amount per SKU, after the discount. */
  paid: ReadonlyMap<string, Minor>;
  now: Date;
}

/** A "no" citing the clauses that say so. */
export function denied(reason: ReasonCode, clauses: string[]): Verdict {
  return { outcome: 'none', reason, clauses, lines: [], shipping: 0 };
}

/** A "a person decides" with no proposed amount. */
export function reviewOnly(reason: ReasonCode, clauses: string[]): Verdict {
  return { outcome: 'review', reason, clauses, lines: [], shipping: 0 };
}

/**
 * The full paid amount of the items in scope, plus the shipping fee when the rule refunds it and
 * the whole order is refunded.
 */
export function fullRefund(
  ctx: RuleContext,
  reason: ReasonCode,
  clauses: string[],
  refundShipping: 'whole_order' | 'never',
): Verdict {
  const lines = ctx.items.map((item) => ({ sku: item.sku, amount: ctx.paid.get(item.sku) ?? 0 }));
  const shipping = refundShipping === 'whole_order' && ctx.wholeOrder ? ctx.order.shippingFee : 0;
  return { outcome: 'full', reason, clauses, lines, shipping };
}

/** The same amount as a proposal for a person to confirm (outcome `review`). */
export function proposeForReview(verdict: Verdict, reason: ReasonCode): Verdict {
  return { ...verdict, outcome: 'review', reason };
}

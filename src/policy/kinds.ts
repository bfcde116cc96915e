import type { ItemKind, Order, OrderItem } from '../domain/order.ts';
import { proratedAmount } from './amounts.ts';
import { calendarDaysBetween, hoursApart, withinDays } from './calendar.ts';
import { isAlreadyClaimed } from './guardrails.ts';
import type { CategoryRule, PolicyRules, WindowFrom } from './rules.ts';
import type { RuleContext, Verdict } from './verdict.ts';
import { denied, fullRefund, proposeForReview, reviewOnly } from './verdict.ts';

/**
 * One evaluator per rule kind. Each reads its windows, flags and clauses from the rule data and
 * returns a Verdict; none of them knows about categories or numbers.
 */

type RuleOf<K extends CategoryRule['kind']> = Extract<CategoryRule, { kind: K }>;

/** The date a window counts from, or null when it has not happened (not delivered yet). */
export function anchorDate(order: Order, from: WindowFrom): Date | null {
  return from === 'delivery' ? order.deliveredAt : order.placedAt;
}

/**
 * Whether the rule's window is still open for the order (true for rules without a window, and
 * when the anchor date is unknown: a person will look at those).
 */
export function windowOpen(rule: CategoryRule, order: Order, now: Date): boolean {
  if (!('window' in rule)) return true;
  const anchor = anchorDate(order, rule.window.from);
  return anchor === null || withinDays(anchor, now, rule.window.days);
}

function kindsEligible(allowed: readonly ItemKind[] | undefined, items: readonly OrderItem[]): boolean {
  return allowed === undefined || items.every((item) => allowed.includes(item.kind));
}

function evaluateFull(rule: RuleOf<'full'>, ctx: RuleContext): Verdict {
  const anchor = anchorDate(ctx.order, rule.window.from);
  const refund = fullRefund(ctx, 'within_window', [rule.clause], rule.refundShipping);
  if (anchor === null) return proposeForReview(refund, 'not_delivered_yet');
  if (!withinDays(anchor, ctx.now, rule.window.days)) {
    return denied('outside_window', [rule.clause, ctx.rules.outsideWindow.clause]);
  }
  return refund;
}

function evaluateProrated(rule: RuleOf<'prorated_review'>, ctx: RuleContext): Verdict {
  // Without a subscription length there is nothing to prorate; a person decides the amount.
  if (ctx.items.some((item) => item.subscriptionDays === undefined)) return reviewOnly('needs_review', [rule.clause]);
  const full = fullRefund(ctx, 'prorated_review', [rule.clause], rule.refundShipping);
  const lines = ctx.items.map((item) => ({
    sku: item.sku,
    amount: proratedAmount(ctx.paid.get(item.sku) ?? 0, item.subscriptionDays ?? 0, item.usedDays ?? 0),
  }));
  const unchanged = lines.every((line, i) => line.amount === full.lines[i]?.amount);
  return { ...full, lines, outcome: unchanged ? 'full' : 'partial', alwaysReview: true };
}

function evaluateNotReceived(rule: RuleOf<'not_received'>, ctx: RuleContext): Verdict {
  const refund = fullRefund(ctx, 'not_received', [rule.clause], rule.refundShipping);
  // Marked delivered: the customer disputes the carrier's record, which only a person can settle.
  if (ctx.order.deliveredAt !== null || ctx.order.status === 'delivered') {
    return { ...proposeForReview(refund, 'marked_delivered'), clauses: [rule.deliveredClause] };
  }
  const anchor = anchorDate(ctx.order, rule.from) ?? ctx.order.placedAt;
  if (calendarDaysBetween(anchor, ctx.now) < rule.waitDays) return denied('wait_for_delivery', [rule.clause]);
  return refund;
}

/**
 * Whether every item in scope also appears in another live order of the same customer placed
 * within the rule's hours. A twin item that is itself being refunded does not count, so claiming
 * "duplicate" on both orders of a pair can refund only one of them automatically.
 */
function hasTwinOrders(rule: RuleOf<'duplicate_order'>, ctx: RuleContext): boolean {
  const { order, input, rules } = ctx;
  return ctx.items.every((item) =>
    input.customerOrders.some(
      (other) =>
        other.id !== order.id &&
        other.customer.id === order.customer.id &&
        other.status !== 'cancelled' &&
        hoursApart(other.placedAt, order.placedAt) <= rule.sameSkuWithinHours &&
        other.items.some((o) => o.sku === item.sku) &&
        !isAlreadyClaimed(rules, other.id, item.sku, input.customerCases),
    ),
  );
}

function evaluateDuplicate(rule: RuleOf<'duplicate_order'>, ctx: RuleContext): Verdict {
  const anchor = anchorDate(ctx.order, rule.window.from);
  if (anchor !== null && !withinDays(anchor, ctx.now, rule.window.days)) {
    return denied('outside_window', [rule.clause, ctx.rules.outsideWindow.clause]);
  }
  // "Or the order is not yet shipped" needs no branch here: R-1 (notYetShipped) is applied
  // before any category and refunds such an order in full anyway.
  const refund = fullRefund(ctx, 'duplicate_order', [rule.clause], rule.refundShipping);
  return hasTwinOrders(rule, ctx) ? refund : proposeForReview(refund, 'duplicate_unconfirmed');
}

function evaluateUnusedSubscription(rule: RuleOf<'unused_subscription'>, ctx: RuleContext): Verdict {
  const alternative = alternativeClauses(ctx.rules, rule.alternativeCategory);
  const anchor = anchorDate(ctx.order, rule.window.from);
  if (anchor !== null && !withinDays(anchor, ctx.now, rule.window.days)) {
    return denied('subscription_window_passed', [rule.clause, ctx.rules.outsideWindow.clause, ...alternative]);
  }
  if (ctx.items.some((item) => (item.usedDays ?? 0) > 0)) {
    return denied('subscription_used', [rule.clause, ...alternative]);
  }
  return fullRefund(ctx, 'unused_subscription', [rule.clause], rule.refundShipping);
}

function alternativeClauses(rules: PolicyRules, category: RuleOf<'unused_subscription'>['alternativeCategory']): string[] {
  return category === undefined ? [] : [rules.categories[category].clause];
}

/** What the category's rule says about the items in `ctx`. */
export function evaluateRule(rule: CategoryRule, ctx: RuleContext): Verdict {
  if (!kindsEligible(rule.itemKinds, ctx.items)) return denied('kind_not_eligible', [rule.clause]);
  switch (rule.kind) {
    case 'full':
      return evaluateFull(rule, ctx);
    case 'prorated_review':
      return evaluateProrated(rule, ctx);
    case 'review':
      return reviewOnly('needs_review', [rule.clause]);
    case 'not_received':
      return evaluateNotReceived(rule, ctx);
    case 'duplicate_order':
      return evaluateDuplicate(rule, ctx);
    case 'unused_subscription':
      return evaluateUnusedSubscription(rule, ctx);
  }
}

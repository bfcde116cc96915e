import type { Category } from '../domain/categories.ts';
import type { Order, OrderItem } from '../domain/order.ts';
import { itemPaidAmounts } from './amounts.ts';
import { alreadyClaimedSkus, firedGuardrails } from './guardrails.ts';
import { evaluateRule, windowOpen } from './kinds.ts';
import type { ReasonCode } from './reasons.ts';
import type { GuardrailId, PolicyRules } from './rules.ts';
import type { Decision, DecisionInput } from './types.ts';
import type { RuleContext, Verdict } from './verdict.ts';
import { denied, fullRefund, reviewOnly } from './verdict.ts';

/**
 * The policy engine: (rules, order, claim, history, now) → decision. Pure and deterministic — no
 * I/O, no clock but `input.now` — so every SPEC §4 row can be tested as a table.
 *
 * Order of questions: is there anything to decide (items named, order not cancelled, items in
 * the order, not claimed before)? Which rule applies (not yet shipped beats every category)?
 * What does that rule say? Then the risk rules decide between `approved` and `pending_review`.
 */
export function decide(rules: PolicyRules, input: DecisionInput): Decision {
  const { order, claim } = input;
  const guard = rules.guardrails;
  const claimed = [...new Set(claim.skus)];
  if (claimed.length === 0) return finish(rules, input, reviewOnly('no_items_claimed', [guard.item_not_in_order.clause]), []);
  if (order.status === 'cancelled') return finish(rules, input, denied('order_cancelled', [rules.cancelledOrder.clause]), []);

  const known = order.items.filter((item) => claimed.includes(item.sku));
  const unknownSkus = claimed.filter((sku) => !order.items.some((item) => item.sku === sku));
  if (known.length === 0) {
    const fired: GuardrailId[] = guard.item_not_in_order.enabled ? ['item_not_in_order'] : [];
    return finish(rules, input, reviewOnly('item_not_in_order', [guard.item_not_in_order.clause]), fired);
  }

  const notShipped = rules.notYetShipped.orderStatuses.includes(order.status);
  const rule = rules.categories[claim.category];
  const scope = notShipped ? rules.notYetShipped.scope : rule.scope;
  const items = scope === 'order' ? order.items : known;
  if (alreadyClaimedSkus(rules, order, items, input.customerCases).length > 0) {
    return finish(rules, input, denied('already_claimed', [guard.already_claimed.clause]), ['already_claimed']);
  }

  const ctx = context(rules, input, items);
  const verdict = notShipped
    ? fullRefund(ctx, 'not_yet_shipped', [rules.notYetShipped.clause], rules.notYetShipped.refundShipping)
    : evaluateRule(rule, ctx);
  if (verdict.outcome === 'none') return finish(rules, input, verdict, []);
  const fired = firedGuardrails(rules, {
    order,
    amount: refundAmount(verdict, order),
    unknownSkus,
    proofRequired: !notShipped && rule.proofRequired,
    hasProof: claim.hasProof,
    customerCases: input.customerCases,
    now: input.now,
  });
  return finish(rules, input, verdict, fired);
}

/**
 * Whether the dialog should ask for proof before deciding: the category's rule wants it, the
 * order is not one refunded whatever the reason (not shipped, cancelled) and — when `now` is
 * given — the window is still open (proof cannot turn a closed window into a refund).
 */
export function proofRequired(rules: PolicyRules, order: Order, category: Category, now?: Date): boolean {
  if (order.status === 'cancelled' || rules.notYetShipped.orderStatuses.includes(order.status)) return false;
  const rule = rules.categories[category];
  if (!rule.proofRequired) return false;
  return now === undefined || windowOpen(rule, order, now);
}

function context(rules: PolicyRules, input: DecisionInput, items: readonly OrderItem[]): RuleContext {
  const { order } = input;
  const wholeOrder = order.items.every((item) => items.some((i) => i.sku === item.sku));
  return { rules, input, order, items, wholeOrder, paid: itemPaidAmounts(order), now: input.now };
}

/** Lines plus shipping, never more than the order's paid total (guards inconsistent order data). */
function refundAmount(verdict: Verdict, order: Order): number {
  const sum = verdict.lines.reduce((total, line) => total + line.amount, verdict.shipping);
  return Math.min(sum, order.paid);
}

/** Turns a verdict and the fired risk rules into the decision the case opens with. */
function finish(rules: PolicyRules, input: DecisionInput, verdict: Verdict, fired: GuardrailId[]): Decision {
  const refunds = verdict.outcome === 'full' || verdict.outcome === 'partial';
  const held = refunds && (verdict.alwaysReview === true || fired.length > 0);
  // A refund held only by a risk rule is explained by that rule; a rule that always wants a
  // person (prorated) keeps its own reason, the risk rules are still recorded.
  const reason: ReasonCode = refunds && verdict.alwaysReview !== true && fired[0] !== undefined ? fired[0] : verdict.reason;
  const clauses = [...verdict.clauses, ...fired.map((id) => rules.guardrails[id].clause)];
  return {
    outcome: verdict.outcome,
    amount: refundAmount(verdict, input.order),
    currency: input.order.currency,
    status: verdict.outcome === 'none' ? 'denied' : verdict.outcome === 'review' || held ? 'pending_review' : 'approved',
    clauses: [...new Set(clauses)],
    guardrails: fired,
    reason,
    lines: verdict.lines,
    shipping: verdict.shipping,
    policyVersion: rules.version,
  };
}

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CASE_STATUSES } from '../domain/case.ts';
import { CATEGORIES } from '../domain/categories.ts';
import { ITEM_KINDS, ORDER_STATUSES } from '../domain/order.ts';
import { toMinor } from '../domain/money.ts';
import { ConfigError } from '../errors.ts';
import { formatIssue } from './zodIssues.ts';

/**
 * The refund policy as data (knowledge/policy/rules.json). The engine is generic over this file:
 * every window, proof flag, shipping flag, limit and clause id comes from here; only the rule
 * *kinds* (how a category is evaluated) are code.
 */

/** A clause id of the readable policy, e.g. `R-2.1`. */
const ClauseId = z.string().regex(/^R-\d+(\.\d+)*$/, 'expected a clause id like "R-2.1"');

/** A decimal amount in major units with at most two decimals (converted per currency later). */
const MajorAmount = z
  .number()
  .nonnegative()
  .refine((value) => isCents(value), 'expected an amount with at most 2 decimals');

function isCents(value: number): boolean {
  try {
    toMinor(value, 'USD');
    return true;
  } catch {
    return false;
  }
}

/**
 * What a window counts from. `purchase` and `placed` both mean the order's `placedAt` (orders
 * are paid when placed); both words exist so the file reads like the policy text.
 */
const WindowFrom = z.enum(['delivery', 'purchase', 'placed']);
export type WindowFrom = z.infer<typeof WindowFrom>;

/** `days` calendar days counted from the `from` date, inclusive of the last day (see `days`). */
const Window = z.strictObject({ days: z.number().int().positive(), from: WindowFrom });
export type Window = z.infer<typeof Window>;

/**
 * Which items a rule refunds: the claimed ones, or the whole order whatever was claimed (an
 * order that is cancelled, never arrived or was placed twice is refunded as a whole).
 */
const Scope = z.enum(['claimed_items', 'order']);

/** `whole_order`: the shipping fee is refunded only when every item of the order is refunded. */
const RefundShipping = z.enum(['whole_order', 'never']);

const ItemKinds = z.array(z.enum(ITEM_KINDS)).nonempty();

/** Fields every category rule has. */
const common = {
  /** The clause cited by every decision under this rule. */
  clause: ClauseId,
  proofRequired: z.boolean().default(false),
  /** Item kinds the rule covers; absent means every kind. Others are `kind_not_eligible`. */
  itemKinds: ItemKinds.optional(),
  scope: Scope.default('claimed_items'),
  refundShipping: RefundShipping.default('whole_order'),
};

/** Refund the item's paid amount within a window (defective, wrong item, changed mind …). */
const FullRule = z.strictObject({ kind: z.literal('full'), ...common, window: Window });

/** Refund the unused part of a subscription/service, always after human review. */
const ProratedReviewRule = z.strictObject({ kind: z.literal('prorated_review'), ...common });

/** No automatic outcome: a person decides (billing errors, promotions, other). */
const ReviewRule = z.strictObject({ kind: z.literal('review'), ...common });

/** Not received: refund once `waitDays` passed since placing if not delivered; else review. */
const NotReceivedRule = z.strictObject({
  kind: z.literal('not_received'),
  ...common,
  waitDays: z.number().int().positive(),
  from: WindowFrom.exclude(['delivery']),
  /** Cited when the order is marked delivered (a dispute with the carrier). */
  deliveredClause: ClauseId,
});

/** Duplicate order: refund when a twin order with the same SKUs exists, else review. */
const DuplicateOrderRule = z.strictObject({
  kind: z.literal('duplicate_order'),
  ...common,
  window: Window,
  /** Another order of the same customer placed at most this many hours before or after. */
  sameSkuWithinHours: z.number().positive(),
});

/** Unused subscription: refund when not used at all within the window. */
const UnusedSubscriptionRule = z.strictObject({
  kind: z.literal('unused_subscription'),
  ...common,
  window: Window,
  /** The category suggested (and its clause cited) when this rule does not apply. */
  alternativeCategory: z.enum(CATEGORIES).optional(),
});

const CategoryRule = z.discriminatedUnion('kind', [
  FullRule,
  ProratedReviewRule,
  ReviewRule,
  NotReceivedRule,
  DuplicateOrderRule,
  UnusedSubscriptionRule,
]);
/** How one refund category is decided. */
export type CategoryRule = z.infer<typeof CategoryRule>;
export type RuleKind = CategoryRule['kind'];

const Guardrail = { clause: ClauseId, enabled: z.boolean().default(true) };

const Guardrails = z.strictObject({
  /** Amounts above the limit wait for a person. */
  over_auto_approve_limit: z.strictObject({
    ...Guardrail,
    /** In major units of the order's currency, e.g. 500.00. */
    limit: MajorAmount,
    /** Overrides per ISO currency code, e.g. `{ "JPY": 50000 }`. */
    perCurrency: z.record(z.string().regex(/^[A-Z]{3}$/), MajorAmount).default({}),
  }),
  /** The rule needs proof and none was given. */
  missing_proof: z.strictObject(Guardrail),
  /** The customer already has `minCases` refund cases in the last `withinDays` days. */
  repeat_refunder: z.strictObject({
    ...Guardrail,
    minCases: z.number().int().positive(),
    withinDays: z.number().int().positive(),
    /** Case statuses that do not count (a cancelled case was withdrawn). */
    ignoreStatuses: z.array(z.enum(CASE_STATUSES)).default(['cancelled']),
  }),
  /** A claimed SKU is not in the order. */
  item_not_in_order: z.strictObject(Guardrail),
  /** An item that already has a case in one of these statuses cannot get a second one. */
  already_claimed: z.strictObject({ ...Guardrail, blockingStatuses: z.array(z.enum(CASE_STATUSES)).nonempty() }),
});
/** The named guardrails / risk rules. */
export type Guardrails = z.infer<typeof Guardrails>;
export type GuardrailId = keyof Guardrails;

export const PolicyRulesSchema = z.strictObject({
  $comment: z.string().optional(),
  /** Recorded on every decision so a case says which policy decided it. */
  version: z.string().min(1),
  /** How days are counted; only UTC calendar dates are supported. */
  days: z.strictObject({ timeZone: z.literal('UTC'), note: z.string().optional() }),
  /** Orders in these statuses are cancelled and refunded in full, whatever the reason. */
  notYetShipped: z.strictObject({
    clause: ClauseId,
    orderStatuses: z.array(z.enum(ORDER_STATUSES)).nonempty(),
    scope: Scope.default('order'),
    refundShipping: RefundShipping.default('whole_order'),
  }),
  /** A cancelled order was refunded when it was cancelled. */
  cancelledOrder: z.strictObject({ clause: ClauseId }),
  /** Cited, with the category's clause, whenever a request is outside its window. */
  outsideWindow: z.strictObject({ clause: ClauseId }),
  categories: z.record(z.enum(CATEGORIES), CategoryRule),
  guardrails: Guardrails,
});
/** The validated policy rules file. */
export type PolicyRules = z.infer<typeof PolicyRulesSchema>;

/** Every clause id the rules cite, in file order without repeats. */
export function citedClauseIds(rules: PolicyRules): string[] {
  const ids: string[] = [rules.notYetShipped.clause, rules.cancelledOrder.clause, rules.outsideWindow.clause];
  for (const rule of Object.values(rules.categories)) {
    ids.push(rule.clause);
    if (rule.kind === 'not_received') ids.push(rule.deliveredClause);
  }
  for (const guardrail of Object.values(rules.guardrails)) ids.push(guardrail.clause);
  return [...new Set(ids)];
}

/** Validates parsed JSON as policy rules; `source` names the file in the error. */
export function parsePolicyRules(data: unknown, source: string): PolicyRules {
  const result = PolicyRulesSchema.safeParse(data);
  if (!result.success) {
    const [first, ...rest] = result.error.issues;
    const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
    throw new ConfigError('policy_rules_invalid', `policy rules ${source}: ${formatIssue(first)}${more}`);
  }
  return result.data;
}

/** Reads and validates the policy rules file at start-up; throws ConfigError naming the field. */
export async function loadPolicyRules(path: string): Promise<PolicyRules> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError('policy_rules_unreadable', `policy rules ${path}: cannot read the file`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('policy_rules_invalid', `policy rules ${path}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parsePolicyRules(data, path);
}

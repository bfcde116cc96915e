/**
 * Every reason code a decision can carry (`Decision.reason`). Each has a customer-facing template
 * `decision.<code>` in prompts/{en,zh-CN,zh-TW}/decision.json; templates may use the placeholders
 * `{amount}`, `{clause}` and `{days}` (see phrasing.ts).
 */
export const REASON_CODES = [
  /** Order not shipped yet: cancelled and refunded in full, shipping included. */
  'not_yet_shipped',
  /** The order is already cancelled; nothing left to refund. */
  'order_cancelled',
  /** Within the category's window: the claimed items' paid amount (+ shipping if whole order). */
  'within_window',
  /** The category's window has closed. */
  'outside_window',
  /** A delivery-based rule but the order has no delivery date yet: a person checks. */
  'not_delivered_yet',
  /** The category does not cover this kind of item (changed mind on a subscription). */
  'kind_not_eligible',
  /** Prorated refund of the unused part, waiting for human review. */
  'prorated_review',
  /** A person decides (billing errors, promotions, other, unproratable services). */
  'needs_review',
  /** Not delivered and the wait is over: full refund incl. shipping. */
  'not_received',
  /** Not delivered but placed too recently: the customer is asked to wait. */
  'wait_for_delivery',
  /** Claimed not received but the carrier marked it delivered: a person checks. */
  'marked_delivered',
  /** A twin order with the same SKUs exists: full refund incl. shipping. */
  'duplicate_order',
  /** Claimed duplicate but no twin order found: a person checks. */
  'duplicate_unconfirmed',
  /** Unused subscription within its window: full refund. */
  'unused_subscription',
  /** The subscription was used: not under this clause (service_issue may apply). */
  'subscription_used',
  /** The subscription's refund window has closed (service_issue may apply). */
  'subscription_window_passed',
  /** An item already has an open or approved refund. */
  'already_claimed',
  /** The claim names no item. */
  'no_items_claimed',
  /** A claimed item is not in the order (guardrail). */
  'item_not_in_order',
  /** Proof is required and missing (guardrail). */
  'missing_proof',
  /** The customer has many recent refund cases (guardrail). */
  'repeat_refunder',
  /** The amount is above the automatic-approval limit (guardrail). */
  'over_auto_approve_limit',
] as const;

/** Why a decision was taken; stable ids used in templates, cases and analytics. */
export type ReasonCode = (typeof REASON_CODES)[number];

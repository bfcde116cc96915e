/** Refund reason categories (SPEC §3). Stable ids used in cases, APIs and analytics. */
export const CATEGORIES = [
  'defective',
  'damaged_in_transit',
  'wrong_item',
  'not_as_described',
  'not_received',
  'duplicate_order',
  'changed_mind',
  'service_issue',
  'unused_subscription',
  'billing_error',
  'promotion_issue',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** What a customer message is about (SPEC §7). */
export const INTENTS = ['request_refund', 'refund_status', 'policy_question', 'human_agent', 'other'] as const;
export type Intent = (typeof INTENTS)[number];

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}

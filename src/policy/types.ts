import type { CaseStatus, Outcome } from '../domain/case.ts';
import type { Category } from '../domain/categories.ts';
import type { Minor } from '../domain/money.ts';
import type { Order } from '../domain/order.ts';

/** What the customer claims. */
export interface Claim {
  category: Category;
  /** SKUs of the claimed items; every item of the order when the customer means the whole order. */
  skus: string[];
  /** Whether at least one proof file (photo, screenshot, PDF) was given. */
  hasProof: boolean;
}

/** A case the customer already has (for the repeat-refunder rule and second claims). */
export interface PriorCase {
  id: string;
  orderId: string;
  items: string[];
  status: CaseStatus;
  createdAt: Date;
}

export interface DecisionInput {
  order: Order;
  claim: Claim;
  /** The customer's existing cases (any order). */
  customerCases: PriorCase[];
  /** The customer's orders (for the duplicate-order rule); may include `order` itself. */
  customerOrders: Order[];
  now: Date;
}

/** One claimed item's refundable amount. */
export interface DecisionLine {
  sku: string;
  amount: Minor;
}

/** The policy engine's answer. Deterministic for the same input and rules. */
export interface Decision {
  outcome: Outcome;
  /** Refund amount in minor units (0 for `none`; for `review`, the proposed amount or 0). */
  amount: Minor;
  currency: string;
  /** Case status this decision opens with. */
  status: Extract<CaseStatus, 'approved' | 'pending_review' | 'denied'>;
  /** Clause ids that justify the decision (at least one). */
  clauses: string[];
  /** Ids of the named guardrails/risk rules that fired (e.g. `over_auto_approve_limit`). */
  guardrails: string[];
  /** Machine code of why (templated into the customer message), e.g. `outside_window`. */
  reason: string;
  lines: DecisionLine[];
  /** Shipping fee included in `amount`. */
  shipping: Minor;
  policyVersion: string;
}

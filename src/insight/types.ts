import type { Category } from '../domain/categories.ts';
import type { Outcome } from '../domain/case.ts';

/**
 * The merchant's figures for one period (issue 9): why customers ask for refunds, what the
 * assistant decided, how well it served them. One shape for every consumer — the dashboard page,
 * `GET /v1/stats`, the CSV export, `refundbot report` and the weekly Slack digest — so they can
 * never disagree. Money is integer minor units per currency (never summed across currencies);
 * times are ISO 8601 strings; durations are whole seconds; rates are fractions in [0, 1] (null
 * when there is nothing to divide by).
 */
export interface StatsQuery {
  /** Inclusive start of the period. */
  from: Date;
  /** Exclusive end of the period. */
  to: Date;
  /** Only this channel's cases and conversations (`api`, `web`, `wechat`, `slack`, `botframework`…). */
  channel?: string;
}

/** A count, and the money it stands for per currency (minor units). */
export interface CountAndAmount {
  count: number;
  amounts: Record<string, number>;
}

export interface Stats {
  period: { from: string; to: string; channel: string | null };
  cases: {
    /** Cases opened in the period. */
    total: number;
    byCategory: Record<Category, CountAndAmount>;
    /** Keyed by channel name. */
    byChannel: Record<string, CountAndAmount>;
    /** Keyed by locale (en, zh-CN, zh-TW). */
    byLocale: Record<string, CountAndAmount>;
    /** The decision the case was opened with (the assistant's), and the amounts it proposed. */
    byOutcome: Record<Outcome, CountAndAmount>;
    /** Current status of the period's cases (approved, refunded, denied…). */
    byStatus: Record<string, number>;
    /** One entry per UTC day of the period (also days with none), by category. */
    byDay: { day: string; total: number; byCategory: Partial<Record<Category, number>> }[];
    /** Money approved (cases now approved or refunded, at their final amount), per currency. */
    approvedAmounts: Record<string, number>;
  };
  /** The most refunded SKUs (cases claiming them), with their most frequent reasons. */
  topSkus: { sku: string; name: string | null; cases: number; amounts: Record<string, number>; topCategories: { category: Category; count: number }[] }[];
  automation: {
    /** Cases decided without a person (opened approved or denied and never escalated) ÷ all cases. */
    automationRate: number | null;
    /** Conversations in the period handed to people ÷ conversations in the period. */
    escalationRate: number | null;
    /** Escalations in the period by reason (customer_request, dispute, needs_review…). */
    escalationsByReason: Record<string, number>;
    /** From a case's creation to its first decision (approved/denied), seconds: median and 90th percentile. */
    timeToDecision: { medianSeconds: number | null; p90Seconds: number | null };
  };
  conversations: {
    /** Conversations started in the period. */
    total: number;
    /** Customer messages per conversation: mean and median. */
    turnsPerConversation: { mean: number | null; median: number | null };
    /** Conversations that stopped while the assistant waited for an answer (idle past the abandonment window, no case). */
    abandoned: number;
    /** Abandoned conversations by the question left unanswered (orderId, identity, reason, evidence, confirm…). */
    abandonedAt: Record<string, number>;
  };
  satisfaction: {
    /** Ratings given in the period. */
    responses: number;
    /** Mean of 1–5 ratings. */
    average: number | null;
    /** Count per rating, keys "1".."5". */
    distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
  };
  agents: {
    /** Hand-overs that a person decided or handed back in the period. */
    handled: number;
    /** From hand-over to a person's decision or hand-back, seconds: median and 90th percentile. */
    handlingTime: { medianSeconds: number | null; p90Seconds: number | null };
  };
}

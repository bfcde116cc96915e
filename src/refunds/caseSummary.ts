import type { RefundCase } from '../domain/case.ts';
import { fromMinor } from '../domain/money.ts';

/** SPEC §6 CASE_SUMMARY: what a client is told about a case (amount as a decimal). */
export interface CaseSummary {
  id: string;
  orderId: string;
  category: RefundCase['category'];
  outcome: RefundCase['decision']['outcome'];
  amount: number;
  currency: string;
  status: RefundCase['status'];
  clauses: string[];
}

export function caseSummary(refundCase: RefundCase): CaseSummary {
  const { decision } = refundCase;
  return {
    id: refundCase.id,
    orderId: refundCase.orderId,
    category: refundCase.category,
    outcome: decision.outcome,
    amount: fromMinor(decision.amount, decision.currency),
    currency: decision.currency,
    status: refundCase.status,
    clauses: [...decision.clauses],
  };
}

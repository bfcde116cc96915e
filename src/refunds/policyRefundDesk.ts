import type { CaseService } from '../cases/caseService.ts';
import type { RefundCase } from '../domain/case.ts';
import type { Category } from '../domain/categories.ts';
import type { Clock } from '../domain/clock.ts';
import type { Order, OrderDirectory } from '../domain/order.ts';
import { ConflictError, InputError } from '../errors.ts';
import { itemPaidAmounts } from '../policy/amounts.ts';
import { decide, proofRequired } from '../policy/engine.ts';
import { ruleDays } from '../policy/phrasing.ts';
import type { PolicyRules } from '../policy/rules.ts';
import type { PriorCase } from '../policy/types.ts';
import type { Logger } from '../log/logger.ts';
import type { CaseStore } from '../stores/ports.ts';
import type { EscalationRequest, RefundDesk, RefundOutcome, RefundProgress, RefundRequest } from './refundDesk.ts';
import type { CustomerRefundLimit } from './refundLimit.ts';

const ALL_TIME = new Date(0);

/** The refund desk on the policy engine and the case service. */
export class PolicyRefundDesk implements RefundDesk {
  readonly #rules: PolicyRules;
  readonly #orders: OrderDirectory;
  readonly #cases: CaseService;
  readonly #store: CaseStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #refundLimit: CustomerRefundLimit | undefined;

  constructor(options: {
    rules: PolicyRules;
    orders: OrderDirectory;
    cases: CaseService;
    store: CaseStore;
    clock: Clock;
    logger: Logger;
    /** Refund requests per customer per day (REFUND_REQUESTS_PER_CUSTOMER_PER_DAY); none: no limit. */
    refundLimit?: CustomerRefundLimit;
  }) {
    const { rules, orders, cases, store, clock, logger } = options;
    if (!rules || !orders || !cases || !store || !clock || !logger) throw new Error('PolicyRefundDesk: missing dependency');
    this.#logger = logger;
    this.#refundLimit = options.refundLimit;
    this.#rules = rules;
    this.#orders = orders;
    this.#cases = cases;
    this.#store = store;
    this.#clock = clock;
  }

  proofRequired(order: Order, category: Category): boolean {
    return proofRequired(this.#rules, order, category, this.#clock.now());
  }

  windowDays(_order: Order, category: Category): number | undefined {
    return ruleDays(this.#rules, category);
  }

  async submit(request: RefundRequest): Promise<RefundOutcome> {
    const { order } = request;
    const now = this.#clock.now();
    // All of the customer's cases: the repeat-refunder rule looks at 90 days, but a second
    // claim on the same item must be caught whenever the first one was made. If the order API
    // fails here (OrdersUnavailableError) nothing is decided and no case is opened: the dialog
    // hands the customer to people.
    const [customerCases, customerOrders] = await Promise.all([
      this.#cases.byCustomer(order.customer.id, ALL_TIME),
      this.#orders.byCustomer(order.customer.id),
    ]);
    // This very claim, already opened by this conversation: the turn that opened it never
    // committed (its instance died, or the store failed before the turn was saved) and the
    // customer's message is being run again. Answer that case rather than open a second one,
    // which the already-claimed rule would deny while the first is being paid.
    const opened = customerCases.find((prior) => prior.conversationId === request.conversationId && prior.status !== 'cancelled' && isSameClaim(prior, request));
    const decision = decide(this.#rules, {
      order,
      claim: { category: request.category, skus: request.skus, hasProof: request.evidence.length > 0 },
      customerCases: customerCases.filter((prior) => prior !== opened).map(toPriorCase),
      customerOrders,
      now,
    });
    if (opened) {
      this.#logger.info({ caseId: opened.id, conversationId: request.conversationId, orderId: order.id }, 'refund claim already opened by this conversation; answering its case');
      const { outcome, amount, currency, clauses, guardrails } = opened.decision;
      return { decision: { ...decision, outcome, amount, currency, clauses, guardrails }, refundCase: opened };
    }
    // Only a new case counts. Over the customer's daily limit none is opened
    // (RefundLimitReachedError): the dialog keeps the claim for later.
    await this.#refundLimit?.take(order.customer.id, { conversationId: request.conversationId, orderId: order.id });
    const refundCase = await this.#cases.open({
      orderId: order.id,
      customerId: order.customer.id,
      conversationId: request.conversationId,
      channel: request.channel,
      locale: request.locale,
      category: request.category,
      items: request.skus,
      reasonText: request.reasonText,
      evidence: request.evidence,
      decision: {
        outcome: decision.outcome,
        amount: decision.amount,
        currency: decision.currency,
        clauses: decision.clauses,
        guardrails: decision.guardrails,
        policyVersion: decision.policyVersion,
      },
      status: decision.status,
      actor: { kind: 'assistant' },
    });
    this.#logger.info(
      { caseId: refundCase.id, conversationId: request.conversationId, orderId: order.id, category: request.category, outcome: decision.outcome, status: refundCase.status, clauses: decision.clauses, guardrails: decision.guardrails },
      'refund case opened',
    );
    return { decision, refundCase };
  }

  caseById(id: string): Promise<RefundCase | undefined> {
    return this.#cases.get(id.toUpperCase());
  }

  async progress(refundCase: RefundCase): Promise<RefundProgress> {
    const progress: RefundProgress = {};
    for (const event of await this.#store.audit(refundCase.id)) {
      const to = event.type === 'decided' ? event.data.status : event.type === 'status_changed' ? event.data.to : undefined;
      if (to === 'approved') {
        progress.approvedAt = event.at;
        delete progress.sentAt;
      }
      if (event.type === 'refund_sent') progress.sentAt = event.at;
      if (to === 'refunded') {
        const told = typeof event.data.refundedAt === 'string' ? new Date(event.data.refundedAt) : undefined;
        progress.refundedAt = told && !Number.isNaN(told.getTime()) ? told : event.at;
      }
    }
    return progress;
  }

  casesForOrder(orderId: string): Promise<RefundCase[]> {
    return this.#cases.byOrder(orderId);
  }

  casesForConversation(conversationId: string): Promise<RefundCase[]> {
    return this.#cases.byConversation(conversationId);
  }

  async escalate(request: EscalationRequest) {
    const result = await this.#cases.escalate({ ...request, actor: { kind: 'customer' } });
    this.#logger.info({ conversationId: request.conversationId, caseId: result.refundCase?.id, reason: request.reason }, 'escalated to a person');
    return result;
  }

  async recordCsat(caseId: string, rating: number): Promise<void> {
    await this.note(caseId, { kind: 'customer' }, { csat: rating });
  }

  maxRefund(order: Order, skus: string[]): number {
    const paid = itemPaidAmounts(order);
    const items = skus.reduce((sum, sku) => sum + (paid.get(sku) ?? 0), 0);
    // Shipping is paid back only with the whole order; never more than the order's total.
    const whole = order.items.every((item) => skus.includes(item.sku));
    return Math.min(order.paid, items + (whole ? order.shippingFee : 0));
  }

  async decideByAgent(caseId: string, agent: { id: string; name: string }, decision: { status: 'approved'; amount: number } | { status: 'denied'; reason: string }): Promise<RefundCase> {
    const current = await this.#cases.get(caseId);
    if (!current) throw new InputError('case_not_found', `no case ${caseId}`, 404);
    if (current.status !== 'pending_review' && current.status !== 'escalated') {
      throw new ConflictError('case_decided', `case ${caseId} is already ${current.status}`);
    }
    const actor = { kind: 'agent' as const, id: agent.id };
    if (decision.status === 'denied') {
      const changed = await this.#cases.transition(caseId, 'denied', actor, decision.reason);
      this.#logger.info({ caseId, conversationId: changed.conversationId, agent: agent.id, status: 'denied' }, 'case decided by an agent');
      return changed;
    }
    // The order API down throws (OrdersUnavailableError): no approval without checking the most refundable.
    const order = await this.#orders.get(current.orderId);
    const max = order ? this.maxRefund(order, current.items) : current.decision.amount;
    if (!Number.isSafeInteger(decision.amount) || decision.amount <= 0 || decision.amount > max) {
      throw new InputError('invalid_amount', `the amount must be more than 0 and at most ${max} minor units`);
    }
    const changed = await this.#cases.transition(caseId, 'approved', actor, undefined, {
      ...current.decision,
      outcome: decision.amount >= max ? 'full' : 'partial',
      amount: decision.amount,
    });
    this.#logger.info({ caseId, conversationId: changed.conversationId, agent: agent.id, status: 'approved', amount: decision.amount }, 'case decided by an agent');
    return changed;
  }

  async note(caseId: string, actor: { kind: 'agent' | 'customer' | 'assistant'; id?: string }, data: Record<string, unknown>): Promise<void> {
    await this.#store.appendAudit({ caseId, at: this.#clock.now(), actor, type: 'note', data });
  }
}

/** The same order, items and reason category. */
function isSameClaim(refundCase: RefundCase, request: RefundRequest): boolean {
  const items = [...request.skus].sort().join('\n');
  return refundCase.orderId === request.order.id && refundCase.category === request.category && [...refundCase.items].sort().join('\n') === items;
}

function toPriorCase(refundCase: RefundCase): PriorCase {
  return { id: refundCase.id, orderId: refundCase.orderId, items: refundCase.items, status: refundCase.status, createdAt: refundCase.createdAt };
}

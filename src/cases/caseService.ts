import { randomUUID } from 'node:crypto';
import type { AuditEvent, CaseDecision, CaseStatus, Escalation, RefundCase } from '../domain/case.ts';
import type { Clock } from '../domain/clock.ts';
import type { Locale } from '../domain/locale.ts';
import { CodedError, ConflictError, InputError } from '../errors.ts';
import type { CaseStore } from '../stores/ports.ts';
import { type AuditActor, createdEvent, decidedEvent, escalatedEvent, statusChangedEvent } from './auditEvents.ts';
import { newCaseId } from './caseId.ts';
import { caseNotFound } from './errors.ts';
import { INITIAL_CASE_STATUSES, assertTransition, canTransition } from './stateMachine.ts';

/** Ports of the case service. */
export interface CaseServiceOptions {
  store: CaseStore;
  clock: Clock;
  /** Case id generator; `RF-XXXXXX` crypto-random by default. */
  newId?: () => string;
  /**
   * Told after a case was opened or changed status (e.g. to wake the refund dispatcher at once
   * when one was approved). Must not throw; it is not awaited.
   */
  onChanged?: (refundCase: RefundCase) => void;
}

/** What is known when a case is opened: the claim, the policy decision and its status. */
export type OpenCaseInput = Omit<RefundCase, 'id' | 'createdAt' | 'updatedAt'> & { actor: AuditActor };

/** A request for a person, optionally about a case. */
export interface EscalateInput {
  conversationId: string;
  caseId?: string;
  orderId?: string;
  reason: Escalation['reason'];
  locale: Locale;
  /** The conversation's channel, kept on the escalation for figures by channel. */
  channel?: string | undefined;
  actor: AuditActor;
  /**
   * Record the request for people but leave the case's status as it is (the refund webhook
   * failing: the case stays approved, and its delivery goes on being retried).
   */
  keepStatus?: boolean;
}

/** The merchant's confirmation that a refund was paid. */
export interface RefundedInput {
  /** The merchant's own reference for the payment (a refund id), kept on the audit trail. */
  reference?: string;
  /** When the money went back, as the merchant says; the confirmation's time otherwise. */
  refundedAt?: Date;
}

// A collision needs two draws among ~887 million ids; a few retries make failure impossible in
// practice, while a broken generator (always the same id) still fails fast.
const MAX_ID_ATTEMPTS = 5;
// Another writer may move the case between our read and our write (escalating, confirming a
// refund); re-read and retry.
const MAX_RACE_ATTEMPTS = 3;

/** The refund case lifecycle: opening cases, moving them between statuses, escalations. */
export class CaseService {
  readonly #store: CaseStore;
  readonly #clock: Clock;
  readonly #newId: () => string;
  readonly #onChanged: (refundCase: RefundCase) => void;

  constructor(options: CaseServiceOptions) {
    if (!options?.store) throw missingDependency('store');
    if (!options.clock) throw missingDependency('clock');
    this.#store = options.store;
    this.#clock = options.clock;
    this.#newId = options.newId ?? newCaseId;
    this.#onChanged = options.onChanged ?? (() => undefined);
  }

  /** Opens a case with a fresh id and records `created` and `decided` audit events. */
  async open(input: OpenCaseInput): Promise<RefundCase> {
    if (!INITIAL_CASE_STATUSES.includes(input.status)) {
      throw new InputError('invalid_initial_status', `A case cannot be opened as ${input.status}`);
    }
    const at = this.#clock.now();
    for (let attempt = 1; ; attempt++) {
      const refundCase = newCase(this.#newId(), input, at);
      try {
        await this.#store.create(refundCase, createdEvent(refundCase, input.actor));
      } catch (error) {
        const collided = error instanceof ConflictError && error.code === 'case_exists';
        if (collided && attempt < MAX_ID_ATTEMPTS) continue;
        throw error;
      }
      await this.#store.appendAudit(decidedEvent(refundCase, input.actor));
      this.#onChanged(refundCase);
      return refundCase;
    }
  }

  /**
   * Moves a case to `to` if the lifecycle allows it from its current status: `InputError`
   * `invalid_transition` (409) if not, `ConflictError` `case_status_changed` if it changed
   * meanwhile, `case_not_found` (404) for an unknown id.
   */
  async transition(caseId: string, to: CaseStatus, actor: AuditActor, note?: string, decision?: CaseDecision): Promise<RefundCase> {
    const current = await this.#require(caseId);
    assertTransition(current.status, to);
    const at = this.#clock.now();
    const change = decision ? { from: current.status, to, note, amount: decision.amount, outcome: decision.outcome } : { from: current.status, to, note };
    const event = statusChangedEvent(caseId, change, actor, at);
    const changed = await this.#store.transition(caseId, current.status, to, event, at, decision);
    this.#onChanged(changed);
    return changed;
  }

  /**
   * Records that an approved case's refund was paid: approved → refunded, once. Idempotent: a
   * case already refunded is returned unchanged (`changed: false`), so a repeated confirmation
   * neither fails nor tells the customer twice. Any other status is `ConflictError`
   * `case_not_approved` (409); an unknown case `case_not_found` (404).
   */
  async markRefunded(caseId: string, actor: AuditActor, input: RefundedInput = {}): Promise<{ refundCase: RefundCase; changed: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.#require(caseId);
      if (current.status === 'refunded') return { refundCase: current, changed: false };
      if (current.status !== 'approved') {
        throw new ConflictError('case_not_approved', `Case ${caseId} is ${current.status}; only an approved case can be marked refunded`);
      }
      const at = this.#clock.now();
      const change = { from: current.status, to: 'refunded' as const, reference: input.reference, refundedAt: input.refundedAt?.toISOString() };
      try {
        const refunded = await this.#store.transition(caseId, 'approved', 'refunded', statusChangedEvent(caseId, change, actor, at), at);
        this.#onChanged(refunded);
        return { refundCase: refunded, changed: true };
      } catch (error) {
        // Another confirmation (the webhook's answer and the merchant's call) won the race: re-read.
        const raced = error instanceof ConflictError && error.code === 'case_status_changed';
        if (!raced || attempt >= MAX_RACE_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Records a request for a person. With a case, also moves the case to `escalated` when its
   * status allows, and always adds an `escalated` audit event (a dispute of a refunded case
   * is on its trail even though the status stays).
   */
  async escalate(input: EscalateInput): Promise<{ escalation: Escalation; refundCase: RefundCase | undefined }> {
    const refundCase = input.caseId === undefined ? undefined : await this.#require(input.caseId);
    const orderId = input.orderId ?? refundCase?.orderId;
    const escalation: Escalation = {
      id: randomUUID(),
      conversationId: input.conversationId,
      ...(refundCase ? { caseId: refundCase.id } : {}),
      ...(orderId === undefined ? {} : { orderId }),
      reason: input.reason,
      locale: input.locale,
      ...(input.channel ? { channel: input.channel } : {}),
      at: this.#clock.now(),
    };
    await this.#store.addEscalation(escalation);
    if (!refundCase) return { escalation, refundCase: undefined };
    if (input.keepStatus) {
      await this.#store.appendAudit(escalatedEvent(refundCase, escalation, input.actor, undefined));
      return { escalation, refundCase };
    }
    return { escalation, refundCase: await this.#escalateCase(refundCase, escalation, input.actor) };
  }

  get(caseId: string): Promise<RefundCase | undefined> {
    return this.#store.get(caseId);
  }

  byOrder(orderId: string): Promise<RefundCase[]> {
    return this.#store.byOrder(orderId);
  }

  /** The customer's cases created at or after `since`, newest first. */
  byCustomer(customerId: string, since: Date): Promise<RefundCase[]> {
    return this.#store.byCustomer(customerId, since);
  }

  byConversation(conversationId: string): Promise<RefundCase[]> {
    return this.#store.byConversation(conversationId);
  }

  audit(caseId: string): Promise<AuditEvent[]> {
    return this.#store.audit(caseId);
  }

  async #escalateCase(refundCase: RefundCase, escalation: Escalation, actor: AuditActor): Promise<RefundCase> {
    let current = refundCase;
    for (let attempt = 1; ; attempt++) {
      if (!canTransition(current.status, 'escalated')) {
        await this.#store.appendAudit(escalatedEvent(current, escalation, actor, undefined));
        return current;
      }
      const event = escalatedEvent(current, escalation, actor, 'escalated');
      try {
        const escalated = await this.#store.transition(current.id, current.status, 'escalated', event, escalation.at);
        this.#onChanged(escalated);
        return escalated;
      } catch (error) {
        const raced = error instanceof ConflictError && error.code === 'case_status_changed';
        if (!raced || attempt >= MAX_RACE_ATTEMPTS) throw error;
        current = await this.#require(current.id);
      }
    }
  }

  async #require(caseId: string): Promise<RefundCase> {
    const refundCase = await this.#store.get(caseId);
    if (!refundCase) throw caseNotFound(caseId);
    return refundCase;
  }
}

// Copies the caller's arrays so later changes to the input cannot alter the recorded case.
function newCase(id: string, input: OpenCaseInput, at: Date): RefundCase {
  return {
    id,
    orderId: input.orderId,
    customerId: input.customerId,
    conversationId: input.conversationId,
    channel: input.channel,
    locale: input.locale,
    category: input.category,
    items: [...input.items],
    reasonText: input.reasonText,
    evidence: input.evidence.map((ref) => ({ ...ref })),
    decision: { ...input.decision, clauses: [...input.decision.clauses], guardrails: [...input.decision.guardrails] },
    status: input.status,
    createdAt: at,
    updatedAt: at,
  };
}

function missingDependency(name: string): CodedError {
  return new CodedError('bug', 'missing_dependency', `CaseService needs options.${name}`, 500);
}

import type { CaseService } from '../../cases/caseService.ts';
import type { AuditEvent, Escalation, RefundCase } from '../../domain/case.ts';
import type { Clock } from '../../domain/clock.ts';
import type { OrderDirectory } from '../../domain/order.ts';
import type { Logger } from '../../log/logger.ts';
import type { CaseStore, RefundOutbox, RefundOutboxEntry } from '../../stores/ports.ts';
import { retryDelayMs } from './backoff.ts';
import type { DeliveryResult, RefundWebhookSender } from './client.ts';
import { refundPayload, type RefundWebhookPayload } from './payload.ts';

/** How the dispatcher paces itself; every field has a production default. */
export interface RefundDispatcherTiming {
  /** How often the outbox is read when nothing wakes the dispatcher (retries fall due this way). 5 s. */
  pollMs: number;
  /** How long an instance holds the entries it leased; past it, another instance may send them. 60 s. */
  leaseMs: number;
  /** Ceiling of the first retry's delay, doubling with each failure. 10 s. */
  backoffBaseMs: number;
  /** Largest retry delay. 30 min. */
  backoffCapMs: number;
  /** After this many failed attempts people are asked to look; retries go on. 12 (about 2 h 20 min). */
  escalateAfter: number;
  /** Entries leased (and sent concurrently) at a time. 10. */
  batch: number;
}

export const DEFAULT_DISPATCHER_TIMING: RefundDispatcherTiming = {
  pollMs: 5_000,
  leaseMs: 60_000,
  backoffBaseMs: 10_000,
  backoffCapMs: 30 * 60_000,
  escalateAfter: 12,
  batch: 10,
};

/** Ports and settings of the dispatcher. */
export interface RefundDispatcherOptions {
  outbox: RefundOutbox;
  /** Cases: read, audited (attempts are appended to the trail). */
  caseStore: CaseStore;
  /** The case lifecycle: marking refunded, escalating. */
  cases: CaseService;
  /** For the payment method and item names of the payload. */
  orders: OrderDirectory;
  webhook: RefundWebhookSender;
  clock: Clock;
  logger: Logger;
  /** Tells the customer, on their own channel, that their case changed (here: refunded). */
  notifyCustomer: (refundCase: RefundCase) => Promise<unknown>;
  /** Puts the case's conversation in front of people, once the escalation is recorded. */
  tellPeople: (refundCase: RefundCase, escalation: Escalation) => Promise<unknown>;
  timing?: Partial<RefundDispatcherTiming>;
  /** Draws the retry jitter; `Math.random` by default. */
  random?: () => number;
}

const ACTOR = { kind: 'system', id: 'refund-webhook' } as const;

/**
 * Sends approved refunds to the merchant's webhook, from the transactional outbox: leases the
 * due entries, reads each case again (one no longer approved is dropped, on its audit trail),
 * POSTs it, and records every attempt on the case's audit trail. An accepted delivery (2xx) ends
 * the entry; one answered `{"status":"refunded"}` also moves the case to refunded and tells the
 * customer. A failed one is retried with exponential backoff and jitter, for ever; after
 * `escalateAfter` failures people are asked to look (escalation `refund_delivery_failed`).
 *
 * Delivery is at least once: an instance that dies after the merchant received a request but
 * before recording it sends it again once its lease lapses, with the same `Idempotency-Key`.
 *
 * Runs while started: every `pollMs`, and at once when `nudge`d (an approval was just written).
 */
export class RefundDispatcher {
  readonly #outbox: RefundOutbox;
  readonly #caseStore: CaseStore;
  readonly #cases: CaseService;
  readonly #orders: OrderDirectory;
  readonly #webhook: RefundWebhookSender;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #notifyCustomer: (refundCase: RefundCase) => Promise<unknown>;
  readonly #tellPeople: (refundCase: RefundCase, escalation: Escalation) => Promise<unknown>;
  readonly #timing: RefundDispatcherTiming;
  readonly #random: () => number;
  #running = false;
  #pass: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stopping = new AbortController();

  constructor(options: RefundDispatcherOptions) {
    const { outbox, caseStore, cases, orders, webhook, clock, logger, notifyCustomer, tellPeople } = options;
    if (!outbox || !caseStore || !cases || !orders || !webhook || !clock || !logger || !notifyCustomer || !tellPeople) {
      throw new Error('RefundDispatcher: missing dependency');
    }
    this.#outbox = outbox;
    this.#caseStore = caseStore;
    this.#cases = cases;
    this.#orders = orders;
    this.#webhook = webhook;
    this.#clock = clock;
    this.#logger = logger;
    this.#notifyCustomer = notifyCustomer;
    this.#tellPeople = tellPeople;
    this.#timing = { ...DEFAULT_DISPATCHER_TIMING, ...options.timing };
    for (const [name, value] of Object.entries(this.#timing)) {
      if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`RefundDispatcher: timing.${name} must be a positive whole number, got ${value}`);
    }
    this.#random = options.random ?? Math.random;
  }

  /** Starts dispatching: a first pass at once, then every `pollMs`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = new AbortController();
    this.nudge();
  }

  /** Runs a pass now (or right after the one in progress): an approval was just written. */
  nudge(): void {
    if (!this.#running) return;
    if (this.#pass) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#pass = this.#run().finally(() => {
      this.#pass = undefined;
      if (!this.#running) return;
      if (this.#again) {
        this.#again = false;
        this.nudge();
      } else {
        this.#timer = setTimeout(() => this.nudge(), this.#timing.pollMs);
        this.#timer.unref();
      }
    });
  }

  /**
   * Stops: no new pass starts, requests in flight are aborted (their entries are due again at
   * once, for this instance after a restart or for another one) and the pass in progress ends.
   */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#stopping.abort();
    await this.#pass;
  }

  // Leases and sends batches until the outbox has nothing due (or the dispatcher stops).
  async #run(): Promise<void> {
    while (this.#running) {
      let leased: RefundOutboxEntry[];
      try {
        leased = await this.#outbox.lease(this.#clock.now(), this.#timing.leaseMs, this.#timing.batch);
      } catch (error) {
        this.#logger.warn({ err: error }, 'could not read the refund outbox; will try again');
        return;
      }
      await Promise.all(leased.map((entry) => this.#deliverSafely(entry)));
      if (leased.length < this.#timing.batch) return;
    }
  }

  async #deliverSafely(entry: RefundOutboxEntry): Promise<void> {
    try {
      await this.#deliver(entry);
    } catch (error) {
      // The store failed mid-way: the lease lapses and the entry comes back; nothing is lost.
      this.#logger.error({ err: error, caseId: entry.caseId, attempt: entry.attempt }, 'refund delivery could not be recorded; it will be retried');
    }
  }

  async #deliver(entry: RefundOutboxEntry): Promise<void> {
    const { caseId, attempt } = entry;
    const refundCase = await this.#caseStore.get(caseId);
    if (refundCase?.status !== 'approved') {
      // Refunded, cancelled or disputed meanwhile: nothing to send any more.
      if (refundCase) await this.#audit(caseId, 'refund_dropped', { attempt, status: refundCase.status });
      await this.#outbox.done(caseId, entry.lease);
      this.#logger.info({ caseId, status: refundCase?.status }, 'refund not sent: the case is no longer approved');
      return;
    }
    const audit = await this.#caseStore.audit(caseId);
    const result = await this.#send(refundCase, audit);

    if (result.ok) {
      await this.#audit(caseId, 'refund_sent', {
        attempt,
        status: result.status,
        ...(result.refunded ? { merchantStatus: 'refunded' } : {}),
        ...(result.reference ? { reference: result.reference } : {}),
      });
      // Marked refunded before the entry leaves the outbox: if this instance dies (or the store
      // fails) in between, the entry comes back and is dropped, the case no longer approved;
      // the other way round the case would stay approved for ever, the merchant having paid.
      const refunded = result.refunded ? await this.#cases.markRefunded(refundCase.id, ACTOR, result.reference ? { reference: result.reference } : {}) : undefined;
      await this.#outbox.done(caseId, entry.lease);
      this.#logger.info({ caseId, attempt, status: result.status, refunded: result.refunded }, 'refund sent to the merchant');
      if (refunded?.changed) await this.#tellRefunded(refunded.refundCase);
      return;
    }
    await this.#failed(entry, refundCase, audit, result);
  }

  // The order is read at each attempt (payment method, item names): an order service that is down
  // fails the attempt like the webhook would, and it is retried.
  async #send(refundCase: RefundCase, audit: AuditEvent[]): Promise<DeliveryResult> {
    let payload: RefundWebhookPayload;
    try {
      payload = refundPayload(refundCase, audit, await this.#orders.get(refundCase.orderId));
    } catch (error) {
      this.#logger.warn({ err: error, caseId: refundCase.id }, 'could not read the order of a refund to send');
      return { ok: false, error: 'order_unavailable' };
    }
    return this.#webhook.send(payload, refundCase.id, this.#stopping.signal);
  }

  async #failed(entry: RefundOutboxEntry, refundCase: RefundCase, audit: AuditEvent[], result: Extract<DeliveryResult, { ok: false }>): Promise<void> {
    const { caseId, attempt } = entry;
    // Stopped by shutdown: not the merchant's failure, so no backoff; due again at once.
    const stopped = result.error === 'stopped';
    const delayMs = stopped ? 0 : retryDelayMs(attempt, { baseMs: this.#timing.backoffBaseMs, capMs: this.#timing.backoffCapMs }, this.#random);
    const nextAttemptAt = new Date(this.#clock.now().getTime() + delayMs);
    await this.#audit(caseId, 'refund_attempt_failed', {
      attempt,
      ...(result.status === undefined ? {} : { status: result.status }),
      error: result.error,
      nextAttemptAt: nextAttemptAt.toISOString(),
    });
    await this.#outbox.retry(caseId, entry.lease, nextAttemptAt);
    this.#logger.warn({ caseId, attempt, status: result.status, error: result.error, nextAttemptAt: nextAttemptAt.toISOString() }, 'refund delivery failed; will retry');
    const escalatedBefore = audit.some(
      (event) => event.type === 'escalated' && event.data.reason === 'refund_delivery_failed' && event.at >= entry.queuedAt,
    );
    if (attempt >= this.#timing.escalateAfter && !escalatedBefore && !stopped) await this.#escalate(refundCase, attempt);
  }

  async #escalate(refundCase: RefundCase, attempt: number): Promise<void> {
    const { escalation } = await this.#cases.escalate({
      conversationId: refundCase.conversationId,
      caseId: refundCase.id,
      reason: 'refund_delivery_failed',
      locale: refundCase.locale,
      channel: refundCase.channel,
      actor: ACTOR,
      keepStatus: true,
    });
    this.#logger.error({ caseId: refundCase.id, attempt }, 'refund delivery keeps failing; escalated to people');
    try {
      await this.#tellPeople(refundCase, escalation);
    } catch (error) {
      this.#logger.warn({ err: error, caseId: refundCase.id }, 'could not hand the failing refund to the desk');
    }
  }

  async #tellRefunded(refunded: RefundCase): Promise<void> {
    try {
      await this.#notifyCustomer(refunded);
    } catch (error) {
      this.#logger.warn({ err: error, caseId: refunded.id }, 'could not tell the customer their refund was paid');
    }
  }

  #audit(caseId: string, type: AuditEvent['type'], data: Record<string, unknown>): Promise<void> {
    return this.#caseStore.appendAudit({ caseId, at: this.#clock.now(), actor: ACTOR, type, data });
  }
}

import { hitClockWindow } from '../abuse/clockWindow.ts';
import type { Clock } from '../domain/clock.ts';
import { InputError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { RateLimitStore } from '../stores/ports.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The customer asked for more refunds today than the limit allows: no case was opened. Caught
 * by the refund dialog, which tells the customer when they can try again and keeps the claim.
 */
export class RefundLimitReachedError extends InputError {
  /** When the next window opens (the start of the next UTC day). */
  readonly retryAt: Date;
  constructor(retryAt: Date) {
    super('refund_limit_reached', `too many refund requests for this customer today; try again after ${retryAt.toISOString()}`, 429);
    this.retryAt = retryAt;
  }
}

/**
 * At most `perDay` refund cases opened per shop customer (the order's customer id) per UTC day,
 * counted in the shared RateLimitStore so every instance and channel agrees. A refused request
 * counts too, and the window follows the injected clock.
 */
export class CustomerRefundLimit {
  readonly #store: RateLimitStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #perDay: number;

  constructor(options: { store: RateLimitStore; clock: Clock; logger: Logger; perDay: number }) {
    const { store, clock, logger, perDay } = options;
    if (!store || !clock || !logger) throw new Error('CustomerRefundLimit: missing dependency');
    if (!Number.isSafeInteger(perDay) || perDay <= 0) throw new Error(`CustomerRefundLimit: perDay must be a positive whole number, got ${perDay}`);
    this.#store = store;
    this.#clock = clock;
    this.#logger = logger;
    this.#perDay = perDay;
  }

  /** Counts one refund request of the customer; throws RefundLimitReachedError over the limit. */
  async take(customerId: string, about: { conversationId: string; orderId: string }): Promise<void> {
    const hit = await hitClockWindow(this.#store, this.#clock, `refund-requests:${customerId}`, DAY_MS);
    if (hit.count <= this.#perDay) return;
    this.#logger.warn(
      { limit: 'refund_requests_per_customer_per_day', conversationId: about.conversationId, orderId: about.orderId, customerId, max: this.#perDay, retryAt: hit.resetAt.toISOString() },
      'refund request refused: the customer reached the daily limit',
    );
    throw new RefundLimitReachedError(hit.resetAt);
  }
}

import type { Logger } from '../../log/logger.ts';
import type { SlackFailure } from './slackErrors.ts';

/** How failed deliveries are retried: exponential backoff with jitter, a bounded number of times. */
export interface RetryPolicy {
  /** Wait after the first failure; doubles with each further failure. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Tries per item, the first included; then the item is dropped (and logged). */
  maxAttempts: number;
}

/** 1 s, 2 s, 4 s … capped at a minute, 8 tries: about 3 minutes of Slack outage ridden out. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 1000, maxDelayMs: 60_000, maxAttempts: 8 };

/** One delivery to Slack; `run` throws what the Web API client throws. */
export interface OutboxTask {
  /** For logs: what this is (`card`, `customer message`). */
  label: string;
  run(): Promise<void>;
}

interface Item {
  task: OutboxTask;
  attempts: number;
}

/** One conversation's pending deliveries: the latest card (a newer one replaces it) and its thread messages in order. */
interface Box {
  card?: Item;
  messages: Item[];
}

/**
 * Delivers to Slack off the caller's path, one conversation at a time and in order, retrying
 * transient failures (rate limits, 5xx, network) with backoff — in memory: a restart loses what
 * is queued, while the stores keep the case, so the next publish repaints the card.
 *
 * Per conversation, the card goes first (the thread hangs off it) and only its latest state
 * matters: a card queued behind a failure is replaced by a newer one rather than sent twice.
 * Thread messages are never merged or reordered. Conversations do not wait for each other.
 */
export class DeskOutbox {
  readonly #policy: RetryPolicy;
  readonly #logger: Logger;
  readonly #classify: (error: unknown) => SlackFailure;
  readonly #maxQueued: number;
  readonly #random: () => number;
  readonly #boxes = new Map<string, Box>();
  /** Conversations whose drain loop is running. */
  readonly #running = new Set<string>();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  constructor(options: {
    logger: Logger;
    classify: (error: unknown) => SlackFailure;
    retry?: Partial<RetryPolicy>;
    /** Thread messages kept per conversation while Slack is down; the oldest is dropped beyond. 200 by default. */
    maxQueued?: number;
    /** Jitter source, for tests. */
    random?: () => number;
  }) {
    if (!options?.logger) throw new TypeError('DeskOutbox: options.logger is required');
    if (!options.classify) throw new TypeError('DeskOutbox: options.classify is required');
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    if (this.#policy.maxAttempts < 1 || this.#policy.initialDelayMs < 0 || this.#policy.maxDelayMs < this.#policy.initialDelayMs) {
      throw new RangeError('DeskOutbox: invalid retry policy');
    }
    this.#logger = options.logger;
    this.#classify = options.classify;
    this.#maxQueued = options.maxQueued ?? 200;
    this.#random = options.random ?? Math.random;
  }

  /** Queues the conversation's card, replacing a card still waiting to be sent. */
  replaceCard(conversationId: string, task: OutboxTask): void {
    const box = this.#box(conversationId);
    if (!box) return;
    box.card = { task, attempts: 0 };
    this.#start(conversationId);
  }

  /** Queues a message for the conversation's thread, after everything queued before it. */
  appendMessage(conversationId: string, task: OutboxTask): void {
    const box = this.#box(conversationId);
    if (!box) return;
    box.messages.push({ task, attempts: 0 });
    if (box.messages.length > this.#maxQueued) {
      const dropped = box.messages.shift();
      this.#logger.error({ conversationId, task: dropped?.task.label }, 'slack desk: too many messages queued; dropped the oldest');
    }
    this.#start(conversationId);
  }

  /** Resolves once nothing is queued or being retried (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops retrying; what is still queued is dropped and logged. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#timers) {
      clearTimeout(entry.timer);
      entry.wake();
    }
    this.#timers.clear();
  }

  #box(conversationId: string): Box | undefined {
    if (this.#closed) {
      this.#logger.warn({ conversationId }, 'slack desk: closed; delivery dropped');
      return undefined;
    }
    let box = this.#boxes.get(conversationId);
    if (!box) {
      box = { messages: [] };
      this.#boxes.set(conversationId, box);
    }
    return box;
  }

  #start(conversationId: string): void {
    if (this.#running.has(conversationId)) return;
    this.#running.add(conversationId);
    void this.#drain(conversationId).finally(() => {
      this.#running.delete(conversationId);
      if (this.#running.size === 0) {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    });
  }

  async #drain(conversationId: string): Promise<void> {
    const box = this.#boxes.get(conversationId);
    if (!box) return;
    while (!this.#closed) {
      const fromCard = box.card !== undefined;
      const item = fromCard ? box.card : box.messages[0];
      if (!item) break;
      if (fromCard) box.card = undefined;
      else box.messages.shift();
      item.attempts += 1;
      try {
        await item.task.run();
        continue;
      } catch (error) {
        const failure = this.#safeClassify(error);
        const log = { conversationId, task: item.task.label, attempt: item.attempts, code: failure.code };
        if (!failure.retryable || item.attempts >= this.#policy.maxAttempts) {
          this.#logger.error({ ...log, err: error }, 'slack desk: delivery failed; giving up');
          continue;
        }
        // Put it back where it was, unless a newer card arrived meanwhile (that one wins).
        if (fromCard) box.card ??= item;
        else box.messages.unshift(item);
        const delayMs = this.#delay(item.attempts, failure.retryable ? failure.retryAfterMs : undefined);
        this.#logger.warn({ ...log, delayMs }, 'slack desk: delivery failed; will retry');
        await this.#sleep(delayMs);
      }
    }
    if (this.#closed) {
      const lost = (box.card ? 1 : 0) + box.messages.length;
      if (lost > 0) this.#logger.error({ conversationId, lost }, 'slack desk: closed with deliveries still queued');
    }
    this.#boxes.delete(conversationId);
  }

  #safeClassify(error: unknown): SlackFailure {
    try {
      return this.#classify(error);
    } catch {
      return { retryable: false, code: 'unclassified' };
    }
  }

  /** Exponential backoff with jitter (half to full), never sooner than Slack's Retry-After. */
  #delay(attempt: number, retryAfterMs: number | undefined): number {
    const exponential = Math.min(this.#policy.maxDelayMs, this.#policy.initialDelayMs * 2 ** (attempt - 1));
    const jittered = Math.round(exponential * (0.5 + this.#random() / 2));
    return Math.max(jittered, retryAfterMs ?? 0);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#timers.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.#timers.add(entry);
    });
  }
}

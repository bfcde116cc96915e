import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BotActivity, Customer } from '../support/client.ts';

/** What the soak's clients saw, summed over all of them. */
export interface ClientStats {
  requests: number;
  /** Attempts answered 5xx (the client retried them). */
  serverErrors: number;
  /** Attempts that got no answer: refused, reset, timed out (the client retried them). */
  connectionErrors: number;
  /** Attempts answered 429 (the client waited Retry-After and retried). */
  rateLimited: number;
  /** Requests that still failed when the client gave up. */
  gaveUp: number;
}

export const emptyClientStats = (): ClientStats => ({ requests: 0, serverErrors: 0, connectionErrors: 0, rateLimited: 0, gaveUp: 0 });

/** Round-robin over the instances, shared by every client: consecutive messages of one conversation land on different instances. */
export class RoundRobin {
  readonly urls: readonly string[];
  #next = 0;

  constructor(urls: readonly string[]) {
    this.urls = urls;
  }

  next(): string {
    const url = this.urls[this.#next % this.urls.length] as string;
    this.#next += 1;
    return url;
  }
}

/**
 * A customer as a resilient widget behaves behind a load balancer: every request goes to the
 * next instance, and one that gets no answer, a 5xx or a 429 is tried again (on another
 * instance, after a short backoff or the server's Retry-After) for up to `retryForMs`. Each
 * message carries an `Idempotency-Key` that its retries repeat, so a message whose answer was
 * lost (the instance died after the turn committed) is not run twice.
 */
export class RetryingCustomer extends Customer {
  readonly #balancer: RoundRobin;
  readonly #stats: ClientStats;
  readonly #retryForMs: number;
  readonly #attemptTimeoutMs: number;
  readonly #thinkMs: () => number;
  /** Keys of the messages sent, in order (for tests that check replays). */
  readonly keys: string[] = [];

  constructor(options: { balancer: RoundRobin; stats: ClientStats; retryForMs: number; attemptTimeoutMs?: number; /** The pause before each message (a person typing). */ thinkMs?: () => number }) {
    super(options.balancer.urls[0] as string);
    this.#balancer = options.balancer;
    this.#stats = options.stats;
    this.#retryForMs = options.retryForMs;
    this.#attemptTimeoutMs = options.attemptTimeoutMs ?? 45_000;
    this.#thinkMs = options.thinkMs ?? (() => 0);
  }

  override async start(locale?: string): Promise<BotActivity[]> {
    // Creating is not idempotent: a create whose answer was lost leaves an empty conversation behind, as it would for a widget.
    const response = await this.#send('/v1/conversations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(locale ? { locale } : {}) });
    if (response.status !== 201) throw new Error(`POST /v1/conversations answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { conversationId: string; token: string };
    this.conversationId = body.conversationId;
    this.token = body.token;
    return (await this.history()).activities;
  }

  override async history(watermark = 0): Promise<{ activities: BotActivity[]; watermark: number }> {
    const response = await this.#send(`/v1/conversations/${this.conversationId}/activities?watermark=${watermark}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (response.status !== 200) throw new Error(`GET activities answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { activities: BotActivity[]; watermark: number };
  }

  /** Posts one message (retried under one Idempotency-Key); `Customer.say` goes through here. */
  override async post(body: unknown, token = this.token): Promise<Response> {
    const key = randomUUID();
    this.keys.push(key);
    await sleep(this.#thinkMs());
    return this.#send(`/v1/conversations/${this.conversationId}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async #send(path: string, init: RequestInit): Promise<Response> {
    const deadline = performance.now() + this.#retryForMs;
    for (let attempt = 1; ; attempt++) {
      this.#stats.requests += 1;
      let wait = Math.min(2_000, 100 * 2 ** (attempt - 1));
      try {
        const response = await fetch(`${this.#balancer.next()}${path}`, { ...init, signal: AbortSignal.timeout(this.#attemptTimeoutMs) });
        if (response.status < 500 && response.status !== 429) return response;
        if (response.status === 429) {
          this.#stats.rateLimited += 1;
          wait = Math.max(wait, Number(response.headers.get('retry-after') ?? '1') * 1000);
        } else {
          this.#stats.serverErrors += 1;
        }
        if (performance.now() + wait > deadline) {
          this.#stats.gaveUp += 1;
          return response;
        }
        await response.arrayBuffer();
      } catch (error) {
        this.#stats.connectionErrors += 1;
        if (performance.now() + wait > deadline) {
          this.#stats.gaveUp += 1;
          throw error;
        }
      }
      await sleep(wait);
    }
  }
}

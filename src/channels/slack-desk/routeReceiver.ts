import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../log/logger.ts';

/** What the HTTP route answers Slack: the listener's `ack` payload, if any, as JSON. */
export interface ReceiverAnswer {
  status: number;
  body?: unknown;
}

/** Slack waits 3 seconds for the HTTP answer; we answer a little before if no listener has acked. */
const ACK_DEADLINE_MS = 2500;

/**
 * A Bolt receiver whose transport is our own Fastify route (one server, one port, our error and
 * logging conventions): the route verifies and parses the request, `dispatch` hands the body to
 * `App.processEvent` and resolves with the answer as soon as a listener calls `ack()`. The
 * listener's remaining work (calling `act`, answering the agent) goes on after the answer, as
 * with Bolt's own receivers (processBeforeResponse: false).
 * https://docs.slack.dev/tools/bolt-js/concepts/receiver
 */
export class RouteReceiver implements Receiver {
  readonly #logger: Logger;
  readonly #ackDeadlineMs: number;
  readonly #inFlight = new Set<Promise<void>>();
  #app: App | undefined;

  constructor(options: { logger: Logger; ackDeadlineMs?: number }) {
    this.#logger = options.logger;
    this.#ackDeadlineMs = options.ackDeadlineMs ?? ACK_DEADLINE_MS;
  }

  /** Called by Bolt's App constructor. */
  init(app: App): void {
    this.#app = app;
  }

  /** The HTTP server belongs to Fastify; nothing to start. */
  async start(): Promise<void> {}

  /** Waits for listeners still working on earlier requests. */
  async stop(): Promise<void> {
    await this.idle();
  }

  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  dispatch(body: Record<string, unknown>, retry: { num?: number; reason?: string }): Promise<ReceiverAnswer> {
    const app = this.#app;
    if (!app) return Promise.reject(new Error('RouteReceiver: not attached to a Bolt App'));
    return new Promise<ReceiverAnswer>((resolve) => {
      let answered = false;
      const answer = (value: ReceiverAnswer) => {
        if (answered) return;
        answered = true;
        clearTimeout(deadline);
        resolve(value);
      };
      // Past the deadline Slack would show the agent an error (or retry an event): answer 200.
      // The listener still runs; a modal answered this way closes without showing late errors.
      const deadline = setTimeout(() => {
        this.#logger.warn({ type: body.type }, 'slack desk: no ack within the deadline; answered 200');
        answer({ status: 200 });
      }, this.#ackDeadlineMs);
      const event: ReceiverEvent = {
        body,
        // Bolt's AckFn takes the response payload (view errors, …) or nothing.
        ack: async (response?: unknown) => answer({ status: 200, ...(response === undefined || response === '' ? {} : { body: response }) }),
        ...(retry.num !== undefined ? { retryNum: retry.num } : {}),
        ...(retry.reason !== undefined ? { retryReason: retry.reason } : {}),
      };
      const work = app.processEvent(event).then(
        // Nothing acked (no listener for it): a plain 200, so Slack neither retries nor shows an error.
        () => answer({ status: 200 }),
        (error: unknown) => {
          this.#logger.error({ err: error, type: body.type }, 'slack desk: processing failed');
          answer({ status: 500 });
        },
      );
      this.#inFlight.add(work);
      void work.finally(() => this.#inFlight.delete(work));
    });
  }
}

import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../../log/logger.ts';
import type { IdempotencyStore } from '../../stores/ports.ts';
import { ButtonClick, EventEnvelope } from './payloads.ts';

/** How long a delivery is remembered; Slack retries events for about 5 minutes. https://docs.slack.dev/apis/events-api/#retries */
const DELIVERY_TTL_MS = 60 * 60 * 1000;

/**
 * Bolt global middleware: each delivery is handled once, across instances (the idempotency
 * store is shared with Redis). Slack retries an event (same `event_id`, with `X-Slack-Retry-Num`)
 * when it got no 200 within 3 seconds, even if the first delivery is still being handled; a
 * click's payload carries its own `action_ts`. A repeat is acknowledged and dropped, whatever
 * the transport (HTTP or Socket Mode).
 */
export function dedupeDeliveries(options: { idempotency: IdempotencyStore; logger: Logger }): Middleware<AnyMiddlewareArgs> {
  const { idempotency, logger } = options;
  return async (args) => {
    const key = deliveryKey(args.body);
    if (key && !(await idempotency.claim(key, DELIVERY_TTL_MS))) {
      logger.info({ key, retryNum: args.context.retryNum }, 'slack desk: repeated delivery ignored');
      if ('ack' in args && typeof args.ack === 'function') await args.ack();
      return;
    }
    await args.next();
  };
}

/** The idempotency key of a delivery, or undefined for kinds that are not repeated (modals, url checks). */
export function deliveryKey(body: unknown): string | undefined {
  const event = EventEnvelope.safeParse(body);
  if (event.success) return `slack:event:${event.data.event_id}`;
  const click = ButtonClick.safeParse(body);
  if (click.success) {
    const action = click.data.actions[0];
    if (action) return `slack:action:${click.data.user.id}:${action.action_id}:${action.action_ts}`;
  }
  return undefined;
}

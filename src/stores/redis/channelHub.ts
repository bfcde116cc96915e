import type { StoreLogger } from './connection.ts';
import type { RedisLink } from './link.ts';

/**
 * What is published on a conversation's channel: the kind, then, when a turn ended and others
 * wait, a space and the token of the turn now first in line (so only that waiter polls).
 */
export const CHANNEL_MESSAGES = {
  /** The transcript grew (by a turn commit, or `ConversationEvents.publish`). */
  transcript: 'transcript',
  /** A turn ended without adding to the transcript: the next one may start. */
  released: 'released',
} as const;

/** Splits a channel message into its kind and the token of the turn next in line, if any. */
export function parseChannelMessage(message: string): { kind: string; next: string | undefined } {
  const space = message.indexOf(' ');
  return space < 0 ? { kind: message, next: undefined } : { kind: message.slice(0, space), next: message.slice(space + 1) };
}

/** A local interest in a channel. */
export interface ChannelSubscription {
  /** Settles once Redis confirmed the subscription (it waits while Redis is down). */
  ready: Promise<void>;
  stop(): void;
}

type Handler = (message: string) => void;

/**
 * Local handlers of pub/sub channels, all on the process's one subscriber connection: a channel
 * is subscribed in Redis while at least one local handler wants it and unsubscribed when the last
 * one stops, so a process only receives the conversations it is waiting on or listening to.
 */
export class ChannelHub {
  readonly #link: RedisLink;
  readonly #logger: StoreLogger | undefined;
  readonly #channels = new Map<string, { handlers: Set<Handler>; ready: Promise<void> }>();

  constructor(options: { link: RedisLink; logger?: StoreLogger }) {
    this.#link = options.link;
    this.#logger = options.logger;
  }

  listen(channel: string, handler: Handler): ChannelSubscription {
    let entry = this.#channels.get(channel);
    if (!entry) {
      const ready = this.#link.subscribe(channel, this.#dispatch);
      // Callers that care await `ready`; nobody else must see an unhandled rejection.
      ready.catch(() => undefined);
      entry = { handlers: new Set(), ready };
      this.#channels.set(channel, entry);
    }
    const current = entry;
    // A wrapper of its own, so one function registered twice is two independent listeners.
    const own: Handler = (message) => handler(message);
    current.handlers.add(own);
    let stopped = false;
    return {
      ready: current.ready,
      stop: () => {
        if (stopped) return;
        stopped = true;
        current.handlers.delete(own);
        if (current.handlers.size > 0 || this.#channels.get(channel) !== current) return;
        this.#channels.delete(channel);
        this.#link.unsubscribe(channel, this.#dispatch).catch((error: unknown) => {
          // Redis unsubscribes a closed connection's channels anyway.
          this.#logger?.warn({ err: error, channel }, 'could not unsubscribe from a Redis channel');
        });
      },
    };
  }

  readonly #dispatch = (message: string, channel: string): void => {
    const entry = this.#channels.get(channel);
    if (!entry) return;
    for (const handler of [...entry.handlers]) {
      try {
        handler(message);
      } catch (error) {
        // A listener's bug must not stop the others or break node-redis's message loop.
        if (this.#logger) this.#logger.warn({ err: error, channel }, 'a Redis channel listener threw');
        else process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'ChannelListenerError');
      }
    }
  };
}

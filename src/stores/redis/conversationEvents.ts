import type { ConversationEvents } from '../ports.ts';
import { CHANNEL_MESSAGES, parseChannelMessage, type ChannelHub } from './channelHub.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisLink } from './link.ts';

/**
 * "A conversation's transcript grew" over Redis pub/sub, so a listener on any instance hears a
 * commit made on any other. Notices are not stored: a listener that was not subscribed (or whose
 * connection was down) at the time misses it and should re-read the transcript after its
 * watermark when it (re)subscribes.
 */
export class RedisConversationEvents implements ConversationEvents {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #hub: ChannelHub;

  constructor(options: { link: RedisLink; keys: RedisKeys; hub: ChannelHub }) {
    this.#link = options.link;
    this.#keys = options.keys;
    this.#hub = options.hub;
  }

  subscribe(conversationId: string, listener: () => void): () => void {
    const subscription = this.#hub.listen(this.#keys.channel(conversationId), (message) => {
      if (parseChannelMessage(message).kind === CHANNEL_MESSAGES.transcript) listener();
    });
    // A commit published before the subscription became active was not heard: look once more
    // when it is (a notice only means "read again", so an extra one is harmless).
    subscription.ready.then(listener, () => undefined);
    return () => subscription.stop();
  }

  async publish(conversationId: string): Promise<void> {
    await this.#link.command(['PUBLISH', this.#keys.channel(conversationId), CHANNEL_MESSAGES.transcript]);
  }
}

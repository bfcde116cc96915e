import type { ConversationReference } from 'botbuilder';
import { z } from 'zod';
import type { SharedValueStore } from '../../stores/ports.ts';

const Account = z.looseObject({ id: z.string(), name: z.string().optional() });

/** A stored reference must still be one: anything else (an old format, a bad write) is ignored. */
const StoredReference = z.looseObject({
  channelId: z.string().min(1),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  conversation: z.looseObject({ id: z.string().min(1) }),
  bot: Account,
  user: Account.optional(),
  activityId: z.string().optional(),
  locale: z.string().optional(),
});

/**
 * Where each Bot Framework conversation is reached: the conversation reference of the latest
 * activity from it (service URL, conversation, bot and user accounts), kept in the shared value
 * store so that any instance can send a reply or a proactive message (an agent's) — the way the
 * SDK's proactive-messages sample keeps them, but shared and expiring with the conversation.
 * https://learn.microsoft.com/azure/bot-service/bot-builder-howto-proactive-message
 */
export class ConversationReferences {
  readonly #values: SharedValueStore;
  readonly #ttlMs: number;

  constructor(options: { values: SharedValueStore; ttlMs: number }) {
    if (!options.values || !(options.ttlMs > 0)) throw new Error('ConversationReferences needs a value store and a TTL');
    this.#values = options.values;
    this.#ttlMs = options.ttlMs;
  }

  async save(externalId: string, reference: Partial<ConversationReference>): Promise<void> {
    await this.#values.set(key(externalId), JSON.stringify(reference), this.#ttlMs);
  }

  async load(externalId: string): Promise<Partial<ConversationReference> | undefined> {
    const raw = await this.#values.get(key(externalId));
    if (raw === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
    const parsed = StoredReference.safeParse(value);
    // Checked for what sending needs; the SDK's account types ask for more than channels always give.
    return parsed.success ? (parsed.data as unknown as Partial<ConversationReference>) : undefined;
  }
}

function key(externalId: string): string {
  return `botframework:ref:${externalId}`;
}

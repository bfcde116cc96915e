import type { FastifyPluginAsync } from 'fastify';
import type { ConversationGateway } from '../../bot/conversationGateway.ts';
import type { PublicActivity } from '../../bot/publicActivity.ts';
import { InProcessTurnSerializer } from '../../concurrency/keyedQueue.ts';
import { isLocale, type Locale } from '../../domain/locale.ts';
import { CodedError, ConfigError } from '../../errors.ts';
import type { Prompts } from '../../i18n/prompts.ts';
import type { Logger } from '../../log/logger.ts';
import type { ConversationRecord, IdempotencyStore, SharedValueStore } from '../../stores/ports.ts';
import { MAX_ATTACHMENTS, parseBody } from '../api/schemas.ts';
import { externalIdOf, InboundActivity, localeOf, messageText } from './activity.ts';
import { AttachmentFetcher, type FetchedFile, hostAccess, type InboundFile, inboundFiles } from './attachments.ts';
import type { BotFrameworkConnector, InboundAuth } from './connector.ts';
import { ConversationReferences } from './references.ts';
import { type FileLink, toBotFrameworkMessage } from './replies.ts';

export const BOTFRAMEWORK_CHANNEL = 'botframework';
/** The Bot Service redelivers an activity it had no answer to within seconds; an hour covers it with room. */
const DEDUPE_TTL_MS = 60 * 60 * 1000;

/**
 * The customer's notice for each reason a file was refused (the texts every channel uses);
 * anything else is a file that could not be received.
 */
const REFUSAL_PROMPTS: Record<string, string> = {
  file_too_large: 'file.tooLarge',
  unsupported_file_type: 'file.badType',
  too_many_attachments: 'file.tooMany',
};
const REFUSAL_FALLBACK = 'file.unavailable';
/** How an agent's messages are signed, shared with the other channels. */
const AGENT_LABEL = 'agent.label';

/** Files of one message refused for one reason (a CodedError code). */
interface Refusal {
  code: string;
  names: string[];
}

export interface BotFrameworkChannelOptions {
  gateway: ConversationGateway;
  idempotency: IdempotencyStore;
  /** Where conversation references live, shared by every instance. */
  values: SharedValueStore;
  connector: BotFrameworkConnector;
  prompts: Prompts;
  logger: Logger;
  /** How long a conversation's reference is kept after its latest activity (the conversation TTL). */
  referenceTtlMs: number;
  /** Links for files sent to the customer (an agent's); without, the file's name is shown. */
  fileLink?: FileLink;
  fetcher?: AttachmentFetcher;
  path?: string;
}

/**
 * The Bot Framework channel (`/api/messages`): Microsoft Teams, Web Chat / Direct Line and the
 * Bot Framework Emulator through the Azure Bot Service. Transport only: authenticates each
 * activity (see BotFrameworkConnector), remembers where its conversation is reached, answers
 * 200 at once and runs the turn afterwards (the Bot Service gives up after 15 seconds and
 * redelivers; a redelivered activity id is dropped), fetches the customer's files, and sends
 * every reply — answers and proactive ones alike — through the Connector.
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference
 */
export class BotFrameworkChannel {
  readonly #options: BotFrameworkChannelOptions;
  readonly #references: ConversationReferences;
  readonly #fetcher: AttachmentFetcher;
  readonly #queue = new InProcessTurnSerializer();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: BotFrameworkChannelOptions) {
    const missing = [...Object.values(REFUSAL_PROMPTS), REFUSAL_FALLBACK].filter((key) => !options.prompts.has(key));
    if (missing.length > 0) throw new ConfigError('prompts_incomplete', `prompts: missing ${missing.join(', ')}`);
    this.#options = options;
    this.#references = new ConversationReferences({ values: options.values, ttlMs: options.referenceTtlMs });
    this.#fetcher = options.fetcher ?? new AttachmentFetcher();
    options.gateway.registerSender(BOTFRAMEWORK_CHANNEL, (record, replies) => this.#sendReplies(record, replies));
  }

  /** Resolves when every accepted activity has been processed (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  routes(): FastifyPluginAsync {
    const path = this.#options.path ?? '/api/messages';
    return async (app) => {
      app.post(path, async (request, reply) => {
        const activity = parseBody(InboundActivity, request.body);
        const auth = await this.#options.connector.authenticate(activity, request.headers.authorization);
        const customers = customersOf(activity);
        if (customers.length > 0) {
          // Before answering: if this fails the Bot Service gets a 5xx and redelivers.
          const reference = this.#options.connector.reference(activity);
          for (const externalId of customers) await this.#references.save(externalId, reference);
          const fresh = activity.id === undefined || (await this.#options.idempotency.claim(`botframework:activity:${activity.channelId}:${activity.conversation.id}:${activity.id}`, DEDUPE_TTL_MS));
          if (fresh) this.#accept(activity, customers, auth);
        }
        return reply.code(200).send();
      });
      app.addHook('onClose', async () => this.idle());
    };
  }

  #accept(activity: InboundActivity, customers: string[], auth: InboundAuth): void {
    // One conversation's activities run in arrival order (a photo, then "Yes").
    const work = this.#queue
      .run(`${activity.channelId}:${activity.conversation.id}`, () => this.#process(activity, customers, auth))
      .catch((error: unknown) => this.#options.logger.error({ err: error, activityType: activity.type, channelId: activity.channelId }, 'botframework: an activity could not be processed'));
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  async #process(activity: InboundActivity, customers: string[], auth: InboundAuth): Promise<void> {
    const { gateway } = this.#options;
    const locale = localeOf(activity.locale);
    if (activity.type === 'conversationUpdate') {
      // Greets a customer once: when their conversation is new here.
      for (const externalId of customers) {
        const { record, created } = await gateway.open({ channel: BOTFRAMEWORK_CHANNEL, externalId, locale });
        if (created) await gateway.greet(record);
      }
      return;
    }
    const externalId = customers[0];
    const text = messageText(activity);
    const files = inboundFiles(activity);
    if (externalId === undefined || (!text && files.length === 0)) return;
    const { record } = await gateway.open({ channel: BOTFRAMEWORK_CHANNEL, externalId, locale });
    const { accepted, refused } = await this.#fetchFiles(activity, files, auth);
    // A refused file is told about and nothing of it is stored; the rest of the message goes on.
    for (const refusal of refused) await this.#tell(record, externalId, refusal);
    if (!text && accepted.length === 0) return;
    try {
      await gateway.send(record, { ...(text ? { text } : {}), ...(accepted.length > 0 ? { attachments: accepted } : {}) });
    } catch (error) {
      // The fetcher checked the bytes already; the evidence intake's own check is the safety net.
      if (!(error instanceof CodedError) || !Object.hasOwn(REFUSAL_PROMPTS, error.code)) throw error;
      await this.#tell(record, externalId, { code: error.code, names: accepted.map((file) => file.name) });
    }
  }

  /** The message's files, fetched and checked; the ones that cannot be taken, grouped by reason. */
  async #fetchFiles(activity: InboundActivity, files: InboundFile[], auth: InboundAuth): Promise<{ accepted: FetchedFile[]; refused: Refusal[] }> {
    const access = hostAccess(activity);
    const accepted: FetchedFile[] = [];
    const refused = new Map<string, string[]>();
    const refuse = (code: string, name: string) => refused.set(code, [...(refused.get(code) ?? []), name]);
    for (const [index, file] of files.entries()) {
      if (index >= MAX_ATTACHMENTS) {
        refuse('too_many_attachments', file.name);
        continue;
      }
      try {
        accepted.push(await this.#fetcher.fetch(file, access, auth));
      } catch (error) {
        const coded = error instanceof CodedError ? error : undefined;
        const code = coded && Object.hasOwn(REFUSAL_PROMPTS, coded.code) ? coded.code : 'attachment_download_failed';
        // The customer's doing (too large, wrong type) is routine; a host that fails is worth a look.
        if (coded?.fault === 'customer') this.#options.logger.info({ err: error, code, channelId: activity.channelId }, 'botframework: a file was refused');
        else this.#options.logger.warn({ err: error, code, channelId: activity.channelId }, 'botframework: a file could not be fetched');
        refuse(code, file.name);
      }
    }
    return { accepted, refused: [...refused].map(([code, names]) => ({ code, names })) };
  }

  /** A notice outside any turn (files refused), in the language the assistant speaks with them. */
  async #tell(record: ConversationRecord, externalId: string, refusal: Refusal): Promise<void> {
    const reference = await this.#references.load(externalId);
    if (!reference) return;
    const locale = await this.#replyLocale(record);
    const text = this.#options.prompts.t(locale, REFUSAL_PROMPTS[refusal.code] ?? REFUSAL_FALLBACK, { name: refusal.names.join(', ') });
    await this.#options.connector.send(reference, [{ type: 'message', text, locale, textFormat: 'plain' }]);
  }

  /** The language of the assistant's latest message, else the conversation's. */
  async #replyLocale(record: ConversationRecord): Promise<Locale> {
    const { activities } = await this.#options.gateway.history(record, 0);
    const latest = activities.findLast((activity) => activity.from.role === 'bot' && isLocale(activity.locale))?.locale;
    return isLocale(latest) ? latest : record.locale;
  }

  async #sendReplies(record: ConversationRecord, replies: PublicActivity[]): Promise<void> {
    // The reference is shared, so any instance reaches the customer (an agent's reply too).
    const reference = record.externalId ? await this.#references.load(record.externalId) : undefined;
    if (!reference) {
      this.#options.logger.warn({ conversationId: record.id }, 'botframework: no conversation reference for a reply; not sent');
      return;
    }
    const channelId = reference.channelId ?? '';
    const { fileLink, prompts } = this.#options;
    // "Li Lei (support)" in the customer's language where the catalogue has the label, else the name.
    const agentLabel = (name: string, locale: string | undefined) => (prompts.has(AGENT_LABEL) && isLocale(locale) ? prompts.t(locale, AGENT_LABEL, { name }) : name);
    const messages = replies.flatMap((reply) => toBotFrameworkMessage(reply, { channelId, agentLabel, ...(fileLink ? { fileLink } : {}) }) ?? []);
    await this.#options.connector.send(reference, messages);
  }
}

/** The customers an activity concerns: the sender of a message, the people (not the bot) added to a conversation. */
function customersOf(activity: InboundActivity): string[] {
  const botId = activity.recipient.id;
  if (activity.type === 'message') return activity.from.id === botId ? [] : [externalIdOf(activity, activity.from.id)];
  if (activity.type === 'conversationUpdate') {
    const added = (activity.membersAdded ?? []).filter((member) => member.id !== botId);
    return [...new Set(added.map((member) => externalIdOf(activity, member.id)))];
  }
  return [];
}

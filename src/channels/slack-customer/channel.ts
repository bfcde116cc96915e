import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ConversationGateway, InboundMessage } from '../../bot/conversationGateway.ts';
import type { PublicActivity } from '../../bot/publicActivity.ts';
import { InProcessTurnSerializer } from '../../concurrency/keyedQueue.ts';
import { isLocale, type Locale } from '../../domain/locale.ts';
import type { Prompts } from '../../i18n/prompts.ts';
import type { Logger } from '../../log/logger.ts';
import type { ConversationRecord, IdempotencyStore } from '../../stores/ports.ts';
import { MAX_TEXT_CHARS } from '../api/schemas.ts';
import type { SlackListeners } from '../slack-desk/boltApp.ts';
import { escapeMrkdwn, slackTextToPlain, truncate } from '../slack-desk/mrkdwn.ts';
import { DeskOutbox, type RetryPolicy } from '../slack-desk/outbox.ts';
import { SlackFileDownloader } from '../slack-desk/slackFiles.ts';
import { classifySlackError } from '../slack-desk/slackErrors.ts';
import { isPersonsMessage } from '../slack-desk/threadReplies.ts';
import { decodeAddress, encodeAddress, type SlackAddress } from './address.ts';
import { type CustomerFileRefusal, fileRefusalOf, REFUSAL_PROMPTS, takeCustomerFiles } from './files.ts';
import { CHOICE_ACTION, conversationOfChoices, customerReply, type ReplyOptions, type SlackMessage, withChoiceMade } from './messages.ts';
import { ChoiceClick, CustomerMessage, Envelope } from './payloads.ts';

/** The conversations' channel name (`ConversationRecord.channel`, the case card's "channel"). */
export const SLACK_CHANNEL = 'slack';

/** One Slack message arrives as two events when it mentions the app in a channel the app reads. */
const MESSAGE_TTL_MS = 60 * 60 * 1000;
/** A message's buttons answer once; after a day the message is long answered anyway. */
const CHOICE_TTL_MS = 24 * 60 * 60 * 1000;

export interface SlackCustomerChannelOptions {
  gateway: ConversationGateway;
  /** Web API client with the bot token (`createSlackWebClient`), shared with the desk. */
  client: WebClient;
  idempotency: IdempotencyStore;
  /** Texts the channel says itself (a refused file), in the customer's language. */
  prompts: Prompts;
  /** The desk's channel: nothing written there is a customer's message. */
  agentChannel: string;
  /** A signed, expiring link to a stored file, for files agents send the customer. */
  evidenceUrl: (evidenceId: string) => string;
  logger: Logger;
  /** Backoff for failed posts to Slack; defaults to the desk's. */
  retry?: Partial<RetryPolicy>;
  /** Fetch used for file downloads (tests). */
  fetch?: typeof fetch;
}

/**
 * Slack as a customer channel: people who write to the app in a direct message, or mention it in
 * a channel, talk to the same assistant as on the website. Transport only — the conversation
 * is the gateway's, and a Slack user is not proof of owning an order (the identity question
 * still applies).
 *
 * - A direct message (`message.im`) is the customer's conversation in that DM, answered there.
 * - A mention (`app_mention`) in a channel starts or continues the person's conversation in
 *   that message's thread, answered in the thread; their later messages in the thread continue
 *   it without a mention (never start one). Each person has their own conversation per thread.
 * - Nothing written in the agent channel is a customer's message: that is the desk's.
 * - Answers (and everything the conversation says later: an agent's reply, a case update) are
 *   posted with `chat.postMessage`, suggested actions as buttons; a click sends the choice as the
 *   customer's message and replaces the buttons with "✓ <choice>".
 * - Files in a DM become proof, checked like every other channel's; refused ones are told to
 *   the customer in their language.
 *
 * Everyone is a customer here, agents included: an agent who writes to the app is the customer
 * of their own conversation; acting on cases goes through the desk's buttons and threads, whose
 * authorisation (agent channel, user group, home workspace) this channel never bypasses — its
 * buttons have their own action ids and only ever send the customer's message.
 *
 * Messages of one customer run one at a time in arrival order on this instance (a photo, then
 * "Yes"); posts to Slack leave in order per conversation and are retried (`DeskOutbox`).
 */
export class SlackCustomerChannel implements SlackListeners {
  readonly #gateway: ConversationGateway;
  readonly #client: WebClient;
  readonly #idempotency: IdempotencyStore;
  readonly #prompts: Prompts;
  readonly #agentChannel: string;
  readonly #evidenceUrl: (evidenceId: string) => string;
  readonly #logger: Logger;
  readonly #downloader: SlackFileDownloader;
  readonly #outbox: DeskOutbox;
  readonly #queue = new InProcessTurnSerializer();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: SlackCustomerChannelOptions) {
    for (const name of ['gateway', 'client', 'idempotency', 'prompts', 'agentChannel', 'evidenceUrl', 'logger'] as const) {
      if (!options?.[name]) throw new TypeError(`SlackCustomerChannel: options.${name} is required`);
    }
    const missing = [...new Set(Object.values(REFUSAL_PROMPTS)), 'agent.label'].filter((key) => !options.prompts.has(key));
    if (missing.length > 0) throw new TypeError(`SlackCustomerChannel: prompts missing ${missing.join(', ')}`);
    this.#gateway = options.gateway;
    this.#client = options.client;
    this.#idempotency = options.idempotency;
    this.#prompts = options.prompts;
    this.#agentChannel = options.agentChannel;
    this.#evidenceUrl = options.evidenceUrl;
    this.#logger = options.logger;
    // Files come from the host the client calls (SLACK_API_URL) or Slack's file server, with its token.
    this.#downloader = new SlackFileDownloader({ token: options.client.token, slackApiUrl: options.client.slackApiUrl, logger: options.logger, ...(options.fetch ? { fetch: options.fetch } : {}) });
    this.#outbox = new DeskOutbox({ logger: options.logger, classify: classifySlackError, ...(options.retry ? { retry: options.retry } : {}) });
    options.gateway.registerSender(SLACK_CHANNEL, async (record, replies) => this.#sendReplies(record, replies));
  }

  /**
   * Registers the listeners on the desk's Bolt app (`createDeskBoltApp`'s `customers`), whatever
   * its transport: events and clicks are acknowledged first (Bolt acks events before listeners
   * run), retried deliveries are dropped by the desk's deduplication middleware.
   * https://docs.slack.dev/tools/bolt-js/concepts/event-listening
   */
  register(app: App): void {
    app.event('message', async ({ event, body }) => this.#track(() => this.#onMessage(event, body)));
    app.event('app_mention', async ({ event, body }) => this.#track(() => this.#onMessage(event, body)));
    app.action(CHOICE_ACTION, async ({ ack, body }) => {
      await ack();
      await this.#track(() => this.#onChoice(body));
    });
  }

  /** Resolves when every message taken has been processed and its answers posted or given up (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    await this.#outbox.idle();
  }

  /** Stops retrying posts (at shutdown). */
  close(): void {
    this.#outbox.close();
  }

  /** Runs a listener's work, tracked for `idle()`; failures are logged, never thrown at Bolt. */
  async #track(work: () => Promise<void>): Promise<void> {
    const running = work().catch((error: unknown) => this.#logger.error({ err: error }, 'slack customers: a message could not be processed'));
    this.#inFlight.add(running);
    try {
      await running;
    } finally {
      this.#inFlight.delete(running);
    }
  }

  async #onMessage(rawEvent: unknown, body: unknown): Promise<void> {
    const parsed = CustomerMessage.safeParse(rawEvent);
    if (!parsed.success || !isPersonsMessage(parsed.data)) return;
    const message = parsed.data;
    if (message.channel === this.#agentChannel) return;
    const envelope = Envelope.safeParse(body);
    const authorization = envelope.success ? envelope.data.authorizations?.[0] : undefined;
    const team = (envelope.success ? envelope.data.team_id : undefined) ?? authorization?.team_id ?? message.team ?? '_';
    const where = this.#addressOf(message, team);
    if (!where) return;
    const externalId = encodeAddress(where.address);
    // A thread reply continues a conversation a mention started; it never starts one.
    if (where.continuesOnly && !(await this.#gateway.find({ channel: SLACK_CHANNEL, externalId }))) return;
    // The first of the two events of a mention (`app_mention`, `message`) wins.
    if (!(await this.#idempotency.claim(`slack:customer:${message.channel}:${message.ts}`, MESSAGE_TTL_MS))) return;
    await this.#queue.run(externalId, () => this.#process(externalId, message, authorization?.user_id ?? undefined));
  }

  /** Where a message belongs: a DM, a mention's thread, or a thread reply (only if that conversation exists). */
  #addressOf(message: CustomerMessage & { user: string }, team: string): { address: SlackAddress; continuesOnly: boolean } | undefined {
    const base = { team, user: message.user, channel: message.channel };
    if (message.type === 'app_mention') return { address: { ...base, threadTs: message.thread_ts ?? message.ts }, continuesOnly: false };
    if (message.channel_type === 'im') return { address: base, continuesOnly: false };
    if (message.thread_ts && message.thread_ts !== message.ts) return { address: { ...base, threadTs: message.thread_ts }, continuesOnly: true };
    return undefined;
  }

  /** One customer message as a turn: its text (without the app's mention) and its files as proof. */
  async #process(externalId: string, message: CustomerMessage, botUserId: string | undefined): Promise<void> {
    const text = truncate(slackTextToPlain(withoutMention(message.text ?? '', botUserId)), MAX_TEXT_CHARS);
    const files = message.files ?? [];
    const { record } = await this.#gateway.open({ channel: SLACK_CHANNEL, externalId, locale: 'en' });
    const intake = files.length > 0 ? await takeCustomerFiles(this.#downloader, files) : { attachments: [], refused: [] };
    const refused = [...intake.refused];
    let replies: PublicActivity[] = [];
    if (text || intake.attachments.length > 0) {
      const inbound: InboundMessage = { ...(text ? { text } : {}), ...(intake.attachments.length > 0 ? { attachments: intake.attachments } : {}) };
      try {
        replies = await this.#gateway.send(record, inbound);
      } catch (error) {
        // The files were checked already; should the turn still refuse them, nothing was stored.
        const refusal = fileRefusalOf(error);
        if (!refusal || intake.attachments.length === 0) throw error;
        refused.push(...intake.attachments.map((attachment) => ({ name: attachment.name ?? 'file', refusal })));
      }
    }
    if (refused.length > 0) await this.#tellRefused(record, refused, replies);
  }

  /** Tells the customer which files were not taken and why, in the language of the conversation. */
  async #tellRefused(record: ConversationRecord, refused: { name: string; refusal: CustomerFileRefusal }[], replies: PublicActivity[]): Promise<void> {
    this.#logger.info({ conversationId: record.id, refusals: refused.map((file) => file.refusal) }, 'slack customers: files refused');
    const address = this.#address(record);
    if (!address) return;
    const locale = replies.map((reply) => reply.locale).findLast(isLocale) ?? (await this.#currentLocale(record));
    const text = refused.map((file) => this.#prompts.t(locale, REFUSAL_PROMPTS[file.refusal], { name: file.name })).join('\n');
    // Said by the channel, not the conversation: it is not in the history (nothing was received).
    const message = customerReply({ type: 'message', from: { role: 'bot' }, text, locale }, this.#replyOptions(record));
    if (message) this.#post(record.id, address, message, 'file refusal');
  }

  /** The language the assistant last answered in (the bot follows the customer's), else the conversation's first. */
  async #currentLocale(record: ConversationRecord): Promise<Locale> {
    const { activities } = await this.#gateway.history(record, 0);
    return activities.filter((activity) => activity.from.role !== 'user').map((activity) => activity.locale).findLast(isLocale) ?? record.locale;
  }

  /**
   * A click on a choice button: only the customer whose conversation the buttons belong to, and
   * once per message (a double click, or two buttons in a row, across instances); the buttons
   * give way to the choice, then the choice runs as the customer's message.
   */
  async #onChoice(body: unknown): Promise<void> {
    const parsed = ChoiceClick.safeParse(body);
    const action = parsed.success ? parsed.data.actions[0] : undefined;
    if (!parsed.success || !action) {
      this.#logger.warn('slack customers: unreadable choice click ignored');
      return;
    }
    const click = parsed.data;
    const conversationId = conversationOfChoices(action.block_id);
    const channel = click.channel?.id ?? click.container.channel_id;
    const messageTs = click.container.message_ts ?? click.message?.ts;
    const record = conversationId ? await this.#gateway.record(conversationId) : undefined;
    const address = record ? this.#address(record) : undefined;
    if (!record?.externalId || !address || !channel || !messageTs || address.user !== click.user.id || address.channel !== channel) {
      // Someone else's buttons (in a shared thread), or a conversation that expired.
      this.#logger.info({ conversationId, userId: click.user.id }, 'slack customers: choice click not from the conversation’s customer; ignored');
      return;
    }
    if (!(await this.#idempotency.claim(`slack:choice:${channel}:${messageTs}`, CHOICE_TTL_MS))) {
      this.#logger.info({ conversationId: record.id }, 'slack customers: the message was answered already; click ignored');
      return;
    }
    const title = action.text?.text ?? action.value;
    const blocks = click.message?.blocks;
    if (blocks) {
      const update = { channel, ts: messageTs, text: click.message?.text ?? escapeMrkdwn(title), blocks: withChoiceMade(blocks, action.block_id, title) };
      this.#outbox.appendMessage(record.id, { label: 'choice made', run: async () => void (await this.#client.chat.update(update)) });
    }
    const externalId = record.externalId;
    await this.#queue.run(externalId, async () => void (await this.#gateway.send(record, { text: action.value })));
  }

  /** The gateway's sender for Slack conversations: every committed turn's replies, proactive ones included. */
  async #sendReplies(record: ConversationRecord, replies: PublicActivity[]): Promise<void> {
    const address = this.#address(record);
    if (!address) return;
    for (const reply of replies) {
      const message = customerReply(reply, this.#replyOptions(record));
      if (message) this.#post(record.id, address, message, 'customer reply');
    }
  }

  #replyOptions(record: ConversationRecord): ReplyOptions {
    return {
      conversationId: record.id,
      evidenceUrl: this.#evidenceUrl,
      agentLabel: (name, locale) => this.#prompts.t(isLocale(locale) ? locale : record.locale, 'agent.label', { name }),
    };
  }

  /** Queues a post to the customer's DM or thread, after everything queued for the conversation. */
  #post(conversationId: string, address: SlackAddress, message: SlackMessage, label: string): void {
    const args = {
      channel: address.channel,
      ...(address.threadTs ? { thread_ts: address.threadTs } : {}),
      text: message.text,
      blocks: message.blocks,
      // Links to files are signed and expire: Slack should not fetch them to unfurl a preview.
      unfurl_links: false,
      unfurl_media: false,
    };
    this.#outbox.appendMessage(conversationId, { label, run: async () => void (await this.#client.chat.postMessage(args)) });
  }

  #address(record: ConversationRecord): SlackAddress | undefined {
    const address = record.channel === SLACK_CHANNEL && record.externalId ? decodeAddress(record.externalId) : undefined;
    if (!address) this.#logger.warn({ conversationId: record.id }, 'slack customers: no Slack address for the conversation; not sent');
    return address;
  }
}

/**
 * The text without the app's own mention: every `<@BOT>` when the envelope names the bot user,
 * else the mentions a message starts with ("@Refund desk I want a refund").
 */
function withoutMention(text: string, botUserId: string | undefined): string {
  if (botUserId && /^[A-Z0-9]+$/.test(botUserId)) return text.replace(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), '').trim();
  return text.replace(/^\s*(<@[A-Z0-9]+(\|[^>]*)?>\s*)+/, '');
}

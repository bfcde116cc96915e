import type { WebClient } from '@slack/web-api';
import type { PublicActivity } from '../../bot/publicActivity.ts';
import type { AgentDesk, DeskView } from '../../handoff/types.ts';
import type { Logger } from '../../log/logger.ts';
import type { DeskStore, DeskThread } from '../../stores/ports.ts';
import { type CardMessage, caseCard, customerMessage } from './cards.ts';
import { DeskOutbox, type RetryPolicy } from './outbox.ts';
import { classifySlackError, platformErrorCode } from './slackErrors.ts';

export interface SlackAgentDeskOptions {
  /** Web API client with the bot token (see `createSlackWebClient`: no retries of its own). */
  client: WebClient;
  /** The agent channel's id (`C…` public, `G…`/`C…` private); the bot must be a member. */
  channel: string;
  deskStore: DeskStore;
  /** A link agents can open for a proof file (signed, expiring). */
  evidenceUrl: (evidenceId: string) => string;
  logger: Logger;
  /** Backoff for failed deliveries; defaults to `DEFAULT_RETRY_POLICY`. */
  retry?: Partial<RetryPolicy>;
  /** Transcript lines on the card; 10 by default. */
  transcriptLines?: number;
}

/**
 * Errors of `chat.update` that mean the card is gone (deleted by someone, or the channel
 * changed): post a new card instead. https://docs.slack.dev/reference/methods/chat.update#errors
 */
const CARD_GONE = new Set(['message_not_found', 'cant_update_message', 'channel_not_found', 'is_archived', 'not_in_channel']);

/**
 * The agent desk on Slack: one card per handed-over conversation in the agent channel, updated in
 * place, with the conversation itself in the card's thread.
 *
 * `publish` and `customerSaid` only queue the delivery and return at once: Slack's latency and
 * outages never reach the customer's turn or the agent's action. Deliveries are retried in the
 * background (see DeskOutbox); `idle()` waits for them, `close()` stops them.
 */
export class SlackAgentDesk implements AgentDesk {
  readonly #client: WebClient;
  readonly #channel: string;
  readonly #deskStore: DeskStore;
  readonly #evidenceUrl: (evidenceId: string) => string;
  readonly #logger: Logger;
  readonly #transcriptLines: number | undefined;
  readonly #outbox: DeskOutbox;
  /**
   * Cards this process posted, remembered before the store write: if that write fails, the
   * retry updates the card it posted instead of posting a second one.
   */
  readonly #posted = new Map<string, DeskThread>();

  constructor(options: SlackAgentDeskOptions) {
    if (!options?.client) throw new TypeError('SlackAgentDesk: options.client is required');
    if (!options.channel) throw new TypeError('SlackAgentDesk: options.channel is required');
    if (!options.deskStore) throw new TypeError('SlackAgentDesk: options.deskStore is required');
    if (!options.evidenceUrl) throw new TypeError('SlackAgentDesk: options.evidenceUrl is required');
    if (!options.logger) throw new TypeError('SlackAgentDesk: options.logger is required');
    this.#client = options.client;
    this.#channel = options.channel;
    this.#deskStore = options.deskStore;
    this.#evidenceUrl = options.evidenceUrl;
    this.#logger = options.logger;
    this.#transcriptLines = options.transcriptLines;
    this.#outbox = new DeskOutbox({ logger: options.logger, classify: classifySlackError, ...(options.retry ? { retry: options.retry } : {}) });
  }

  async publish(view: DeskView): Promise<void> {
    this.#outbox.replaceCard(view.conversationId, { label: 'card', run: () => this.#sendCard(view) });
  }

  async customerSaid(view: DeskView, activity: PublicActivity): Promise<void> {
    this.#outbox.appendMessage(view.conversationId, { label: 'customer message', run: () => this.#sendCustomerMessage(view, activity) });
  }

  /** Resolves when every queued delivery has been made or given up. */
  idle(): Promise<void> {
    return this.#outbox.idle();
  }

  /** Stops retrying (at shutdown); queued deliveries are dropped and logged. */
  close(): void {
    this.#outbox.close();
  }

  #card(view: DeskView): CardMessage {
    return caseCard(view, { evidenceUrl: this.#evidenceUrl, ...(this.#transcriptLines ? { transcriptLines: this.#transcriptLines } : {}) });
  }

  async #sendCard(view: DeskView): Promise<void> {
    const card = this.#card(view);
    const thread = await this.#thread(view.conversationId);
    if (thread) {
      try {
        await this.#client.chat.update({ channel: thread.channel, ts: thread.ts, text: card.text, blocks: card.blocks });
        return;
      } catch (error) {
        const code = platformErrorCode(error);
        if (!code || !CARD_GONE.has(code)) throw error;
        this.#logger.warn({ conversationId: view.conversationId, code }, 'slack desk: card is gone; posting a new one');
        this.#posted.delete(view.conversationId);
      }
    }
    await this.#postCard(view.conversationId, card);
  }

  async #sendCustomerMessage(view: DeskView, activity: PublicActivity): Promise<void> {
    // The thread hangs off the card: a message before any card (or after it was lost) posts one.
    const thread = (await this.#thread(view.conversationId)) ?? (await this.#postCard(view.conversationId, this.#card(view)));
    // The case's files come with links the view signed; others get one here.
    const signed = new Map(view.evidence.map((file) => [file.id, file.url]));
    const message = customerMessage(activity, { evidenceUrl: (id) => signed.get(id) ?? this.#evidenceUrl(id) });
    await this.#client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: message.text, unfurl_links: false, unfurl_media: false });
  }

  async #postCard(conversationId: string, card: CardMessage): Promise<DeskThread> {
    const result = await this.#client.chat.postMessage({ channel: this.#channel, text: card.text, blocks: card.blocks, unfurl_links: false, unfurl_media: false });
    if (!result.ts) throw new TypeError('chat.postMessage answered without a ts');
    // The answer names the channel by id even when it was addressed by name.
    const thread: DeskThread = { channel: result.channel ?? this.#channel, ts: result.ts };
    this.#posted.set(conversationId, thread);
    await this.#deskStore.setThread(conversationId, thread);
    this.#posted.delete(conversationId);
    return thread;
  }

  async #thread(conversationId: string): Promise<DeskThread | undefined> {
    return this.#posted.get(conversationId) ?? (await this.#deskStore.thread(conversationId));
  }
}

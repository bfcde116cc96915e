import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { TurnSerializer } from '../concurrency/keyedQueue.ts';
import type { Clock } from '../domain/clock.ts';
import type { Locale } from '../domain/locale.ts';
import { InputError } from '../errors.ts';
import type { ConversationRecord, ConversationStore, TranscriptStore } from '../stores/ports.ts';
import type { BotLogic, ChannelAdapter } from './adapter.ts';
import { type PublicActivity, toPublicActivity } from './publicActivity.ts';

const BOT = { id: 'refundbot', name: 'Refund assistant', role: 'bot' };

/** An inbound customer message, already validated by the channel. */
export interface InboundMessage {
  text?: string;
  attachments?: { contentType: string; name?: string; contentUrl: string }[];
  value?: unknown;
  locale?: Locale;
}

/**
 * Channel-neutral entry to the bot for conversations we host (the conversation API and the
 * widget): creates conversations with a bearer token, runs each message as a turn (one turn at
 * a time per conversation), and reads the history.
 */
export class ConversationGateway {
  readonly #adapter: ChannelAdapter;
  readonly #logic: BotLogic;
  readonly #conversations: ConversationStore;
  readonly #transcripts: TranscriptStore;
  readonly #serializer: TurnSerializer;
  readonly #clock: Clock;

  constructor(options: {
    adapter: ChannelAdapter;
    logic: BotLogic;
    conversations: ConversationStore;
    transcripts: TranscriptStore;
    serializer: TurnSerializer;
    clock: Clock;
  }) {
    const { adapter, logic, conversations, transcripts, serializer, clock } = options;
    if (!adapter || !logic || !conversations || !transcripts || !serializer || !clock) throw new Error('ConversationGateway: missing dependency');
    this.#adapter = adapter;
    this.#logic = logic;
    this.#conversations = conversations;
    this.#transcripts = transcripts;
    this.#serializer = serializer;
    this.#clock = clock;
  }

  /** Opens a conversation; the greeting goes into its history. Returns the token once. */
  async start(options: { channel: string; locale: Locale }): Promise<{ conversationId: string; token: string }> {
    const conversationId = randomUUID();
    const token = randomBytes(32).toString('base64url');
    await this.#conversations.create({
      id: conversationId,
      tokenHash: hashToken(token),
      channel: options.channel,
      locale: options.locale,
      createdAt: this.#clock.now(),
    });
    await this.#serializer.run(conversationId, () =>
      this.#adapter.processActivity(
        {
          ...this.#envelope(conversationId, options.channel, options.locale),
          type: 'conversationUpdate',
          membersAdded: [{ id: customerId(conversationId), name: 'customer', role: 'user' }],
        },
        this.#logic,
      ),
    );
    return { conversationId, token };
  }

  /** The conversation if the token is its own; 404 for an unknown id, 401 for a wrong token. */
  async authenticate(conversationId: string, token: string | undefined): Promise<ConversationRecord> {
    const record = await this.#conversations.get(conversationId);
    if (!record) throw new InputError('conversation_not_found', 'no such conversation', 404);
    if (!token || !sameHash(hashToken(token), record.tokenHash)) throw new InputError('unauthorized', 'missing or wrong conversation token', 401);
    return record;
  }

  /** Runs one customer message and returns the assistant's replies. */
  async send(record: ConversationRecord, inbound: InboundMessage): Promise<PublicActivity[]> {
    const activity: Partial<Activity> = {
      ...this.#envelope(record.id, record.channel, inbound.locale ?? record.locale),
      type: 'message',
      id: randomUUID(),
      from: { id: customerId(record.id), name: 'customer', role: 'user' },
      text: inbound.text,
      value: inbound.value,
      attachments: inbound.attachments?.map((attachment) => ({ ...attachment, name: attachment.name ?? 'file' })),
    };
    const replies = await this.#serializer.run(record.id, () => this.#adapter.processActivity(activity, this.#logic));
    const now = this.#clock.now();
    return replies.filter((reply) => reply.type === 'message').map((reply) => toPublicActivity(reply, 'bot', now));
  }

  /** Both sides of the history after the watermark, and the new watermark. */
  async history(record: ConversationRecord, after: number): Promise<{ activities: PublicActivity[]; watermark: number }> {
    const entries = await this.#transcripts.list(record.id, after);
    return {
      activities: entries.map((entry) => entry.activity as PublicActivity),
      watermark: entries.at(-1)?.seq ?? after,
    };
  }

  #envelope(conversationId: string, channel: string, locale: Locale): Partial<Activity> {
    return {
      channelId: channel,
      serviceUrl: `internal://${channel}`,
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
      recipient: BOT,
      from: { id: customerId(conversationId), name: 'customer', role: 'user' },
      locale,
      timestamp: this.#clock.now(),
    };
  }
}

function customerId(conversationId: string): string {
  return `customer:${conversationId}`;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time comparison of two hex digests. */
function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

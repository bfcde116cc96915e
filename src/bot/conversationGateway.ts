import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Clock } from '../domain/clock.ts';
import type { Locale } from '../domain/locale.ts';
import { InputError } from '../errors.ts';
import type { ConversationEvents, ConversationRecord, ConversationStore, TranscriptStore, TurnStore } from '../stores/ports.ts';
import { noteClientMessage, runTurn } from '../stores/turnScope.ts';
import type { BotLogic, ChannelAdapter } from './adapter.ts';
import { type PublicActivity, toPublicActivity } from './publicActivity.ts';
import { conversationStateKey } from './stateKey.ts';
import { summarizeTurn } from './turnSummary.ts';

const BOT = { id: 'refundbot', name: 'Refund assistant', role: 'bot' };
/** Conversation records never change, so each instance keeps recent ones for a minute. */
const RECORD_CACHE_MS = 60_000;
const RECORD_CACHE_SIZE = 10_000;

/** Sends a turn's replies to a channel's customer (see `registerSender`). */
export type ReplySender = (record: ConversationRecord, replies: PublicActivity[]) => Promise<void>;

/** An inbound customer message, already validated by the channel. */
export interface InboundMessage {
  text?: string;
  attachments?: { contentType: string; name?: string; contentUrl: string }[];
  value?: unknown;
  locale?: Locale;
  /**
   * The client's own key for this message (the API's `Idempotency-Key`): a message whose key the
   * conversation already ran is answered from the history instead of being run again.
   */
  idempotencyKey?: string;
}

/**
 * Channel-neutral entry to the bot for conversations we host (the conversation API and the
 * widget): creates conversations with a bearer token, runs each message as a turn of the turn
 * store (one at a time per conversation, across instances), delivers proactive updates, and
 * reads and follows the history.
 */
export class ConversationGateway {
  readonly #adapter: ChannelAdapter;
  readonly #logic: BotLogic;
  readonly #conversations: ConversationStore;
  readonly #transcripts: TranscriptStore;
  readonly #turns: TurnStore;
  readonly #events: ConversationEvents;
  readonly #clock: Clock;
  readonly #records = new Map<string, { record: ConversationRecord; until: number }>();
  readonly #onEffectError: (error: unknown, conversationId: string) => void;
  readonly #senders = new Map<string, ReplySender>();

  constructor(options: {
    adapter: ChannelAdapter;
    logic: BotLogic;
    conversations: ConversationStore;
    transcripts: TranscriptStore;
    turns: TurnStore;
    events: ConversationEvents;
    clock: Clock;
    /** Told about an after-commit effect that failed (its owner is expected to retry it). */
    onEffectError?: (error: unknown, conversationId: string) => void;
  }) {
    const { adapter, logic, conversations, transcripts, turns, events, clock } = options;
    this.#onEffectError = options.onEffectError ?? (() => undefined);
    if (!adapter || !logic || !conversations || !transcripts || !turns || !events || !clock) throw new Error('ConversationGateway: missing dependency');
    this.#adapter = adapter;
    this.#logic = logic;
    this.#conversations = conversations;
    this.#transcripts = transcripts;
    this.#turns = turns;
    this.#events = events;
    this.#clock = clock;
  }

  /** Opens a conversation; the greeting goes into its history. Returns the token once. */
  async start(options: { channel: string; locale: Locale; /** A customer the channel vouches for (signed customer token). */ customerId?: string }): Promise<{ conversationId: string; token: string }> {
    const conversationId = randomUUID();
    const token = randomBytes(32).toString('base64url');
    const record: ConversationRecord = {
      id: conversationId,
      tokenHash: hashToken(token),
      channel: options.channel,
      locale: options.locale,
      createdAt: this.#clock.now(),
    };
    await this.#conversations.create(record);
    this.#remember(record);
    await this.#turn(record, {
      ...this.#envelope(record, options.locale),
      type: 'conversationUpdate',
      membersAdded: [{ id: customerId(conversationId), name: 'customer', role: 'user' }],
      ...(options.customerId ? { channelData: { vouchedCustomerId: options.customerId } } : {}),
    });
    return { conversationId, token };
  }

  /**
   * Registers how replies reach the customers of a channel that cannot answer within the inbound
   * request (WeChat's customer-service API, a Slack DM): called after every committed turn of
   * that channel's conversations — answers to messages and proactive updates alike.
   */
  registerSender(channel: string, send: ReplySender): void {
    this.#senders.set(channel, send);
  }

  /**
   * The conversation of a channel's own user (a WeChat OpenID, a Slack user), created with a
   * greeting on first contact. The channel authenticates the user; such conversations have no
   * API token. The id is derived from the user, so every instance finds the same conversation.
   */
  async open(options: { channel: string; externalId: string; locale: Locale }): Promise<{ record: ConversationRecord; created: boolean }> {
    const conversationId = channelConversationId(options.channel, options.externalId);
    const existing = await this.#record(conversationId);
    if (existing) return { record: existing, created: false };
    const record: ConversationRecord = {
      id: conversationId,
      tokenHash: hashToken(randomBytes(32).toString('base64url')),
      channel: options.channel,
      locale: options.locale,
      createdAt: this.#clock.now(),
      externalId: options.externalId,
    };
    try {
      await this.#conversations.create(record);
    } catch (error) {
      // Another instance created it at the same moment: use theirs.
      const raced = await this.#conversations.get(conversationId);
      if (!raced) throw error;
      this.#remember(raced);
      return { record: raced, created: false };
    }
    this.#remember(record);
    return { record, created: true };
  }

  /**
   * The conversation of a channel's own user if there is one; never creates it (a Slack thread
   * continues a conversation a mention started, but does not start one).
   */
  find(options: { channel: string; externalId: string }): Promise<ConversationRecord | undefined> {
    return this.#record(channelConversationId(options.channel, options.externalId));
  }

  /**
   * Greets the customer of an existing conversation (a WeChat user who follows the account):
   * the same conversationUpdate turn `start` runs, so the greeting lands in the history and
   * reaches the channel's sender.
   */
  async greet(record: ConversationRecord): Promise<PublicActivity[]> {
    return this.#turn(record, {
      ...this.#envelope(record, record.locale),
      type: 'conversationUpdate',
      membersAdded: [{ id: customerId(record.id), name: 'customer', role: 'user' }],
    });
  }

  /** The conversation if the token is its own; 404 for an unknown id, 401 for a wrong token. */
  async authenticate(conversationId: string, token: string | undefined): Promise<ConversationRecord> {
    const record = await this.#record(conversationId);
    if (!record) throw new InputError('conversation_not_found', 'no such conversation', 404);
    if (!token || !sameHash(hashToken(token), record.tokenHash)) throw new InputError('unauthorized', 'missing or wrong conversation token', 401);
    return record;
  }

  /**
   * Runs one customer message and returns the assistant's replies. A message with an
   * idempotency key is a client's retry when its answer was lost (the instance died, the
   * connection broke after the commit): if a turn with that key already committed, its replies
   * are answered again and nothing runs twice.
   */
  async send(record: ConversationRecord, inbound: InboundMessage): Promise<PublicActivity[]> {
    const clientId = inbound.idempotencyKey === undefined ? undefined : `client:${inbound.idempotencyKey}`;
    const activity: Partial<Activity> = {
      ...this.#envelope(record, inbound.locale ?? record.locale),
      type: 'message',
      id: clientId ?? randomUUID(),
      from: { id: customerId(record.id), name: 'customer', role: 'user' },
      text: inbound.text,
      value: inbound.value,
      attachments: inbound.attachments?.map((attachment) => ({ ...attachment, name: attachment.name ?? 'file' })),
    };
    return (await this.#runTurn(record, activity, clientId)).replies;
  }

  /**
   * Delivers an update (a case's status changed, later an agent's reply) to a conversation as
   * an event turn: the bot phrases it in the customer's language, it lands in the transcript and
   * reaches every instance's live listeners. Answers undefined if the conversation is gone.
   */
  async deliver(conversationId: string, event: { name: string; value: unknown }): Promise<{ replies: PublicActivity[]; result: unknown } | undefined> {
    const record = await this.#record(conversationId);
    if (!record) return undefined;
    return this.#runTurn(record, { ...this.#envelope(record, record.locale), type: 'event', id: randomUUID(), name: event.name, value: event.value });
  }

  /** The conversation's record (channel, locale), if it exists. */
  record(conversationId: string): Promise<ConversationRecord | undefined> {
    return this.#record(conversationId);
  }

  /** Both sides of the history after the watermark, and the new watermark. */
  async history(record: ConversationRecord, after: number): Promise<{ activities: PublicActivity[]; watermark: number }> {
    const entries = await this.#transcripts.list(record.id, after);
    return {
      activities: entries.map((entry) => entry.activity as PublicActivity),
      watermark: entries.at(-1)?.seq ?? after,
    };
  }

  /**
   * Follows a conversation live: calls `push` with every activity after `after` as it is
   * committed, on whichever instance. The transcript is the source of truth; events only say
   * "look again", so nothing is missed or sent twice. If reading fails (the store is down),
   * `fail` is called and following stops; the client reconnects from its last seq. Returns a
   * function that stops following.
   */
  follow(record: ConversationRecord, after: number, push: (activity: PublicActivity, seq: number) => void, fail: (error: unknown) => void): () => void {
    let watermark = after;
    let reading: Promise<void> = Promise.resolve();
    let stopped = false;
    const catchUp = () => {
      reading = reading.then(async () => {
        if (stopped) return;
        const entries = await this.#transcripts.list(record.id, watermark);
        for (const entry of entries) {
          if (stopped) return;
          watermark = entry.seq;
          push(entry.activity as PublicActivity, entry.seq);
        }
      }).catch((error: unknown) => {
        if (stopped) return;
        stop();
        fail(error);
      });
    };
    const unsubscribe = this.#events.subscribe(record.id, catchUp);
    const stop = () => {
      stopped = true;
      unsubscribe();
    };
    catchUp();
    return stop;
  }

  async #turn(record: ConversationRecord, activity: Partial<Activity>): Promise<PublicActivity[]> {
    return (await this.#runTurn(record, activity)).replies;
  }

  /**
   * Runs a turn, then (after it committed) its effects; answers the replies and the turn's result.
   * With `replayId`, a turn whose message with that id is already in the history is not run: it
   * writes nothing and answers the replies that message got.
   */
  async #runTurn(record: ConversationRecord, activity: Partial<Activity>, replayId?: string): Promise<{ replies: PublicActivity[]; result: unknown }> {
    const key = { conversationId: record.id, stateKey: conversationStateKey(record.channel, record.id) };
    let replayed: PublicActivity[] | undefined;
    // The conversation's summary (the merchant's figures) is written with the turn's own commit.
    const output = await runTurn(
      this.#turns,
      key,
      async () => {
        // Checked inside the turn: a retry waits for the original turn, if it is still running.
        if (replayId !== undefined && noteClientMessage(record.id, replayId)) {
          replayed = (await this.#repliesTo(record.id, replayId)) ?? [];
          return { replies: [], effects: [], result: undefined, notes: {} };
        }
        return this.#adapter.runTurn(activity, this.#logic);
      },
      (turn, transcript) => summarizeTurn({ record, at: this.#clock.now(), transcript, notes: turn.notes }),
      // The privacy index: who this conversation belongs to (src/privacy/).
      (turn) => ('customers' in turn.notes ? turn.notes.customers : undefined),
    );
    if (replayed) return { replies: replayed, result: undefined };
    for (const effect of output.effects) {
      // An effect that fails (the agent desk is down) must not fail the customer's turn, which
      // is committed; the effect's owner queues and retries it.
      await effect().catch((error: unknown) => this.#onEffectError(error, record.id));
    }
    const now = this.#clock.now();
    const replies = output.replies.filter((reply) => reply.type === 'message').map((reply) => toPublicActivity(reply, roleOf(reply), now));
    const sender = this.#senders.get(record.channel);
    if (sender && replies.length > 0) {
      // The turn is committed and in the transcript; a failed send is the sender's to retry.
      await sender(record, replies).catch((error: unknown) => this.#onEffectError(error, record.id));
    }
    return { replies, result: output.result };
  }

  /**
   * The replies a committed message got: the assistant's and agents' messages after it in the
   * history, up to the customer's next message (an update that arrived since is included: the
   * customer has not seen it yet either). Undefined when no message has this id.
   */
  async #repliesTo(conversationId: string, messageId: string): Promise<PublicActivity[] | undefined> {
    const entries = await this.#transcripts.list(conversationId, 0);
    const at = entries.findIndex((entry) => entry.activity.id === messageId);
    if (at < 0) return undefined;
    const replies: PublicActivity[] = [];
    for (const entry of entries.slice(at + 1)) {
      const activity = entry.activity as PublicActivity;
      if (activity.from?.role === 'user') break;
      replies.push(activity);
    }
    return replies;
  }

  async #record(conversationId: string): Promise<ConversationRecord | undefined> {
    const cached = this.#records.get(conversationId);
    if (cached && cached.until > this.#clock.now().getTime()) return cached.record;
    const record = await this.#conversations.get(conversationId);
    if (record) this.#remember(record);
    return record;
  }

  #remember(record: ConversationRecord): void {
    this.#records.delete(record.id);
    if (this.#records.size >= RECORD_CACHE_SIZE) this.#records.delete(this.#records.keys().next().value as string);
    this.#records.set(record.id, { record, until: this.#clock.now().getTime() + RECORD_CACHE_MS });
  }

  #envelope(record: ConversationRecord, locale: Locale): Partial<Activity> {
    return {
      channelId: record.channel,
      serviceUrl: `internal://${record.channel}`,
      conversation: { id: record.id, isGroup: false, conversationType: 'personal', name: '' },
      recipient: BOT,
      from: { id: customerId(record.id), name: 'customer', role: 'user' },
      locale,
      timestamp: this.#clock.now(),
    };
  }
}

/** Agents' messages keep their role (the customer sees who wrote). */
function roleOf(reply: Partial<Activity>): PublicActivity['from']['role'] {
  return reply.from?.role === 'agent' ? 'agent' : 'bot';
}

/** The id of a channel user's conversation: derived, so every instance finds the same one. */
function channelConversationId(channel: string, externalId: string): string {
  return `${channel}-${createHash('sha256').update(`${channel}\n${externalId}`).digest('hex').slice(0, 32)}`;
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

import type { Logger } from '../../log/logger.ts';
import type { DeskStore } from '../../stores/ports.ts';
import type { AgentGate } from './agentGate.ts';
import { slackTextToPlain } from './mrkdwn.ts';
import { ChannelMessage } from './payloads.ts';
import { DESK_TEXTS } from './texts.ts';

/** The longest reply relayed: the conversation API's limit for a message (SPEC §6). */
export const MAX_REPLY_CHARS = 4000;

/**
 * Message subtypes that are a person's own new message; the others are edits, deletions, joins,
 * bot posts and the like. https://docs.slack.dev/reference/events/message#subtypes
 */
const HUMAN_SUBTYPES = new Set<string | undefined>([undefined, 'file_share', 'thread_broadcast']);

/** A person's reply inside a thread (not the thread's parent, not a bot, not an edit). */
export function isHumanThreadReply(message: ChannelMessage): message is ChannelMessage & { user: string; thread_ts: string } {
  return !message.bot_id && HUMAN_SUBTYPES.has(message.subtype) && !!message.user && !!message.thread_ts && message.thread_ts !== message.ts;
}

/**
 * An agent writing in a card's thread is talking to the customer: the reply is relayed as
 * `act(reply)`, in the agent's name. Messages in other threads, and the desk's own posts, are
 * ignored. Files are not relayed (the customer could not open Slack's private file links).
 */
export class ThreadReplies {
  readonly #gate: AgentGate;
  readonly #deskStore: DeskStore;
  readonly #logger: Logger;

  constructor(options: { gate: AgentGate; deskStore: DeskStore; logger: Logger }) {
    this.#gate = options.gate;
    this.#deskStore = options.deskStore;
    this.#logger = options.logger;
  }

  async handle(event: unknown): Promise<void> {
    const parsed = ChannelMessage.safeParse(event);
    if (!parsed.success || !isHumanThreadReply(parsed.data)) return;
    const message = parsed.data;
    const conversationId = await this.#deskStore.conversationOfThread({ channel: message.channel, ts: message.thread_ts });
    if (!conversationId) return;
    const where = { channel: message.channel, threadTs: message.thread_ts };
    if (!(await this.#gate.admit(message.user, where, DESK_TEXTS.replyNotSent))) return;

    const text = slackTextToPlain(message.text ?? '');
    const hasFiles = (message.files?.length ?? 0) > 0;
    if (!text) {
      if (hasFiles) await this.#gate.tell(where, message.user, DESK_TEXTS.filesNotRelayed);
      return;
    }
    if (text.length > MAX_REPLY_CHARS) {
      await this.#gate.tell(where, message.user, DESK_TEXTS.tooLong(MAX_REPLY_CHARS));
      return;
    }
    const agent = await this.#gate.agent({ id: message.user });
    this.#logger.debug({ conversationId, agentId: agent.id }, 'slack desk: relaying an agent reply');
    await this.#gate.act(conversationId, agent, { kind: 'reply', text }, where, DESK_TEXTS.replyNotSent);
    if (hasFiles) await this.#gate.tell(where, message.user, DESK_TEXTS.filesNotRelayed);
  }
}

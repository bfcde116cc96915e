import type { AgentAction } from '../../handoff/types.ts';
import type { Logger } from '../../log/logger.ts';
import type { DeskStore } from '../../stores/ports.ts';
import type { SlackFileIntake } from './agentFiles.ts';
import type { AgentGate, Where } from './agentGate.ts';
import { slackTextToPlain } from './mrkdwn.ts';
import { ChannelMessage } from './payloads.ts';
import { DESK_TEXTS, FILE_REFUSALS } from './texts.ts';

/** The longest reply relayed: the conversation API's limit for a message (SPEC §6). */
export const MAX_REPLY_CHARS = 4000;

/**
 * Message subtypes that are a person's own new message; the others are edits, deletions, joins,
 * bot posts and the like. https://docs.slack.dev/reference/events/message#subtypes
 */
const HUMAN_SUBTYPES = new Set<string | undefined>([undefined, 'file_share', 'thread_broadcast']);

/**
 * A person's own new message (not a bot's, not Slackbot's, not an edit, a deletion or a join).
 * https://docs.slack.dev/reference/events/message
 */
export function isPersonsMessage<M extends Pick<ChannelMessage, 'bot_id' | 'subtype' | 'user'>>(message: M): message is M & { user: string } {
  return !message.bot_id && HUMAN_SUBTYPES.has(message.subtype) && !!message.user && message.user !== 'USLACKBOT';
}

/** A person's reply inside a thread (not the thread's parent, not a bot, not an edit). */
export function isHumanThreadReply(message: ChannelMessage): message is ChannelMessage & { user: string; thread_ts: string } {
  return isPersonsMessage(message) && !!message.thread_ts && message.thread_ts !== message.ts;
}

/**
 * An agent writing in a card's thread is talking to the customer: the reply is relayed as
 * `act(reply)`, in the agent's name. Messages in other threads, and the desk's own posts, are
 * ignored. Files attached to the reply go with it when the desk has an evidence store (`files`):
 * Slack's private links are useless to the customer, so each file is copied into the store with
 * the limits of customers' proof and sent by id; the ones refused are told to the agent. Without
 * it, files are not relayed and the agent is told so.
 */
export class ThreadReplies {
  readonly #gate: AgentGate;
  readonly #deskStore: DeskStore;
  readonly #files: SlackFileIntake | undefined;
  readonly #logger: Logger;

  constructor(options: { gate: AgentGate; deskStore: DeskStore; files?: SlackFileIntake | undefined; logger: Logger }) {
    this.#gate = options.gate;
    this.#deskStore = options.deskStore;
    this.#files = options.files;
    this.#logger = options.logger;
  }

  async handle(event: unknown): Promise<void> {
    const parsed = ChannelMessage.safeParse(event);
    if (!parsed.success || !isHumanThreadReply(parsed.data)) return;
    const message = parsed.data;
    const conversationId = await this.#deskStore.conversationOfThread({ channel: message.channel, ts: message.thread_ts });
    if (!conversationId) return;
    const where = { channel: message.channel, threadTs: message.thread_ts };
    if (!(await this.#gate.admit({ id: message.user, teamId: message.user_team ?? message.team }, where, DESK_TEXTS.replyNotSent))) return;

    const text = slackTextToPlain(message.text ?? '');
    const attached = message.files ?? [];
    if (!text && attached.length === 0) return;
    // Checked before any download: a reply that cannot go is not worth fetching files for.
    if (text.length > MAX_REPLY_CHARS) {
      await this.#gate.tell(where, message.user, DESK_TEXTS.tooLong(MAX_REPLY_CHARS));
      return;
    }
    if (!this.#files) {
      if (text) await this.#relay(conversationId, message.user, { kind: 'reply', text }, where);
      if (attached.length > 0) await this.#gate.tell(where, message.user, DESK_TEXTS.filesNotRelayed);
      return;
    }

    const intake = attached.length > 0 ? await this.#files.take(attached, conversationId) : { sent: [], refused: [] };
    const nothingSent = !text && intake.sent.length === 0;
    if (intake.refused.length > 0) {
      const refused = intake.refused.map((file) => ({ name: file.name, reason: FILE_REFUSALS[file.refusal] }));
      await this.#gate.tell(where, message.user, DESK_TEXTS.filesNotSent(refused, nothingSent));
    }
    if (nothingSent) return;
    await this.#relay(conversationId, message.user, { kind: 'reply', text, ...(intake.sent.length > 0 ? { files: intake.sent } : {}) }, where);
  }

  async #relay(conversationId: string, userId: string, action: Extract<AgentAction, { kind: 'reply' }>, where: Where): Promise<void> {
    const agent = await this.#gate.agent({ id: userId });
    this.#logger.debug({ conversationId, agentId: agent.id, files: action.files?.length ?? 0 }, 'slack desk: relaying an agent reply');
    await this.#gate.act(conversationId, agent, action, where, DESK_TEXTS.replyNotSent);
  }
}

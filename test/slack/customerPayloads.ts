import type { StoredMessage } from '../support/slackStandIn.ts';
import { blockActions, eventEnvelope, TEAM } from './payloads.ts';

/**
 * Payloads customers cause, shaped after Slack's documented examples (ids changed):
 * - a direct message: https://docs.slack.dev/reference/events/message/message.im
 * - a mention: https://docs.slack.dev/reference/events/app_mention
 * - a click on a message's button: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */

export const BOT_USER_ID = 'U0BOT0001';

let sequence = 0;
const nextTs = () => `1760000300.${String(++sequence).padStart(6, '0')}`;

export interface CustomerMessageInput {
  userId: string;
  text: string;
  channel: string;
  ts?: string;
  threadTs?: string;
  eventId?: string;
  subtype?: string;
  files?: unknown[];
}

function messageFields(input: CustomerMessageInput, ts: string) {
  return {
    ...(input.subtype ? { subtype: input.subtype } : {}),
    text: input.text,
    user: input.userId,
    ts,
    blocks: [{ type: 'rich_text', block_id: 'b1', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: input.text }] }] }],
    team: TEAM.id,
    ...(input.threadTs ? { thread_ts: input.threadTs, parent_user_id: BOT_USER_ID } : {}),
    channel: input.channel,
    event_ts: ts,
    ...(input.files ? { files: input.files, upload: false, display_as_bot: false } : {}),
  };
}

const eventId = (input: CustomerMessageInput, prefix: string, ts: string) => input.eventId ?? `${prefix}${ts.replace('.', '')}`;

/** A message a customer writes to the app in their direct message with it (`message.im`). */
export function directMessageEvent(input: CustomerMessageInput) {
  const ts = input.ts ?? nextTs();
  return eventEnvelope({ client_msg_id: `c${ts.replace('.', '')}`, type: 'message', ...messageFields(input, ts), channel_type: 'im' }, eventId(input, 'Ev', ts));
}

/** A top-level message in a channel (`message.channels`). */
export function channelMessageEvent(input: CustomerMessageInput) {
  const ts = input.ts ?? nextTs();
  return eventEnvelope({ client_msg_id: `c${ts.replace('.', '')}`, type: 'message', ...messageFields(input, ts), channel_type: 'channel' }, eventId(input, 'Ev', ts));
}

/** A mention of the app in a channel (`app_mention`): the text has `<@U0BOT0001>` as Slack writes it. */
export function mentionEvent(input: CustomerMessageInput) {
  const ts = input.ts ?? nextTs();
  return eventEnvelope({ type: 'app_mention', ...messageFields(input, ts) }, eventId(input, 'Evm', ts));
}

/** The buttons of a message the stand-in stored, with the block each is in. */
export function buttonsOf(message: StoredMessage): { blockId: string; actionId: string; title: string; value: string }[] {
  return (message.blocks ?? []).flatMap((block) => {
    const { type, block_id: blockId, elements } = block as { type: string; block_id?: string; elements?: { action_id: string; value: string; text: { text: string } }[] };
    if (type !== 'actions') return [];
    return (elements ?? []).map((element) => ({ blockId: blockId ?? '', actionId: element.action_id, title: element.text.text, value: element.value }));
  });
}

/**
 * A click by `userId` on the button titled `title` of a message the app posted (as the stand-in
 * stored it): the payload carries the message and its blocks, as Slack's does.
 */
export function choiceClick(input: { userId: string; message: StoredMessage; title: string }) {
  const { message } = input;
  const button = buttonsOf(message).find((candidate) => candidate.title === input.title);
  if (!button) throw new Error(`no button "${input.title}" on the message (${buttonsOf(message).map((candidate) => candidate.title).join(', ')})`);
  const base = blockActions({ userId: input.userId, username: 'customer', actionId: button.actionId, value: button.value, channel: message.channel, messageTs: message.ts });
  const thread = message.thread_ts ? { thread_ts: message.thread_ts } : {};
  return {
    ...base,
    container: { ...base.container, ...thread },
    channel: { id: message.channel, name: message.channel.startsWith('D') ? 'directmessage' : 'shop' },
    message: { ...base.message, text: message.text, bot_id: message.bot_id, blocks: message.blocks ?? [], ...thread },
    actions: base.actions.map((action) => ({ ...action, block_id: button.blockId, text: { type: 'plain_text', text: button.title, emoji: true } })),
  };
}

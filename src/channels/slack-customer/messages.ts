import type { ActionsBlock, Button, ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { PublicActivity } from '../../bot/publicActivity.ts';
import { escapeMrkdwn, mrkdwnLink, truncate } from '../slack-desk/mrkdwn.ts';

/**
 * The assistant's answers as Slack messages (`chat.postMessage`): the text as mrkdwn sections
 * (escaped, so nothing in it becomes a mention or a link), an agent's name above what an agent
 * wrote, files as links, and suggested actions as buttons. Pure functions.
 *
 * Slack's limits shape them: a section's text is at most 3,000 characters, a button's label 75
 * and its value 2,000, an actions block 25 elements.
 * https://docs.slack.dev/reference/block-kit/blocks
 * https://docs.slack.dev/messaging/formatting-message-text#escaping
 */

/** `action_id`s of the choice buttons: `customer_choice_0`, `customer_choice_1`, … (never a desk action). */
export const CHOICE_ACTION = /^customer_choice_\d+$/;
const CHOICE_ACTION_PREFIX = 'customer_choice_';
/** The choices block names the conversation, checked against the clicking user's own. */
const CHOICES_BLOCK_PREFIX = 'customer_choices:';

const SECTION_MAX = 3000;
const BUTTON_TEXT_MAX = 75;
const BUTTON_VALUE_MAX = 2000;
const ACTIONS_MAX = 25;

export interface SlackMessage {
  /** The notification and accessibility text. */
  text: string;
  blocks: KnownBlock[];
}

export interface ReplyOptions {
  conversationId: string;
  /** A signed, expiring link to a file (an agent's attachment): Slack's customers download from us. */
  evidenceUrl(evidenceId: string): string;
  /** How an agent is named to the customer, in the reply's language ("Wang (support)"). */
  agentLabel(name: string, locale: string | undefined): string;
}

/** One answer as a Slack message; undefined when it has nothing to show. */
export function customerReply(reply: PublicActivity, options: ReplyOptions): SlackMessage | undefined {
  const text = reply.text?.trim() ?? '';
  const files = reply.attachments ?? [];
  const actions = (reply.suggestedActions?.actions ?? []).filter((action) => action.value.length <= BUTTON_VALUE_MAX).slice(0, ACTIONS_MAX);
  if (!text && files.length === 0 && actions.length === 0) return undefined;

  const blocks: KnownBlock[] = [];
  const agent = reply.from.role === 'agent' ? options.agentLabel(reply.from.name ?? '', reply.locale) : undefined;
  if (agent) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `*${escapeMrkdwn(agent)}*` }] } satisfies ContextBlock);
  for (const part of mrkdwnSections(text)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: part } } satisfies SectionBlock);
  if (files.length > 0) {
    const links = files.map((file) => `:paperclip: ${file.evidenceId ? mrkdwnLink(options.evidenceUrl(file.evidenceId), file.name) : escapeMrkdwn(file.name)}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(links.join('\n'), SECTION_MAX) } });
  }
  if (actions.length > 0) {
    const buttons = actions.map((action, index): Button => ({
      type: 'button',
      action_id: `${CHOICE_ACTION_PREFIX}${index}`,
      text: { type: 'plain_text', text: truncate(action.title, BUTTON_TEXT_MAX), emoji: true },
      value: action.value,
    }));
    blocks.push({ type: 'actions', block_id: `${CHOICES_BLOCK_PREFIX}${options.conversationId}`, elements: buttons } satisfies ActionsBlock);
  }
  const summary = text || files.map((file) => file.name).join(', ') || actions.map((action) => action.title).join(' · ');
  return { text: escapeMrkdwn(agent ? `${agent}: ${summary}` : summary), blocks };
}

/** The conversation a choices block belongs to, from its `block_id`. */
export function conversationOfChoices(blockId: string): string | undefined {
  return blockId.startsWith(CHOICES_BLOCK_PREFIX) ? blockId.slice(CHOICES_BLOCK_PREFIX.length) || undefined : undefined;
}

/**
 * The message's blocks after a choice: the buttons give way to "✓ <choice>", so the message shows
 * what was answered and offers nothing more to click.
 */
export function withChoiceMade(blocks: readonly Record<string, unknown>[], blockId: string, title: string): Record<string, unknown>[] {
  const made: ContextBlock = { type: 'context', elements: [{ type: 'mrkdwn', text: `✓ ${escapeMrkdwn(truncate(title, BUTTON_TEXT_MAX))}` }] };
  return blocks.map((block) => (block.block_id === blockId ? { ...made } : block));
}

/** Escaped text in pieces that fit a section, never cutting an escape (`&amp;`) in two. */
function mrkdwnSections(text: string): string[] {
  const sections: string[] = [];
  let current = '';
  for (const char of text) {
    const escaped = escapeMrkdwn(char);
    if (current.length + escaped.length > SECTION_MAX) {
      sections.push(current);
      current = '';
    }
    current += escaped;
  }
  if (current) sections.push(current);
  return sections;
}

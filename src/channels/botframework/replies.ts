import { type Activity, type Attachment, CardFactory, type SuggestedActions } from 'botbuilder';
import type { PublicActivity } from '../../bot/publicActivity.ts';
import { TEAMS } from './activity.ts';

/** A link the customer can open for a file of the conversation (an agent's attachment), if there is one. */
export type FileLink = (evidenceId: string) => string | undefined;

/**
 * One of the assistant's replies as a Bot Framework message.
 * - Choices: `suggestedActions` (imBack: a tap sends the title back as text). Teams shows
 *   suggested actions only in personal chats and drops them after one tap, so there they are a
 *   HeroCard's imBack buttons instead.
 *   https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages#send-suggested-actions
 * - A person's message (an agent on the desk) says who wrote it: the Connector sends every
 *   message as the bot, so the name goes before the text.
 * - Files (an agent's) as links: attachments with a `contentUrl` where the client shows them, a
 *   line with the link in Teams (which takes only its own file cards for files).
 * - Text is plain: customers' emails and order notes must not turn into Markdown.
 * Answers undefined for a reply with nothing to show.
 */
export function toBotFrameworkMessage(
  reply: PublicActivity,
  options: { channelId: string; fileLink?: FileLink; /** How a person is shown ("Li Lei (support)"); default the name. */ agentLabel?: (name: string, locale: string | undefined) => string },
): Partial<Activity> | undefined {
  const teams = options.channelId === TEAMS;
  const lines: string[] = [];
  const text = reply.text?.trim() ?? '';
  const author = reply.from.role === 'agent' && reply.from.name ? (options.agentLabel?.(reply.from.name, reply.locale) ?? reply.from.name) : undefined;
  if (author) lines.push(text ? `${author}: ${text}` : `${author}:`);
  else if (text) lines.push(text);
  const attachments: Attachment[] = [];
  for (const file of reply.attachments ?? []) {
    const url = file.evidenceId ? options.fileLink?.(file.evidenceId) : undefined;
    if (!url) lines.push(`[${file.name}]`);
    else if (teams) lines.push(`${file.name}: ${url}`);
    else attachments.push({ contentType: file.contentType, name: file.name, contentUrl: url });
  }
  const actions = (reply.suggestedActions?.actions ?? []).map((action) => ({ type: 'imBack', title: action.title, value: action.value }));
  if (teams && actions.length > 0) attachments.push(CardFactory.heroCard('', undefined, actions));
  const message: Partial<Activity> = { type: 'message', textFormat: 'plain' };
  if (lines.length > 0) message.text = lines.join('\n\n');
  if (reply.locale) message.locale = reply.locale;
  if (attachments.length > 0) message.attachments = attachments;
  // No `to`: shown to everyone in the conversation, as MessageFactory.suggestedActions does.
  if (!teams && actions.length > 0) message.suggestedActions = { actions } as SuggestedActions;
  // What a custom Web Chat / Direct Line client can use (`awaiting`, the case); Teams reads its own channelData.
  if (!teams && reply.channelData) message.channelData = reply.channelData;
  return message.text || message.attachments || message.suggestedActions ? message : undefined;
}

import { z } from 'zod';
import type { Locale } from '../../domain/locale.ts';
import { MAX_TEXT_CHARS } from '../api/schemas.ts';

const ChannelAccount = z.looseObject({
  id: z.string().min(1).max(1000),
  name: z.string().max(1000).optional(),
  role: z.string().max(100).optional(),
});

const ConversationAccount = z.looseObject({
  id: z.string().min(1).max(2000),
  isGroup: z.boolean().optional(),
  conversationType: z.string().max(100).optional(),
  tenantId: z.string().max(200).optional(),
});

const InboundAttachment = z.looseObject({
  contentType: z.string().max(300),
  contentUrl: z.string().max(2_000_000).optional(),
  name: z.string().max(1000).optional(),
  content: z.unknown().optional(),
});

/**
 * An activity as the Bot Framework Connector (or the Emulator) posts it to the messaging
 * endpoint: only the fields this channel reads are checked; the rest passes through untouched
 * (channels add many). https://github.com/microsoft/botframework-sdk/blob/main/specs/botframework-activity/botframework-activity.md
 */
export const InboundActivity = z.looseObject({
  type: z.string().min(1).max(100),
  id: z.string().max(1000).optional(),
  channelId: z.string().min(1).max(100),
  serviceUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  from: ChannelAccount,
  recipient: ChannelAccount,
  conversation: ConversationAccount,
  locale: z.string().max(50).optional(),
  text: z.string().max(1_000_000).optional(),
  attachments: z.array(InboundAttachment).max(100).optional(),
  membersAdded: z.array(ChannelAccount).max(1000).optional(),
  entities: z.array(z.looseObject({ type: z.string() })).max(100).optional(),
});
export type InboundActivity = z.infer<typeof InboundActivity>;

/**
 * The content of a file a user shares with a bot in Teams: a pre-authenticated, short-lived
 * download link. https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4#receive-files-in-personal-chat
 */
export const TEAMS_FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';
export const TeamsFileDownloadInfo = z.looseObject({ downloadUrl: z.url({ protocol: /^https$/ }), fileType: z.string().max(50).optional() });

/** The Teams channel id: it gets HeroCards instead of suggested actions, and its file hosts. */
export const TEAMS = 'msteams';

/**
 * Whom a Bot Framework conversation belongs to on our side: the channel and its conversation,
 * and in a group conversation (a Teams channel or group chat) the member too, so each person
 * gets a refund conversation of their own.
 */
export function externalIdOf(activity: Pick<InboundActivity, 'channelId' | 'conversation'>, memberId: string): string {
  const base = `${activity.channelId}:${activity.conversation.id}`;
  return activity.conversation.isGroup ? `${base}:${memberId}` : base;
}

/**
 * The assistant's language for a Bot Framework locale (BCP-47: `en-US`, `zh-CN`, `zh-Hant-TW`):
 * Traditional Chinese for Taiwan, Hong Kong, Macau and `Hant`, Simplified for other Chinese,
 * else English.
 */
export function localeOf(bfLocale: string | undefined): Locale {
  const tag = (bfLocale ?? '').toLowerCase();
  if (!/^zh(-|_|$)/.test(tag)) return 'en';
  return /[-_](tw|hk|mo|hant)(?=[-_]|$)/.test(tag) ? 'zh-TW' : 'zh-CN';
}

/**
 * The words of a message: Teams puts `<at>Bot name</at>` in the text where the bot is mentioned
 * (always, in channels and group chats); those are removed, other people's mentions keep the
 * name. https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-and-group-conversations#retrieve-mentions
 */
export function messageText(activity: InboundActivity): string {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    const mentioned = (entity as { mentioned?: { id?: unknown }; text?: unknown }).mentioned;
    const shown = (entity as { text?: unknown }).text;
    if (entity.type === 'mention' && mentioned?.id === activity.recipient.id && typeof shown === 'string' && shown) text = text.split(shown).join(' ');
  }
  const botName = activity.recipient.name?.trim().toLowerCase();
  text = text.replace(/<at>(.*?)<\/at>/gis, (_match, name: string) => (name.trim().toLowerCase() === botName ? ' ' : name));
  return text.replace(/[ \t]{2,}/g, ' ').trim().slice(0, MAX_TEXT_CHARS);
}

/**
 * Whether a service URL is this machine: without a Microsoft app id nothing is authenticated, so
 * only the Emulator here may talk to the bot — else anyone could make the server post to any URL.
 */
export function isLoopbackUrl(serviceUrl: string): boolean {
  let host: string;
  try {
    host = new URL(serviceUrl).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

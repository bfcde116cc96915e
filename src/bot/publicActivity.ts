import type { Activity } from 'botbuilder';

/**
 * The shape of an activity in the conversation API and the stored history (SPEC §6): only what a
 * client needs, never internal fields (service URLs, recipient ids, raw attachment bytes).
 */
export interface PublicActivity {
  [key: string]: unknown;
  id?: string;
  type: 'message';
  from: { role: 'bot' | 'user' | 'agent'; name?: string };
  text?: string;
  locale?: string;
  timestamp?: string;
  attachments?: { contentType: string; name: string; evidenceId?: string; size?: number }[];
  suggestedActions?: { actions: { type: 'imBack'; title: string; value: string }[] };
  channelData?: Record<string, unknown>;
}

/** A stored file on a message, in the shape the evidence middleware gives customers' proof. */
export interface EvidenceAttachment {
  contentType: string;
  name: string;
  content: { evidenceId: string; size?: number };
}

/**
 * Marks a message as written by a person on the desk. botbuilder overwrites `from` with the bot
 * when it sends, so the author travels in channelData and becomes `from` here. Files go as
 * evidence attachments, so the public activity carries their ids (which the customer's file
 * route checks against the transcript) and never a link of the desk's own.
 */
export function agentMessage(agent: { name: string }, text: string, locale: string, attachments: EvidenceAttachment[] = []): Partial<Activity> {
  return {
    type: 'message',
    // A files-only reply has no text; an empty string would show as an empty bubble.
    ...(text || attachments.length === 0 ? { text } : {}),
    locale,
    ...(attachments.length > 0 ? { attachments } : {}),
    channelData: { [AGENT_AUTHOR]: { name: agent.name } },
  };
}

const AGENT_AUTHOR = 'agentAuthor';

/** Whether an outgoing activity is a person's message (an agent's), not the assistant's. */
export function isAgentMessage(activity: Partial<Activity>): boolean {
  return activity.from?.role === 'agent' || typeof (activity.channelData as Record<string, unknown> | undefined)?.[AGENT_AUTHOR] === 'object';
}

export function toPublicActivity(activity: Partial<Activity>, role: PublicActivity['from']['role'], at: Date): PublicActivity {
  const { [AGENT_AUTHOR]: author, ...channelData } = (activity.channelData ?? {}) as Record<string, unknown>;
  const agentName = (author as { name?: unknown } | undefined)?.name;
  const out: PublicActivity = {
    id: activity.id,
    type: 'message',
    from: typeof agentName === 'string' ? { role: 'agent', name: agentName } : activity.from?.name && role === 'agent' ? { role, name: activity.from.name } : { role },
    timestamp: (activity.timestamp ? new Date(activity.timestamp) : at).toISOString(),
  };
  if (activity.text !== undefined) out.text = activity.text;
  if (activity.locale) out.locale = activity.locale;
  if (activity.attachments?.length) {
    out.attachments = activity.attachments.map((attachment) => {
      const content = attachment.content as { evidenceId?: string; size?: number } | undefined;
      return {
        contentType: attachment.contentType,
        name: attachment.name ?? 'file',
        ...(content?.evidenceId ? { evidenceId: content.evidenceId, ...(typeof content.size === 'number' ? { size: content.size } : {}) } : {}),
      };
    });
  }
  const actions = activity.suggestedActions?.actions;
  if (actions?.length) {
    out.suggestedActions = {
      actions: actions.map((action) => ({ type: 'imBack' as const, title: action.title ?? String(action.value), value: String(action.value) })),
    };
  }
  if (Object.keys(channelData).length > 0) out.channelData = channelData;
  return out;
}

import type { TurnSummary } from '../domain/conversationSummary.ts';
import type { ConversationRecord } from '../stores/ports.ts';
import type { TurnNotes } from './turnEffects.ts';

/**
 * What one turn adds to its conversation's summary, from what the turn wrote to the transcript
 * (public activities, both sides) and its notes: the customer's messages, the question the
 * assistant's last reply asks (`channelData.awaiting`), whether a reply carried a case
 * (`channelData.case`), whether it handed the conversation to people. Agents' messages are
 * neither. Undefined for a turn that wrote nothing and noted nothing (a refused agent action):
 * nothing happened in the conversation.
 */
export function summarizeTurn(input: {
  record: ConversationRecord;
  at: Date;
  transcript: readonly Record<string, unknown>[];
  notes: TurnNotes;
}): TurnSummary | undefined {
  const { record, at, transcript, notes } = input;
  if (transcript.length === 0 && !notes.handedToPeople) return undefined;
  let customerTurns = 0;
  let awaiting: string | null | undefined;
  let locale: string | undefined;
  let hasCase = false;
  for (const activity of transcript) {
    const role = (activity.from as { role?: unknown } | undefined)?.role;
    if (role === 'user') customerTurns += 1;
    if (role !== 'bot') continue;
    const channelData = activity.channelData as { awaiting?: unknown; case?: unknown } | undefined;
    awaiting = typeof channelData?.awaiting === 'string' && channelData.awaiting !== '' ? channelData.awaiting : null;
    if (channelData?.case !== undefined) hasCase = true;
    if (typeof activity.locale === 'string' && activity.locale !== '') locale = activity.locale;
  }
  return {
    channel: record.channel,
    locale: locale ?? record.locale,
    startedAt: record.createdAt,
    at,
    customerTurns,
    ...(awaiting === undefined ? {} : { awaiting }),
    handedToPeople: notes.handedToPeople === true,
    hasCase,
  };
}

import type { ActionRefusal } from '../../handoff/types.ts';

/** What the desk tells agents in Slack (ephemeral messages, modal errors). Agent-facing, English. */
export const DESK_TEXTS = {
  notAuthorised: 'You are not authorised to act on refund cases. Ask to be added to the agent channel.',
  accessUnknown: "Couldn't check your access to refund cases just now (Slack did not answer). Try again in a moment.",
  failed: 'That did not go through because of an error on our side. Try again; if it keeps failing, use the /agent console.',
  modalFailed: "Couldn't open the form (Slack's click token had expired). Click the button again.",
  replyNotSent: 'Your message was not sent to the customer.',
  filesNotRelayed: 'Files in the thread are not sent to the customer; describe them in text instead.',
  tooLong: (max: number) => `Your message is too long for the customer's channel (at most ${max} characters); it was not sent.`,
} as const;

const REFUSALS: Record<ActionRefusal, string> = {
  stale: 'This card is out of date: the case was already decided, or the conversation is back with the assistant.',
  held_by_other: 'Another agent holds this conversation.',
  amount_too_high: 'That is more than the customer paid for the claimed items.',
  no_case: 'There is no refund case in this conversation to approve or deny.',
  not_found: 'This conversation no longer exists (it may have expired).',
};

/** The agent-facing text of a refusal, with the service's own words (they may be more specific). */
export function refusalText(refusal: ActionRefusal, message?: string): string {
  const known = REFUSALS[refusal] as string | undefined;
  const detail = message?.trim();
  if (!known) return detail ? `Not done: ${detail}` : `Not done (${refusal}).`;
  return detail && detail !== known ? `${known} (${detail})` : known;
}

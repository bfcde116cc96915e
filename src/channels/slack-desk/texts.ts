import type { ActionRefusal } from '../../handoff/types.ts';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from '../api/schemas.ts';
import type { FileRefusal } from './agentFiles.ts';
import { escapeMrkdwn } from './mrkdwn.ts';

/** What the desk tells agents in Slack (ephemeral messages, modal errors). Agent-facing, English. */
export const DESK_TEXTS = {
  notAuthorised: 'You are not authorised to act on refund cases. Ask to be added to the agent channel.',
  accessUnknown: "Couldn't check your access to refund cases just now (Slack did not answer). Try again in a moment.",
  failed: 'That did not go through because of an error on our side. Try again; if it keeps failing, use the /agent console.',
  modalFailed: "Couldn't open the form (Slack's click token had expired). Click the button again.",
  replyNotSent: 'Your message was not sent to the customer.',
  filesNotRelayed: 'Files in the thread are not sent to the customer; describe them in text instead.',
  /** Files of a thread reply that did not go to the customer, one line each (`refusal` from FILE_REFUSALS). */
  filesNotSent: (files: { name: string; reason: string }[], nothingSent: boolean) =>
    ['Not sent to the customer:', ...files.map((file) => `• ${escapeMrkdwn(file.name)}: ${file.reason}`), ...(nothingSent ? ['Nothing was sent.'] : [])].join('\n'),
  tooLong: (max: number) => `Your message is too long for the customer's channel (at most ${max} characters); it was not sent.`,
} as const;

/** Why a file an agent attached did not reach the customer (the limits are those of customers' proof). */
export const FILE_REFUSALS: Record<FileRefusal, string> = {
  too_many: `a message can carry at most ${MAX_ATTACHMENTS} files; send the rest in another message`,
  too_large: `larger than ${MAX_ATTACHMENT_BYTES / (1024 * 1024)} MB`,
  unsupported_type: 'only JPEG, PNG or WebP images and PDF files can be sent (checked from the file itself)',
  no_link: 'Slack did not give a download link for it',
  foreign_link: 'its link is not on Slack, so it was not fetched',
  download_failed: 'could not be downloaded from Slack',
  store_failed: 'could not be stored because of an error on our side; try again',
};

const REFUSALS: Record<ActionRefusal, string> = {
  stale: 'This card is out of date: the case was already decided, or the conversation is back with the assistant.',
  held_by_other: 'Another agent holds this conversation.',
  amount_too_high: 'That is more than the customer paid for the claimed items.',
  no_case: 'There is no refund case in this conversation to approve or deny.',
  not_found: 'This conversation no longer exists (it may have expired).',
  orders_unavailable: "The shop's order API is not answering, so the most refundable amount cannot be checked. Try again in a moment, or deny.",
};

/** The agent-facing text of a refusal, with the service's own words (they may be more specific). */
export function refusalText(refusal: ActionRefusal, message?: string): string {
  const known = REFUSALS[refusal] as string | undefined;
  const detail = message?.trim();
  if (!known) return detail ? `Not done: ${detail}` : `Not done (${refusal}).`;
  return detail && detail !== known ? `${known} (${detail})` : known;
}

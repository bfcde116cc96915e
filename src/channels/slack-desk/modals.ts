import type { ModalView } from '@slack/types';
import { z } from 'zod';
import { formatMoney, fractionDigits, fromMinor, toMinor } from '../../domain/money.ts';
import { DESK_VIEWS } from './actions.ts';
import { truncate } from './mrkdwn.ts';

/**
 * The two modals the card opens (Approve partial, Deny) and the reading of their submissions.
 * A submission answered with `response_action: "errors"` keeps the modal open and shows each
 * message under the input block it names.
 * https://docs.slack.dev/surfaces/modals#displaying_errors
 */

export const AMOUNT_BLOCK = 'amount';
export const REASON_BLOCK = 'reason';
/** The input element inside each block (state values are keyed block_id → action_id). */
export const INPUT_ACTION = 'value';
export const MAX_REASON_CHARS = 1000;

/**
 * What a modal remembers between opening and submission (`private_metadata`, ≤ 3,000 characters):
 * the conversation, the card (to answer the agent beside it), and for a partial approval the
 * figures it was opened with (minor units).
 */
export const ModalMetadata = z.object({
  conversationId: z.string().min(1).max(200),
  channel: z.string().min(1).max(50),
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  max: z.number().int().positive().optional(),
});
export type ModalMetadata = z.infer<typeof ModalMetadata>;

export type Submission<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

/** Input-block state as Slack sends it in `view.state.values`. */
export type ViewStateValues = Record<string, Record<string, { value?: string | null } | undefined> | undefined>;

export function partialApprovalModal(input: { conversationId: string; channel: string; currency: string; max: number; proposed?: number }): ModalView {
  const { currency, max } = input;
  const initial = input.proposed !== undefined && input.proposed > 0 && input.proposed <= max ? input.proposed : undefined;
  const metadata: ModalMetadata = { conversationId: input.conversationId, channel: input.channel, currency, max };
  return {
    type: 'modal',
    callback_id: DESK_VIEWS.approvePartial,
    title: { type: 'plain_text', text: 'Approve partial refund' },
    submit: { type: 'plain_text', text: 'Approve' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify(metadata),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `The customer paid *${formatMoney(max, currency, 'en')}* for the claimed items; a refund cannot be more.` },
      },
      {
        type: 'input',
        block_id: AMOUNT_BLOCK,
        label: { type: 'plain_text', text: `Amount to refund (${currency})` },
        hint: { type: 'plain_text', text: `For example ${exampleAmount(currency)}` },
        element: {
          type: 'plain_text_input',
          action_id: INPUT_ACTION,
          ...(initial !== undefined ? { initial_value: fromMinor(initial, currency).toFixed(fractionDigits(currency)) } : {}),
        },
      },
    ],
  };
}

export function denyModal(input: { conversationId: string; channel: string }): ModalView {
  const metadata: ModalMetadata = { conversationId: input.conversationId, channel: input.channel };
  return {
    type: 'modal',
    callback_id: DESK_VIEWS.deny,
    title: { type: 'plain_text', text: 'Deny refund' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify(metadata),
    blocks: [
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: { type: 'plain_text', text: 'Reason (sent to the customer)' },
        element: { type: 'plain_text_input', action_id: INPUT_ACTION, multiline: true, max_length: MAX_REASON_CHARS },
      },
    ],
  };
}

/** The modal's own metadata, or undefined if it is not one of ours (or was tampered with). */
export function readModalMetadata(raw: unknown): ModalMetadata | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed = ModalMetadata.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The amount typed into the partial-approval modal, as a decimal in the order's currency (the
 * unit `AgentAction.approve` takes). It must be a plain positive number with no more decimals
 * than the currency has, and at most what the customer paid for the claimed items.
 */
export function readPartialAmount(values: ViewStateValues, metadata: ModalMetadata): Submission<number> {
  const fail = (message: string): Submission<number> => ({ ok: false, errors: { [AMOUNT_BLOCK]: message } });
  const { currency, max } = metadata;
  if (!currency || max === undefined) return fail('This form is out of date; close it and click Approve partial again.');
  // Thousands separators and spaces are typing habits, not part of the number.
  const typed = (values[AMOUNT_BLOCK]?.[INPUT_ACTION]?.value ?? '').replace(/[\s,]/g, '');
  const digits = fractionDigits(currency);
  const pattern = digits > 0 ? new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`) : /^\d+$/;
  if (!pattern.test(typed)) return fail(`Enter an amount like ${exampleAmount(currency)}.`);
  const minor = toMinor(Number(typed), currency);
  if (minor <= 0) return fail('Enter an amount above zero.');
  if (minor > max) return fail(`At most ${formatMoney(max, currency, 'en')}: what the customer paid for the claimed items.`);
  return { ok: true, value: fromMinor(minor, currency) };
}

/** The reason typed into the deny modal, trimmed; told to the customer as is. */
export function readDenyReason(values: ViewStateValues): Submission<string> {
  const reason = (values[REASON_BLOCK]?.[INPUT_ACTION]?.value ?? '').trim();
  if (!reason) return { ok: false, errors: { [REASON_BLOCK]: 'Tell the customer why.' } };
  if (reason.length > MAX_REASON_CHARS) return { ok: false, errors: { [REASON_BLOCK]: `At most ${MAX_REASON_CHARS} characters.` } };
  return { ok: true, value: truncate(reason, MAX_REASON_CHARS) };
}

function exampleAmount(currency: string): string {
  const digits = fractionDigits(currency);
  return digits > 0 ? `120.${'0'.repeat(digits)}` : '1200';
}

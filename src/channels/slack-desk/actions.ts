import { z } from 'zod';

/** `action_id`s of the card's buttons; Bolt routes clicks by them. */
export const DESK_ACTIONS = {
  takeOver: 'desk_take_over',
  approve: 'desk_approve',
  approvePartial: 'desk_approve_partial',
  deny: 'desk_deny',
  handBack: 'desk_hand_back',
} as const;
export type DeskActionId = (typeof DESK_ACTIONS)[keyof typeof DESK_ACTIONS];

/** `callback_id`s of the modals the buttons open. */
export const DESK_VIEWS = {
  approvePartial: 'desk_approve_partial_modal',
  deny: 'desk_deny_modal',
} as const;

/**
 * A button's `value` (at most 2,000 characters, sent back verbatim on click): JSON naming the
 * conversation. It is a hint from a message anyone in the channel can see, never trusted for
 * authority: the server checks the clicking user and the handoff service the case's state.
 */
export const ButtonValue = z.object({ conversationId: z.string().min(1).max(200) });
export type ButtonValue = z.infer<typeof ButtonValue>;

/**
 * The Approve-partial button also carries the figures its modal shows (amounts in minor units):
 * the trigger to open a modal expires after 3 seconds, too short to read the stores reliably.
 * The handoff service re-checks the amount when the agent submits.
 */
export const PartialButtonValue = ButtonValue.extend({
  currency: z.string().regex(/^[A-Z]{3}$/),
  max: z.number().int().positive(),
  proposed: z.number().int().nonnegative().optional(),
});
export type PartialButtonValue = z.infer<typeof PartialButtonValue>;

export function encodeButtonValue(value: ButtonValue | PartialButtonValue): string {
  return JSON.stringify(value);
}

/** Parses a button's value with its schema; undefined for anything else (an old or foreign button). */
export function decodeButtonValue<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

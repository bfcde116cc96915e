import { z } from 'zod';
import { ChannelMessage } from '../slack-desk/payloads.ts';

/**
 * The parts of Slack's payloads the customer channel reads, validated (Bolt routes them but does
 * not check them). Unknown fields pass.
 * https://docs.slack.dev/reference/events/message/message.im
 * https://docs.slack.dev/reference/events/app_mention
 * https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */

/** A message a customer wrote: in a direct message (`message.im`), a channel thread, or a mention. */
export const CustomerMessage = ChannelMessage.extend({ type: z.enum(['message', 'app_mention']) });
export type CustomerMessage = z.infer<typeof CustomerMessage>;

/**
 * The Events API envelope around an event: the workspace it was delivered for, and the app's
 * own bot user there (`authorizations`), whose mention is not part of what the customer says.
 * https://docs.slack.dev/apis/events-api/#callback-field
 */
export const Envelope = z.object({
  team_id: z.string().optional(),
  authorizations: z.array(z.object({ team_id: z.string().nullish(), user_id: z.string().nullish() })).optional(),
});

/** A click on one of the choice buttons under an answer. */
export const ChoiceClick = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }).optional(),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }),
  /** The message the buttons are on, as Slack shows it (its blocks come back for the update). */
  message: z
    .object({
      ts: z.string().min(1),
      text: z.string().optional(),
      blocks: z.array(z.record(z.string(), z.unknown())).optional(),
    })
    .optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string().min(1),
        block_id: z.string().min(1),
        action_ts: z.string().min(1),
        value: z.string(),
        text: z.object({ text: z.string() }).optional(),
      }),
    )
    .min(1),
});
export type ChoiceClick = z.infer<typeof ChoiceClick>;

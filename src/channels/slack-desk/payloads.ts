import { z } from 'zod';

/**
 * The parts of Slack's payloads the desk reads, validated (Bolt parses and routes them but does
 * not check them). Unknown fields pass; a payload missing what we need is ignored and logged.
 * https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 * https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload
 * https://docs.slack.dev/reference/events/message
 */

/** The user of an interaction; `team_id` is their own workspace (another one for a Slack Connect guest). */
const SlackUser = z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional(), team_id: z.string().optional() });

/** A click on one of the card's buttons. */
export const ButtonClick = z.object({
  type: z.literal('block_actions'),
  user: SlackUser,
  trigger_id: z.string().min(1),
  channel: z.object({ id: z.string().min(1) }).optional(),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }),
  actions: z.array(z.object({ action_id: z.string().min(1), action_ts: z.string().min(1), value: z.string().optional() })).min(1),
});
export type ButtonClick = z.infer<typeof ButtonClick>;

/** A submitted modal. */
export const ViewSubmission = z.object({
  type: z.literal('view_submission'),
  user: SlackUser,
  view: z.object({
    id: z.string().min(1),
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }).passthrough().optional()).optional()) }),
  }),
});
export type ViewSubmission = z.infer<typeof ViewSubmission>;

/**
 * A message event in a conversation the bot is in (`message.channels` / `message.groups`, and
 * `message.im` for direct messages). `user_team` (Slack Connect) or `team` is the author's workspace.
 */
export const ChannelMessage = z.object({
  type: z.literal('message'),
  channel: z.string().min(1),
  channel_type: z.string().optional(),
  team: z.string().optional(),
  user_team: z.string().optional(),
  ts: z.string().min(1),
  user: z.string().optional(),
  text: z.string().optional(),
  thread_ts: z.string().optional(),
  subtype: z.string().optional(),
  bot_id: z.string().nullish(),
  files: z.array(z.unknown()).optional(),
});
export type ChannelMessage = z.infer<typeof ChannelMessage>;

/** The envelope of every Events API delivery; `event_id` is the same on Slack's retries. */
export const EventEnvelope = z.object({ type: z.literal('event_callback'), event_id: z.string().min(1) });

/** The name a payload gives its user: the fallback when users.info cannot be read. */
export function userFallbackName(user: z.infer<typeof SlackUser>): string | undefined {
  return user.name || user.username || undefined;
}

const SlackObject = z.looseObject({});

/**
 * What Bolt itself reads from a body while routing it, before any of our listeners run
 * (`App.processEvent`: `getTypeAndConversation`, `buildSource`): a wrong type there — `event:
 * null`, an `authorizations` entry that is not an object, a numeric `event.channel` — makes it
 * throw a TypeError. Slack never sends such a body; the route refuses it (400) before Bolt sees it.
 */
export const RoutableBody = z.union([
  // Events API: the event, with its conversation and user as a string or an object, and the app's authorizations.
  z.looseObject({
    event: z.looseObject({
      type: z.string(),
      channel: z.union([z.string(), SlackObject]).optional(),
      user: z.union([z.string(), SlackObject]).optional(),
      item: SlackObject.optional(),
      subteam: SlackObject.optional(),
    }),
    authorizations: z.array(SlackObject).optional(),
  }),
  // Slash commands (a form): ids only, as strings.
  z.looseObject({ event: z.undefined().optional(), command: z.string() }),
  // Interactivity (actions, modals, shortcuts, options): who acted, in which team and channel.
  z
    .looseObject({
      event: z.undefined().optional(),
      type: z.string().optional(),
      user: SlackObject,
      team: SlackObject.nullish(),
      enterprise: SlackObject.nullish(),
      channel: SlackObject.optional(),
      view: SlackObject.optional(),
      actions: z.array(SlackObject).optional(),
    })
    .refine((body) => !(body.type === 'view_submission' || body.type === 'view_closed') || body.view !== undefined, { message: 'a modal payload needs its view' }),
]);

/**
 * Slack payloads shaped after the documented examples (field for field, ids changed):
 * - url_verification: https://docs.slack.dev/reference/events/url_verification
 * - block_actions: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 * - view_submission: https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload
 * - event_callback with a message event in a thread: https://docs.slack.dev/reference/events/message
 *   and https://docs.slack.dev/apis/events-api/#callback-field
 */

export const TEAM = { id: 'T0001TEAM', domain: 'standin' };
export const APP_ID = 'A0001DESK';

export function urlVerification(challenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P') {
  return { token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge, type: 'url_verification' };
}

export interface ClickInput {
  userId: string;
  username?: string;
  actionId: string;
  value: string;
  channel: string;
  messageTs: string;
  actionTs?: string;
  triggerId?: string;
}

let sequence = 0;
const nextTs = () => `1760000100.${String(++sequence).padStart(6, '0')}`;

export function blockActions(input: ClickInput) {
  const actionTs = input.actionTs ?? nextTs();
  return {
    type: 'block_actions',
    user: { id: input.userId, username: input.username ?? 'agent', name: input.username ?? 'agent', team_id: TEAM.id },
    api_app_id: APP_ID,
    token: '9s8d9as89d8as9d8as989',
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: false },
    trigger_id: input.triggerId ?? `12321423423.333649436676.${actionTs.replace('.', '')}`,
    team: TEAM,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channel, name: 'refund-desk' },
    message: { type: 'message', subtype: 'bot_message', text: 'Refund case', ts: input.messageTs, bot_id: 'B0BOT0001', blocks: [] },
    state: { values: {} },
    response_url: 'https://hooks.slack.com/actions/T0001TEAM/1234567890/abcdef',
    actions: [
      {
        action_id: input.actionId,
        block_id: 'kTzMd',
        text: { type: 'plain_text', text: 'Button', emoji: true },
        value: input.value,
        type: 'button',
        action_ts: actionTs,
      },
    ],
  };
}

export interface SubmissionInput {
  userId: string;
  username?: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, Record<string, { type: string; value: string | null }>>;
  viewId?: string;
}

export function viewSubmission(input: SubmissionInput) {
  const viewId = input.viewId ?? `V${String(++sequence).padStart(8, '0')}`;
  return {
    type: 'view_submission',
    team: TEAM,
    user: { id: input.userId, username: input.username ?? 'agent', name: input.username ?? 'agent', team_id: TEAM.id },
    api_app_id: APP_ID,
    token: 'W3VDvuzi2nRLsiaDOsmJranO',
    trigger_id: `12466734323.1395872398.${viewId}`,
    view: {
      id: viewId,
      team_id: TEAM.id,
      type: 'modal',
      blocks: [],
      private_metadata: input.privateMetadata,
      callback_id: input.callbackId,
      state: { values: input.values },
      hash: '156663117.cd33ad1f',
      title: { type: 'plain_text', text: 'Refund' },
      clear_on_close: false,
      notify_on_close: false,
      close: { type: 'plain_text', text: 'Cancel' },
      submit: { type: 'plain_text', text: 'Submit' },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: APP_ID,
      external_id: '',
      app_installed_team_id: TEAM.id,
      bot_id: 'B0BOT0001',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export interface ThreadMessageInput {
  userId?: string;
  text: string;
  channel: string;
  threadTs: string;
  ts?: string;
  eventId?: string;
  botId?: string;
  subtype?: string;
  files?: unknown[];
}

export function threadMessageEvent(input: ThreadMessageInput) {
  const ts = input.ts ?? nextTs();
  return eventEnvelope(
    {
      client_msg_id: `c${ts.replace('.', '')}`,
      type: 'message',
      ...(input.subtype ? { subtype: input.subtype } : {}),
      text: input.text,
      ...(input.userId ? { user: input.userId } : {}),
      ...(input.botId ? { bot_id: input.botId } : {}),
      ts,
      blocks: [{ type: 'rich_text', block_id: 'b1', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: input.text }] }] }],
      team: TEAM.id,
      thread_ts: input.threadTs,
      parent_user_id: 'U0BOT0001',
      channel: input.channel,
      event_ts: ts,
      channel_type: 'channel',
      ...(input.files ? { files: input.files } : {}),
    },
    input.eventId ?? `Ev${ts.replace('.', '')}`,
  );
}

/** An Events API delivery of `event`: https://docs.slack.dev/apis/events-api/#callback-field */
export function eventEnvelope<E extends Record<string, unknown>>(event: E, eventId: string) {
  return {
    token: 'XXYYZZ',
    team_id: TEAM.id,
    api_app_id: APP_ID,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: 1760000100,
    authorizations: [{ enterprise_id: null, team_id: TEAM.id, user_id: 'U0BOT0001', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: '4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMDAwMVRFQU0iLCJhaWQiOiJBMDAwMURFU0siLCJjaWQiOiJDMDAwMURFU0sifQ',
  };
}

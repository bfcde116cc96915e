import { type SlackStandIn, startSlackStandIn } from './slackStandIn.ts';

/** The Slack app settings the desk suites share: signing secret, agent channel, one agent. */
export const DESK_SECRET = 'slack-signing-secret-for-tests';
export const DESK_CHANNEL = 'C0DESK0001';
export const DESK_AGENT = { id: 'U0AGENT01', name: 'wang.fang', display_name: 'Wang' };

/** A Slack Web API stand-in whose agent channel has the one agent in it. */
export async function startDeskStandIn(): Promise<SlackStandIn> {
  const slack = await startSlackStandIn();
  slack.setChannelMembers(DESK_CHANNEL, [DESK_AGENT.id]);
  slack.setUser({ id: DESK_AGENT.id, name: DESK_AGENT.name, display_name: DESK_AGENT.display_name });
  return slack;
}

/** The settings that point the assistant's agent desk (HTTP mode) at the stand-in. */
export function deskEnv(slack: SlackStandIn): Record<string, string> {
  return { SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: DESK_SECRET, SLACK_AGENT_CHANNEL: DESK_CHANNEL, SLACK_API_URL: slack.url };
}

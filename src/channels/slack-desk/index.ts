/**
 * The agent desk on Slack (issue 4): case cards and their threads (`SlackAgentDesk`, the
 * `AgentDesk` port), and the interactions that come back (`slackDeskRoutes` over HTTP, or
 * `createSlackDeskSocketMode`). Transport and presentation only: every decision is the handoff
 * service's (`act`).
 */
export { SlackAgentDesk, type SlackAgentDeskOptions } from './slackAgentDesk.ts';
export { slackDeskRoutes, type SlackDeskRoutesOptions } from './routes.ts';
export { createSlackDeskSocketMode, type SlackDeskSocketMode, type SlackDeskSocketModeOptions } from './socketMode.ts';
export { createSlackWebClient, DEFAULT_SLACK_API_URL } from './webClient.ts';
export type { ActFn, DeskInteractionOptions } from './interactions.ts';
export type { SlackAppOptions, SlackListeners } from './boltApp.ts';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './outbox.ts';

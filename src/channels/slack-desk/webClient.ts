import { WebClient } from '@slack/web-api';
import type { Logger } from '../../log/logger.ts';
import { boltLogger } from './boltLogger.ts';

/** Slack's Web API base URL; `SLACK_API_URL` points the desk at a stand-in instead. */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/**
 * The Web API client the desk uses. The SDK's default retry policy (ten retries over about
 * thirty minutes, waiting out rate limits inside the call) would hold a Slack interaction past
 * its 3-second deadline and a delivery for half an hour; so the client fails fast and the desk
 * retries itself, honouring `Retry-After` (DeskOutbox).
 */
export function createSlackWebClient(options: { token: string; slackApiUrl?: string; logger: Logger; timeoutMs?: number }): WebClient {
  if (!options?.token) throw new TypeError('createSlackWebClient: options.token is required');
  return new WebClient(options.token, {
    slackApiUrl: options.slackApiUrl ?? DEFAULT_SLACK_API_URL,
    logger: boltLogger(options.logger, 'slack-web-api'),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 10_000,
  });
}

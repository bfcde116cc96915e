import { App, type Receiver } from '@slack/bolt';
import { boltLogger } from './boltLogger.ts';
import { type DeskInteractionOptions, registerDeskListeners } from './interactions.ts';
import { DEFAULT_SLACK_API_URL } from './webClient.ts';

/** Listeners of another part of the product on the same Slack app (the customer channel). */
export interface SlackListeners {
  register(app: App): void;
}

/** What the Slack app is built from: the desk, and optionally the customer channel beside it. */
export interface SlackAppOptions extends DeskInteractionOptions {
  /**
   * The customer channel's listeners (direct messages, mentions, customers' buttons): one Slack
   * app, so one request URL or socket, one signature check and one deduplication for both.
   */
  customers?: SlackListeners;
}

/**
 * The Bolt app of the desk on a given receiver (our HTTP route, or Socket Mode). One workspace,
 * one bot token: `authorize` hands Bolt that token without calling `auth.test`, so start-up does
 * not depend on Slack being reachable. The listeners make their Web API calls through
 * `options.client`; Bolt's own client is pointed at the same base URL all the same.
 */
export function createDeskBoltApp(options: SlackAppOptions & { receiver: Receiver; slackApiUrl?: string }): App {
  const botToken = options.client.token;
  const app = new App({
    receiver: options.receiver,
    authorize: async () => ({ ...(botToken ? { botToken } : {}) }),
    // Bolt's ignoreSelf needs the bot's ids from auth.test; the listeners ignore bot messages themselves.
    ignoreSelf: false,
    // Bolt's conversation store is an in-memory map per instance; the desk keeps its state in our stores.
    convoStore: false,
    logger: boltLogger(options.logger, 'slack-bolt'),
    clientOptions: { slackApiUrl: options.slackApiUrl ?? DEFAULT_SLACK_API_URL, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
  });
  registerDeskListeners(app, options);
  options.customers?.register(app);
  return app;
}

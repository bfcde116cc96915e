import { SocketModeReceiver } from '@slack/bolt';
import { createDeskBoltApp, type SlackAppOptions } from './boltApp.ts';
import { boltLogger } from './boltLogger.ts';
import { DEFAULT_SLACK_API_URL } from './webClient.ts';

export interface SlackDeskSocketModeOptions extends SlackAppOptions {
  /** The app-level token (`xapp-…`, scope `connections:write`): `SLACK_APP_TOKEN`. */
  appToken: string;
  /** Base URL for `apps.connections.open` (the stand-in in tests, Slack otherwise). */
  slackApiUrl?: string;
}

/** A running Socket Mode connection. */
export interface SlackDeskSocketMode {
  /** Opens the WebSocket (calls `apps.connections.open`); rejects when the app token is refused. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The desk over Socket Mode, for merchants without a public URL: Slack pushes the same events
 * and interactions over a WebSocket the app opens, so no request signature is involved (the
 * app token authenticates the connection) and `/slack/events` is not mounted. Same listeners,
 * same deduplication (Slack retries over the socket with the same `event_id`).
 * https://docs.slack.dev/apis/events-api/using-socket-mode
 */
export function createSlackDeskSocketMode(options: SlackDeskSocketModeOptions): SlackDeskSocketMode {
  if (!options?.appToken?.startsWith('xapp-')) throw new TypeError('createSlackDeskSocketMode: options.appToken must be an app-level token (xapp-…)');
  const slackApiUrl = options.slackApiUrl ?? DEFAULT_SLACK_API_URL;
  const receiver = new SocketModeReceiver({
    appToken: options.appToken,
    logger: boltLogger(options.logger, 'slack-socket-mode'),
    // Only `clientOptions` is used here (no OAuth): it points apps.connections.open at slackApiUrl.
    installerOptions: { clientOptions: { slackApiUrl } },
  });
  const app = createDeskBoltApp({ ...options, receiver, slackApiUrl });
  return {
    async start() {
      await app.start();
    },
    async stop() {
      await app.stop();
    },
  };
}

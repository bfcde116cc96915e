import { Writable } from 'node:stream';
import { createSlackWebClient } from '../../src/channels/slack-desk/webClient.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { Logger } from '../../src/log/logger.ts';

export const AGENT_CHANNEL = 'C0001DESK';

/** A logger whose lines the test can read. */
export function captureLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const sink = new Writable({
    write: (chunk, _encoding, done) => {
      raw.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination: sink });
  return {
    logger,
    lines: () =>
      raw
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export function clientFor(standIn: { url: string; botToken: string }, logger: Logger) {
  return createSlackWebClient({ token: standIn.botToken, slackApiUrl: standIn.url, logger, timeoutMs: 5000 });
}

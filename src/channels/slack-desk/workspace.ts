import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../log/logger.ts';

/**
 * The workspace the app is installed in (its team id), asked of Slack once with `auth.test` and
 * kept for the life of the process; a failed lookup is not kept (the next caller asks again).
 * https://docs.slack.dev/reference/methods/auth.test
 *
 * Why `auth.test` rather than the `team_id` of the payloads: it names the token's own workspace
 * whatever the payload, while a payload's team fields describe where an event or click happened
 * and who made it — exactly what is being checked. It is asked lazily, on the first desk action,
 * so start-up still does not depend on Slack.
 */
export class HomeWorkspace {
  readonly #client: WebClient;
  readonly #logger: Logger;
  #team: Promise<string> | undefined;

  constructor(options: { client: WebClient; logger: Logger }) {
    if (!options?.client) throw new TypeError('HomeWorkspace: options.client is required');
    this.#client = options.client;
    this.#logger = options.logger;
  }

  /** The team id, or undefined when Slack could not be asked (callers fail closed). */
  async teamId(): Promise<string | undefined> {
    const pending = (this.#team ??= this.#client.auth.test().then((result) => {
      if (!result.team_id) throw new Error('auth.test answered without a team_id');
      return result.team_id;
    }));
    try {
      return await pending;
    } catch (error) {
      if (this.#team === pending) this.#team = undefined;
      this.#logger.warn({ err: error }, 'slack desk: could not learn the workspace (auth.test)');
      return undefined;
    }
  }
}

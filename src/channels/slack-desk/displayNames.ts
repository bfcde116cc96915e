import type { WebClient } from '@slack/web-api';
import type { Clock } from '../../domain/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { TtlCache } from '../../concurrency/ttlCache.ts';

/**
 * Agents' display names, as the customer will see them on replies: the profile's display name,
 * else the real name, else the username (users.info, cached ten minutes by default).
 * https://docs.slack.dev/reference/methods/users.info
 */
export class DisplayNames {
  readonly #client: WebClient;
  readonly #logger: Logger;
  readonly #cache: TtlCache<string>;

  constructor(options: { client: WebClient; clock: Clock; logger: Logger; ttlMs?: number }) {
    if (!options?.client) throw new TypeError('DisplayNames: options.client is required');
    this.#client = options.client;
    this.#logger = options.logger;
    this.#cache = new TtlCache({ ttlMs: options.ttlMs ?? 10 * 60_000, clock: options.clock });
  }

  /** The user's name; `fallback` (e.g. the username a payload carried) when Slack cannot say. */
  async of(userId: string, fallback?: string): Promise<string> {
    try {
      return await this.#cache.get(userId, async () => {
        const { user } = await this.#client.users.info({ user: userId });
        const name = [user?.profile?.display_name, user?.profile?.real_name, user?.real_name, user?.name].find((candidate) => candidate?.trim());
        if (!name) throw new Error('users.info answered without a name');
        return name.trim();
      });
    } catch (error) {
      this.#logger.warn({ err: error, userId }, 'slack desk: could not look up a display name');
      return fallback?.trim() || 'Support agent';
    }
  }
}

import type { WebClient } from '@slack/web-api';
import type { Clock } from '../../domain/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { TtlCache } from './ttlCache.ts';

/** Whether a Slack user may act on cases: `unknown` when Slack could not be asked (fail closed). */
export type AccessVerdict = 'allowed' | 'denied' | 'unknown';

/**
 * Who may act on the desk: members of the agent channel, or of a configured user group. Checked
 * on the server for every action (a card is visible to, and its buttons clickable by, anyone who
 * can see the channel's messages, e.g. through a shared link or an export).
 *
 * Membership lists are cached briefly (a minute by default), so an agent removed from the
 * channel loses access within that time, and a burst of clicks costs one API call.
 * https://docs.slack.dev/reference/methods/conversations.members
 * https://docs.slack.dev/reference/methods/usergroups.users.list
 */
export class DeskAccess {
  readonly #client: WebClient;
  readonly #channel: string;
  readonly #usergroup: string | undefined;
  readonly #logger: Logger;
  readonly #cache: TtlCache<ReadonlySet<string>>;

  constructor(options: { client: WebClient; channel: string; usergroup?: string; clock: Clock; logger: Logger; ttlMs?: number }) {
    if (!options?.client) throw new TypeError('DeskAccess: options.client is required');
    if (!options.channel) throw new TypeError('DeskAccess: options.channel is required');
    this.#client = options.client;
    this.#channel = options.channel;
    this.#usergroup = options.usergroup || undefined;
    this.#logger = options.logger;
    this.#cache = new TtlCache({ ttlMs: options.ttlMs ?? 60_000, clock: options.clock, maxEntries: 10 });
  }

  async check(userId: string): Promise<AccessVerdict> {
    let lookupFailed = false;
    for (const [key, load] of this.#sources()) {
      try {
        const members = await this.#cache.get(key, load);
        if (members.has(userId)) return 'allowed';
      } catch (error) {
        lookupFailed = true;
        this.#logger.warn({ err: error, source: key }, 'slack desk: could not read the agents list');
      }
    }
    return lookupFailed ? 'unknown' : 'denied';
  }

  #sources(): [string, () => Promise<ReadonlySet<string>>][] {
    const sources: [string, () => Promise<ReadonlySet<string>>][] = [[`channel:${this.#channel}`, () => this.#channelMembers()]];
    const usergroup = this.#usergroup;
    if (usergroup) sources.push([`usergroup:${usergroup}`, () => this.#usergroupMembers(usergroup)]);
    return sources;
  }

  /** Every member of the channel, across pages (`next_cursor` is "" on the last page). */
  async #channelMembers(): Promise<ReadonlySet<string>> {
    const members = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const result = await this.#client.conversations.members({ channel: this.#channel, limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const member of result.members ?? []) members.add(member);
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return members;
  }

  async #usergroupMembers(usergroup: string): Promise<ReadonlySet<string>> {
    const result = await this.#client.usergroups.users.list({ usergroup });
    return new Set(result.users ?? []);
  }
}

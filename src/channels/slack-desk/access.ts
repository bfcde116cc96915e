import type { WebClient } from '@slack/web-api';
import type { Clock } from '../../domain/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { TtlCache } from '../../concurrency/ttlCache.ts';
import { HomeWorkspace } from './workspace.ts';

/** Whether a Slack user may act on cases: `unknown` when Slack could not be asked (fail closed). */
export type AccessVerdict = 'allowed' | 'denied' | 'unknown';

/** The Slack user asking to act, as a payload names them. */
export interface SlackActor {
  id: string;
  /**
   * The user's own workspace, when the payload says (`user.team_id` of a click or submission,
   * `user_team`/`team` of a message event).
   */
  teamId?: string | undefined;
}

/**
 * Who may act on the desk: members of the agent channel, or of a configured user group. Checked
 * on the server for every action (a card is visible to, and its buttons clickable by, anyone who
 * can see the channel's messages, e.g. through a shared link or an export).
 *
 * Membership lists are cached briefly (a minute by default), so an agent removed from the
 * channel loses access within that time, and a burst of clicks costs one API call.
 * https://docs.slack.dev/reference/methods/conversations.members
 * https://docs.slack.dev/reference/methods/usergroups.users.list
 *
 * Customers talk to the same Slack app (direct messages, mentions), so they can send the same
 * kinds of payloads as agents — a click on a desk button can be forged by anyone in the
 * workspace. Membership is what tells them apart; in addition, people of another organisation
 * (Slack Connect: the payload names a team other than the app's own workspace) never act, even
 * when they are in a shared agent channel: the desk acts for the merchant, and guests from
 * another organisation are not the merchant's staff.
 * https://docs.slack.dev/apis/slack-connect/
 */
export class DeskAccess {
  readonly #client: WebClient;
  readonly #channel: string;
  readonly #usergroup: string | undefined;
  readonly #logger: Logger;
  readonly #cache: TtlCache<ReadonlySet<string>>;
  readonly #home: HomeWorkspace;

  constructor(options: { client: WebClient; channel: string; usergroup?: string; clock: Clock; logger: Logger; ttlMs?: number; home?: HomeWorkspace }) {
    if (!options?.client) throw new TypeError('DeskAccess: options.client is required');
    if (!options.channel) throw new TypeError('DeskAccess: options.channel is required');
    this.#client = options.client;
    this.#channel = options.channel;
    this.#usergroup = options.usergroup || undefined;
    this.#logger = options.logger;
    this.#cache = new TtlCache({ ttlMs: options.ttlMs ?? 60_000, clock: options.clock, maxEntries: 10 });
    this.#home = options.home ?? new HomeWorkspace({ client: options.client, logger: options.logger });
  }

  async check(actor: SlackActor): Promise<AccessVerdict> {
    const member = await this.#member(actor.id);
    if (member !== 'allowed' || actor.teamId === undefined) return member;
    const home = await this.#home.teamId();
    if (home === undefined) return 'unknown';
    if (actor.teamId === home) return 'allowed';
    this.#logger.warn({ userId: actor.id, teamId: actor.teamId }, 'slack desk: a user of another workspace may not act');
    return 'denied';
  }

  async #member(userId: string): Promise<AccessVerdict> {
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

/**
 * Where a Slack customer's conversation lives and where its answers go: the workspace, the
 * customer, the conversation they wrote in (a direct message `D…`, or a channel) and, for a
 * conversation started by a mention in a channel, the thread it is answered in. Stored with the
 * conversation as its `externalId`, so every instance can answer the customer, proactive
 * messages (an agent's reply, a case update) included.
 *
 * The conversation is derived from the whole address: one conversation per person per direct
 * message, and one per person per thread of a channel.
 */
export interface SlackAddress {
  /** The workspace the event was delivered for (the envelope's `team_id`). */
  team: string;
  user: string;
  channel: string;
  /** The thread answers go to; absent in a direct message, where answers are top-level. */
  threadTs?: string;
}

/** Slack ids (`T…`, `U…`, `D…`, `C…`) are upper-case letters and digits; `_` stands for an unknown workspace. */
const ID = /^[A-Z0-9_]+$/;
const TS = /^\d+\.\d+$/;

/** `team/user/channel[/threadTs]`: readable in the store, and none of the parts can hold a `/`. */
export function encodeAddress(address: SlackAddress): string {
  return [address.team, address.user, address.channel, ...(address.threadTs ? [address.threadTs] : [])].join('/');
}

/** The address an `externalId` names, or undefined for anything else. */
export function decodeAddress(externalId: string): SlackAddress | undefined {
  const [team, user, channel, threadTs, ...rest] = externalId.split('/');
  if (!team || !user || !channel || rest.length > 0) return undefined;
  if (![team, user, channel].every((part) => ID.test(part))) return undefined;
  if (threadTs !== undefined && !TS.test(threadTs)) return undefined;
  return { team, user, channel, ...(threadTs !== undefined ? { threadTs } : {}) };
}

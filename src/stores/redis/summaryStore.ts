import { assertTurnSummary, type ConversationSummary, type TurnSummary } from '../../domain/conversationSummary.ts';
import { checkPage, checkPeriod } from '../pages.ts';
import type { ConversationSummaryStore } from '../ports.ts';
import { type RedisKeys, summaryMember } from './keys.ts';
import { defineLua, type RedisLink } from './link.ts';
import { corrupt } from './records.ts';
import { arrayReply, stringReply } from './replies.ts';

/**
 * The merge of domain/conversationSummary.ts `applyTurn`, as a Lua function shared by the turn
 * commit (so a turn's summary costs no round trip of its own) and `record`. `a` is ARGV and `o`
 * the position of the summary's first argument (see `summaryArgs`): channel, locale, startedAt
 * ms, at ms, customer turns, '1' when the assistant replied, awaiting ('' = nothing), handed to
 * people '1'/'0', has case '1'/'0', retention ms, member.
 *
 * The hash lives `retention` after the turn; the index drops members whose conversation started
 * more than `retention` before this turn, so it never grows past the retention window.
 */
export const MERGE_SUMMARY = `
local function merge_summary(hash, index, a, o)
  local started, at, retention = a[o + 2], a[o + 3], tonumber(a[o + 9])
  if redis.call('EXISTS', hash) == 0 then
    redis.call('HSET', hash, 'channel', a[o], 'startedAt', started, 'lastActiveAt', at, 'turns', 0, 'handed', 0, 'hasCase', 0)
  elseif tonumber(redis.call('HGET', hash, 'lastActiveAt')) < tonumber(at) then
    redis.call('HSET', hash, 'lastActiveAt', at)
  end
  redis.call('HSET', hash, 'locale', a[o + 1])
  redis.call('HINCRBY', hash, 'turns', a[o + 4])
  if a[o + 5] == '1' then
    if a[o + 6] == '' then redis.call('HDEL', hash, 'awaiting') else redis.call('HSET', hash, 'awaiting', a[o + 6]) end
  end
  if a[o + 7] == '1' then redis.call('HSET', hash, 'handed', 1) end
  if a[o + 8] == '1' then redis.call('HSET', hash, 'hasCase', 1) end
  redis.call('PEXPIRE', hash, retention)
  redis.call('ZADD', index, started, a[o + 10])
  redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. (tonumber(at) - retention))
end
`;

/** How many ARGV a summary takes in MERGE_SUMMARY. */
export const SUMMARY_ARGC = 11;

/** The ARGV of MERGE_SUMMARY for one turn (checked first: a bad value writes nothing). */
export function summaryArgs(conversationId: string, turn: TurnSummary, retentionMs: number): string[] {
  assertTurnSummary(conversationId, turn);
  return [
    turn.channel,
    turn.locale,
    String(turn.startedAt.getTime()),
    String(turn.at.getTime()),
    String(turn.customerTurns),
    turn.awaiting === undefined ? '0' : '1',
    turn.awaiting ?? '',
    turn.handedToPeople ? '1' : '0',
    turn.hasCase ? '1' : '0',
    String(retentionMs),
    summaryMember(turn.startedAt, conversationId),
  ];
}

/** KEYS: summary hash, summaries index. ARGV: the summary (MERGE_SUMMARY). */
const RECORD_SUMMARY = defineLua(
  'record conversation summary',
  `${MERGE_SUMMARY}
merge_summary(KEYS[1], KEYS[2], ARGV, 1)
return 1
`,
);

/**
 * KEYS: summaries index. ARGV: hash prefix, from ms, to ms, after member or '', limit. Returns
 * member, channel, locale, lastActiveAt, turns, awaiting ('' = none), handed, hasCase, flat, per
 * summary. Members whose hash is gone (expired, not yet dropped from the index) are skipped and
 * the page is filled from further on, so a short page is always the last. A cursor no longer in
 * the index (dropped after the retention, with everything before it) starts at `from`.
 */
const LIST_SUMMARIES = defineLua(
  'list conversation summaries',
  `
local index, prefix = KEYS[1], ARGV[1]
local from, to, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
local start
if ARGV[4] ~= '' then
  local rank = redis.call('ZRANK', index, ARGV[4])
  if rank then start = rank + 1 end
end
if not start then start = redis.call('ZCOUNT', index, '-inf', '(' .. ARGV[2]) end
local out, found, done = {}, 0, false
while not done do
  local items = redis.call('ZRANGE', index, start, start + limit - 1, 'WITHSCORES')
  if #items == 0 then break end
  for i = 1, #items, 2 do
    local score = tonumber(items[i + 1])
    if score >= to then done = true break end
    if score >= from then
      local f = redis.call('HMGET', prefix .. items[i], 'channel', 'locale', 'lastActiveAt', 'turns', 'awaiting', 'handed', 'hasCase')
      if f[1] then
        out[#out + 1] = items[i]
        for j = 1, 7 do out[#out + 1] = f[j] or '' end
        found = found + 1
        if found == limit then done = true break end
      end
    end
  end
  start = start + limit
end
return out
`,
);

export const SUMMARY_SCRIPTS = [RECORD_SUMMARY, LIST_SUMMARIES];

/** Conversation summaries in Redis: a hash per summary and a sorted set of them by startedAt (index.ts). */
export class RedisSummaryStore implements ConversationSummaryStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #retentionMs: number;

  constructor(options: { link: RedisLink; keys: RedisKeys; retentionMs: number }) {
    this.#link = options.link;
    this.#keys = options.keys;
    this.#retentionMs = options.retentionMs;
  }

  async record(conversationId: string, turn: TurnSummary): Promise<void> {
    const args = summaryArgs(conversationId, turn, this.#retentionMs);
    await this.#link.script(RECORD_SUMMARY, [this.#keys.conversationSummary(summaryMember(turn.startedAt, conversationId)), this.#keys.conversationSummaries], args);
  }

  async listStarted(from: Date, to: Date, page: { after?: { startedAt: Date; conversationId: string }; limit: number }): Promise<ConversationSummary[]> {
    checkPeriod(from, to);
    const limit = checkPage(page);
    const after = page.after ? summaryMember(page.after.startedAt, page.after.conversationId) : '';
    const what = LIST_SUMMARIES.name;
    const reply = arrayReply(
      await this.#link.script(LIST_SUMMARIES, [this.#keys.conversationSummaries], [this.#keys.conversationSummaryPrefix, String(from.getTime()), String(to.getTime()), after, String(limit)]),
      what,
    );
    const summaries: ConversationSummary[] = [];
    for (let offset = 0; offset < reply.length; offset += 8) {
      const field = (at: number): string => stringReply(reply[offset + at], what);
      const member = field(0);
      const colon = member.indexOf(':');
      const startedAt = Number(member.slice(0, colon));
      const lastActiveAt = Number(field(3));
      const customerTurns = Number(field(4));
      if (colon < 1 || !Number.isSafeInteger(startedAt) || !Number.isSafeInteger(lastActiveAt) || !Number.isSafeInteger(customerTurns)) {
        throw corrupt(`Conversation summary ${member}`, 'startedAt/lastActiveAt/turns', 'integers');
      }
      summaries.push({
        conversationId: member.slice(colon + 1),
        channel: field(1),
        locale: field(2),
        startedAt: new Date(startedAt),
        lastActiveAt: new Date(lastActiveAt),
        customerTurns,
        awaiting: field(5) === '' ? null : field(5),
        handedToPeople: field(6) === '1',
        hasCase: field(7) === '1',
      });
    }
    return summaries;
  }
}

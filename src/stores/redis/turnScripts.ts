import { CHANNEL_MESSAGES } from './channelHub.ts';
import { defineLua } from './link.ts';
import { MERGE_SUMMARY, SUMMARY_ARGC } from './summaryStore.ts';

// ARGV of COMMIT_TURN: where the summary starts, and where the privacy links start after it
// (the transcript follows them).
export const COMMIT_SUMMARY_AT = 9;
export const COMMIT_LINKS_AT = COMMIT_SUMMARY_AT + SUMMARY_ARGC;

// The per-conversation turn queue, in Lua so that each step is atomic and one round trip.
//
// A turn is identified by a random token. On arrival it takes the next ticket of the
// conversation and joins the queue (a sorted set: token by ticket, so first come, first served).
// Each queued token has a deadline (a hash: token → epoch ms, Redis's own clock): a waiter's
// deadline is pushed forward each time it polls (`graceMs`), the head's becomes `leaseMs` from
// when it takes the turn. The live head is the first token whose deadline has not passed; dead
// entries in front of it (a holder whose instance died, a waiter that stopped polling) are
// dropped by whichever script looks next. The turn belongs to the live head. When the queue
// empties both keys are deleted, so an idle conversation keeps no turn keys at all; while in
// use they carry a TTL (`keepMs`) so that a queue everyone abandoned disappears by itself.
//
// Shared KEYS of ENTER and POLL: 1 queue, 2 deadlines, 3 state item.
// Shared ARGV of ENTER and POLL: 1 token, 2 lease ms, 3 grace ms, 4 keep ms.
// Replies: {1, etag|nil, value|nil} the turn is yours (with the state snapshot);
//          {0, ms} wait: the live head's deadline is ms away; {-1} (POLL) your entry is gone.

const PRELUDE = `
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

local function live_head(queue, deadlines, now)
  while true do
    local head = redis.call('ZRANGE', queue, 0, 0)[1]
    if not head then return nil, nil end
    local deadline = tonumber(redis.call('HGET', deadlines, head))
    if deadline and deadline > now then return head, deadline end
    redis.call('ZREM', queue, head)
    redis.call('HDEL', deadlines, head)
  end
end

-- Takes the token out of the queue; returns the token now first in line, if any.
local function leave(queue, deadlines, token)
  redis.call('ZREM', queue, token)
  redis.call('HDEL', deadlines, token)
  local next_token = redis.call('ZRANGE', queue, 0, 0)[1]
  if not next_token then redis.call('DEL', queue, deadlines) end
  return next_token
end

-- Tells the channel a turn ended: the kind, then the next in line, so only that one polls.
local function announce(channel, kind, next_token)
  if next_token then
    redis.call('PUBLISH', channel, kind .. ' ' .. next_token)
  elseif kind == '${CHANNEL_MESSAGES.transcript}' then
    redis.call('PUBLISH', channel, kind)
  end
end

local function take_turn_or_wait(now)
  local head, deadline = live_head(KEYS[1], KEYS[2], now)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  if head == ARGV[1] then
    redis.call('HSET', KEYS[2], ARGV[1], now + tonumber(ARGV[2]))
    local state = redis.call('HMGET', KEYS[3], 'etag', 'value')
    return {1, state[1], state[2]}
  end
  if not head then return {0, 0} end
  return {0, deadline - now}
end
`;

/** A turn arrives: takes a ticket, joins the queue, and takes the turn at once if nobody is ahead. */
export const ENTER_TURN = defineLua(
  'enter turn',
  `${PRELUDE}
local now = now_ms()
local ticket = redis.call('HINCRBY', KEYS[2], '#', 1)
redis.call('ZADD', KEYS[1], ticket, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], now + tonumber(ARGV[3]))
return take_turn_or_wait(now)
`,
);

/** A waiting turn checks again (woken or on its timer) and proves it is still alive. */
export const POLL_TURN = defineLua(
  'poll turn',
  `${PRELUDE}
local now = now_ms()
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {-1} end
redis.call('HSET', KEYS[2], ARGV[1], now + tonumber(ARGV[3]))
return take_turn_or_wait(now)
`,
);

/**
 * A turn ends with its commit. KEYS: 1 queue, 2 deadlines, 3 state item, 4 transcript,
 * 5 conversation record, 6 conversation summary, 7 summaries index, 8 the conversation's
 * customers, 9 its proof-file uploads. ARGV: 1 token, 2 conversation TTL ms, 3 channel, 4 '1' to
 * write the state, 5 the eTag it must have ('' = must not exist), 6 its new eTag, 7 its JSON,
 * 8 '1' to merge the summary, 9…19 the summary (see MERGE_SUMMARY; placeholders when there is
 * none), 20 the customer-conversations key prefix, 21 the evidence key prefix, 22 the
 * conversation id, 23 n, 24… n customer ids to link the conversation to, then the transcript
 * activities' JSON.
 *
 * The privacy index (keys.ts customerConversations) and the conversation's proof files live as
 * long as the conversation: each commit restarts their TTLs with the conversation's, reading the
 * keys named in KEYS 8 and 9 (standalone Redis only, like the listing scripts).
 *
 * Refuses ({-1}, nothing written) unless the token is still the queue's head: a turn that overran
 * its lease and was taken over must not write. On an eTag mismatch ({-2}) nothing is written
 * and the turn ends. Otherwise writes the state, appends the transcript, restarts the TTL of the
 * conversation's keys, ends the turn and publishes on the channel ({1, last seq}): 'transcript'
 * when it appended, and in any case the next token in line, if there is one, to wake it.
 */
export const COMMIT_TURN = defineLua(
  'commit turn',
  `${PRELUDE}${MERGE_SUMMARY}
local token = ARGV[1]
if redis.call('ZRANGE', KEYS[1], 0, 0)[1] ~= token then return {-1} end
if ARGV[4] == '1' then
  local stored = redis.call('HGET', KEYS[3], 'etag')
  local expected = ARGV[5]
  if (expected == '' and stored) or (expected ~= '' and stored ~= expected) then
    announce(ARGV[3], '${CHANNEL_MESSAGES.released}', leave(KEYS[1], KEYS[2], token))
    return {-2}
  end
  redis.call('HSET', KEYS[3], 'etag', ARGV[6], 'value', ARGV[7])
end
local L = ${COMMIT_LINKS_AT}
local links = tonumber(ARGV[L + 3])
local last = 0
for i = L + 4 + links, #ARGV do
  last = redis.call('RPUSH', KEYS[4], ARGV[i])
end
for i = 3, 5 do
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
end
if links > 0 then
  local linked_at = now_ms()
  for i = L + 4, L + 3 + links do
    redis.call('SADD', KEYS[8], ARGV[i])
    redis.call('ZADD', ARGV[L] .. ARGV[i], 'NX', linked_at, ARGV[L + 2])
  end
end
redis.call('PEXPIRE', KEYS[8], ARGV[2])
for _, customer in ipairs(redis.call('SMEMBERS', KEYS[8])) do
  redis.call('PEXPIRE', ARGV[L] .. customer, ARGV[2])
end
redis.call('PEXPIRE', KEYS[9], ARGV[2])
for _, id in ipairs(redis.call('HKEYS', KEYS[9])) do
  redis.call('PEXPIRE', ARGV[L + 1] .. id, ARGV[2])
end
if ARGV[8] == '1' then merge_summary(KEYS[6], KEYS[7], ARGV, ${COMMIT_SUMMARY_AT}) end
local kind = last > 0 and '${CHANNEL_MESSAGES.transcript}' or '${CHANNEL_MESSAGES.released}'
announce(ARGV[3], kind, leave(KEYS[1], KEYS[2], token))
return {1, last}
`,
);

/**
 * A turn ends without writing (its work threw) or a waiter gives up. KEYS: 1 queue,
 * 2 deadlines. ARGV: 1 token, 2 channel. Wakes the waiters when the token was the head.
 */
export const RELEASE_TURN = defineLua(
  'release turn',
  `${PRELUDE}
local was_head = redis.call('ZRANGE', KEYS[1], 0, 0)[1] == ARGV[1]
local next_token = leave(KEYS[1], KEYS[2], ARGV[1])
if was_head then announce(ARGV[2], '${CHANNEL_MESSAGES.released}', next_token) end
return 0
`,
);

/** The turn store's scripts, loaded at start-up. */
export const TURN_SCRIPTS = [ENTER_TURN, POLL_TURN, COMMIT_TURN, RELEASE_TURN];

import { defineLua } from './link.ts';

/**
 * The case store's reads by period (insight figures): one Lua script per page of a time index,
 * reading the records the index names in the same call, so a page costs one round trip however
 * deep it is. Kept apart from the case writes in caseStore.ts, which loads them with its own.
 */

// One page of a time index (a sorted set by epoch ms): the members whose score is in
// [from, to), after the member `after` ('' for the first page), at most `limit`. A page starts by
// rank, so it costs O(log N + limit) however deep it is. An `after` that is not in the index
// gives an empty page (a cursor must come from the previous page).
const PAGE_OF = `
local function page_of(index, from, to, after, limit)
  local start
  if after ~= '' then
    local rank = redis.call('ZRANK', index, after)
    if not rank then return {} end
    start = rank + 1
  else
    start = redis.call('ZCOUNT', index, '-inf', '(' .. from)
  end
  local members = {}
  local items = redis.call('ZRANGE', index, start, start + tonumber(limit) - 1, 'WITHSCORES')
  for i = 1, #items, 2 do
    local score = tonumber(items[i + 1])
    if score >= tonumber(to) then break end
    if score >= tonumber(from) then members[#members + 1] = items[i] end
  end
  return members
end

-- A case as {data, status, updatedAt[, audit JSON list]}, or nil when it does not exist.
local function case_entry(case_prefix, audit_prefix, id, with_audit)
  local fields = redis.call('HMGET', case_prefix .. id, 'data', 'status', 'updatedAt')
  if not fields[1] then return nil end
  if with_audit then fields[4] = redis.call('LRANGE', audit_prefix .. id, 0, -1) end
  return fields
end
`;

/**
 * KEYS: cases by created. ARGV: case prefix, audit prefix, from ms, to ms, after id or '',
 * limit, '1' to include each case's audit trail. Returns one entry per case (see case_entry).
 */
export const LIST_CREATED = defineLua(
  'list cases by creation',
  `${PAGE_OF}
local out = {}
for _, id in ipairs(page_of(KEYS[1], ARGV[3], ARGV[4], ARGV[5], ARGV[6])) do
  local entry = case_entry(ARGV[1], ARGV[2], id, ARGV[7] == '1')
  if entry then out[#out + 1] = entry end
end
return out
`,
);

/** No KEYS (ids are named by the caller). ARGV: case prefix, audit prefix, case ids…. Entries as LIST_CREATED, unknown ids left out. */
export const CASES_WITH_AUDIT = defineLua(
  'cases with audit',
  `${PAGE_OF}
local out = {}
for i = 3, #ARGV do
  local entry = case_entry(ARGV[1], ARGV[2], ARGV[i], true)
  if entry then out[#out + 1] = entry end
end
return out
`,
);

/**
 * KEYS: audit by time. ARGV: audit prefix, from ms, to ms, after member or '', limit. Returns
 * {event JSON, seq} flat, one pair per listed event.
 */
export const LIST_AUDIT = defineLua(
  'list audit events by time',
  `${PAGE_OF}
local out = {}
for _, member in ipairs(page_of(KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])) do
  local sep = string.find(member, string.char(0), 1, true)
  local seq = tonumber(string.sub(member, sep + 1))
  local json = redis.call('LINDEX', ARGV[1] .. string.sub(member, 1, sep - 1), seq - 1)
  if json then
    out[#out + 1] = json
    out[#out + 1] = seq
  end
end
return out
`,
);

/** KEYS: escalations by time. ARGV: escalation prefix, from ms, to ms, after id or '', limit. Returns each escalation's JSON. */
export const LIST_ESCALATIONS_BY_TIME = defineLua(
  'list escalations by time',
  `${PAGE_OF}
local out = {}
for _, id in ipairs(page_of(KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])) do
  local data = redis.call('HGET', ARGV[1] .. id, 'data')
  if data then out[#out + 1] = data end
end
return out
`,
);

import type { RedisKeys } from './keys.ts';
import { defineLua, type RedisLink } from './link.ts';
import { arrayReply, stringReply } from './replies.ts';
import { PERIOD_AUDIT_TYPES } from '../ports.ts';

/**
 * KEYS: cases by created, audit by time. ARGV: case prefix, audit prefix, the listed audit kinds
 * joined by ',', case ids…. Adds each case, and its audit events of the listed kinds, to the
 * time indexes (idempotent: ZADD of what is already there changes nothing).
 */
const INDEX_CASES = defineLua(
  'index cases by time',
  `
local listed = {}
for kind in string.gmatch(ARGV[3], '[^,]+') do listed[kind] = true end
for i = 4, #ARGV do
  local id = ARGV[i]
  local data = redis.call('HGET', ARGV[1] .. id, 'data')
  if data then
    redis.call('ZADD', KEYS[1], cjson.decode(data).createdAt, id)
    for seq, json in ipairs(redis.call('LRANGE', ARGV[2] .. id, 0, -1)) do
      local event = cjson.decode(json)
      if listed[event.type] then
        redis.call('ZADD', KEYS[2], event.at, id .. string.char(0) .. string.format('%010d', seq))
      end
    end
  end
end
return 0
`,
);

/** KEYS: escalations by time. ARGV: escalation prefix, ids…. */
const INDEX_ESCALATIONS = defineLua(
  'index escalations by time',
  `
for i = 2, #ARGV do
  local data = redis.call('HGET', ARGV[1] .. ARGV[i], 'data')
  if data then redis.call('ZADD', KEYS[1], cjson.decode(data).at, ARGV[i]) end
end
return 0
`,
);

export const PERIOD_INDEX_SCRIPTS = [INDEX_CASES, INDEX_ESCALATIONS];

const BATCH = 500;

/**
 * Builds the time indexes (cases by created, audit by time, escalations by time) over cases and
 * escalations stored by a release that did not keep them, once per key prefix: when the marker
 * key is there, this is one EXISTS. Every case script keeps the indexes up to date from then on.
 * Upgrade every instance together: a case written by an older instance meanwhile is not indexed.
 */
export async function buildPeriodIndexes(link: RedisLink, keys: RedisKeys): Promise<void> {
  if ((await link.command(['EXISTS', keys.periodIndexesBuilt])) === 1) return;
  await scan(link, keys.casePrefix, async (ids) => {
    await link.script(INDEX_CASES, [keys.casesByCreated, keys.auditByTime], [keys.casePrefix, keys.auditPrefix, PERIOD_AUDIT_TYPES.join(','), ...ids]);
  });
  await scan(link, keys.escalationPrefix, async (ids) => {
    await link.script(INDEX_ESCALATIONS, [keys.escalationsByTime], [keys.escalationPrefix, ...ids]);
  });
  await link.command(['SET', keys.periodIndexesBuilt, '1']);
}

/** SCANs the keys under `prefix` and hands their ids (the rest of the key) over in batches. */
async function scan(link: RedisLink, prefix: string, each: (ids: string[]) => Promise<void>): Promise<void> {
  // MATCH is a glob: escape its special characters in the prefix.
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, found] = arrayReply(await link.command(['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(BATCH)]), 'SCAN');
    cursor = stringReply(next, 'SCAN');
    const ids = arrayReply(found, 'SCAN').map((key) => stringReply(key, 'SCAN').slice(prefix.length));
    if (ids.length > 0) await each(ids);
  } while (cursor !== '0');
}

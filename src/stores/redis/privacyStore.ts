import { caseNotFound } from '../../cases/errors.ts';
import type { AuditEvent, RefundCase } from '../../domain/case.ts';
import type { ConversationSummary } from '../../domain/conversationSummary.ts';
import { EVIDENCE_EXTENSIONS, type EvidenceContentType } from '../../evidence/contentType.ts';
import { ConflictError } from '../../errors.ts';
import { MAX_PAGE, type DeskStore, type ErasedConversation, type HeldConversation, type PrivacyStore } from '../ports.ts';
import { auditData, caseData } from './caseRecords.ts';
import { DROP_DESK_ENTRIES } from './deskStore.ts';
import type { RedisConversationStore } from './conversationStore.ts';
import type { RedisKeys } from './keys.ts';
import { defineLua, type RedisLink } from './link.ts';
import { parseRecord } from './records.ts';
import { arrayReply, integerReply, optionalStringReply, stringReply } from './replies.ts';
import type { RedisSummaryStore } from './summaryStore.ts';
import type { RedisTranscriptStore } from './transcriptStore.ts';

const CONTENT_TYPES = Object.keys(EVIDENCE_EXTENSIONS) as EvidenceContentType[];

/**
 * KEYS: 1 record, 2 state item (the record's key when unknown), 3 transcript, 4 the
 * conversation's uploads, 5 its customers, 6 desk open, 7 desk open order, 8 desk threads,
 * 9 desk thread index. ARGV: 1 conversation id, 2 evidence key prefix, 3 customer-conversations
 * key prefix, 4 '1' when KEYS[2] is the state item. A proof file goes with its last upload; one
 * another conversation uploaded too stays, named as that upload. Returns {record, state,
 * transcript entries, files, desk entries} deleted.
 */
const ERASE_CONVERSATION = defineLua(
  'erase conversation',
  `${DROP_DESK_ENTRIES}
local id = ARGV[1]
local record = redis.call('DEL', KEYS[1])
local state = 0
if ARGV[4] == '1' then state = redis.call('DEL', KEYS[2]) end
local entries = redis.call('LLEN', KEYS[3])
redis.call('DEL', KEYS[3])
local files = 0
for _, evidence in ipairs(redis.call('HKEYS', KEYS[4])) do
  local key = ARGV[2] .. evidence
  redis.call('HDEL', key, 'up:' .. id)
  local other
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.sub(field, 1, 3) == 'up:' then other = field break end
  end
  if other then
    if redis.call('HGET', key, 'conversationId') == id then
      redis.call('HSET', key, 'conversationId', string.sub(other, 4), 'name', redis.call('HGET', key, other))
    end
  elseif redis.call('DEL', key) == 1 then
    files = files + 1
  end
end
redis.call('DEL', KEYS[4])
for _, customer in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  redis.call('ZREM', ARGV[3] .. customer, id)
end
redis.call('DEL', KEYS[5])
local desk = drop_desk_entries(KEYS[6], KEYS[7], KEYS[8], KEYS[9], id)
return {record, state, entries, files, desk}
`,
);

/**
 * KEYS: case, audit. ARGV: 1 the case's anonymised data JSON, 2 n, 3… the n anonymised audit
 * events, then the event to append. Returns 0 for an unknown case, -1 when the trail no longer
 * has n events (something was appended meanwhile: read again), 1 when done.
 */
const ANONYMISE_CASE = defineLua(
  'anonymise case',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[2])
if redis.call('LLEN', KEYS[2]) ~= n then return -1 end
redis.call('HSET', KEYS[1], 'data', ARGV[1])
for i = 1, n do
  redis.call('LSET', KEYS[2], i - 1, ARGV[2 + i])
end
redis.call('RPUSH', KEYS[2], ARGV[3 + n])
return 1
`,
);

/** The privacy store's scripts, loaded at start-up. */
export const PRIVACY_SCRIPTS = [ERASE_CONVERSATION, ANONYMISE_CASE];

/**
 * A customer's data in Redis: the index the turn commits write (keys.ts customerConversations,
 * conversationCustomers, conversationEvidence; TTLs restarted with the conversation's), reads of
 * everything one conversation left, its erasure and a case's anonymisation, one script each.
 * Reads here are for the command line, not for turns: finding a conversation's summaries scans
 * the summaries index.
 */
export class RedisPrivacyStore implements PrivacyStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #conversations: RedisConversationStore;
  readonly #transcripts: RedisTranscriptStore;
  readonly #summaries: RedisSummaryStore;
  readonly #desk: DeskStore;

  constructor(options: {
    link: RedisLink;
    keys: RedisKeys;
    conversations: RedisConversationStore;
    transcripts: RedisTranscriptStore;
    summaries: RedisSummaryStore;
    desk: DeskStore;
  }) {
    this.#link = options.link;
    this.#keys = options.keys;
    this.#conversations = options.conversations;
    this.#transcripts = options.transcripts;
    this.#summaries = options.summaries;
    this.#desk = options.desk;
  }

  async conversationsOf(customerId: string): Promise<string[]> {
    const reply = arrayReply(await this.#link.command(['ZRANGE', this.#keys.customerConversations(customerId), '0', '-1']), 'ZRANGE customer');
    return reply.map((id) => stringReply(id, 'ZRANGE customer'));
  }

  async conversation(conversationId: string): Promise<HeldConversation> {
    const record = await this.#conversations.get(conversationId);
    const stateKey = await this.#stateKey(conversationId, record?.channel);
    const stateJson = stateKey ? optionalStringReply(await this.#link.command(['HGET', stateKey, 'value']), 'HGET state') : undefined;
    const thread = await this.#desk.thread(conversationId);
    const open = await this.#desk.getOpen(conversationId);
    return {
      conversationId,
      record,
      state: stateJson === undefined ? undefined : parseRecord(stateJson, `State of ${conversationId}`),
      transcript: await this.#transcripts.list(conversationId, 0),
      evidence: await this.#uploads(conversationId),
      summaries: await this.#summariesOf(conversationId),
      desk: { ...(open ? { open } : {}), ...(thread ? { thread } : {}) },
    };
  }

  async eraseConversation(conversationId: string): Promise<ErasedConversation> {
    const keys = this.#keys;
    const record = await this.#conversations.get(conversationId);
    const stateKey = await this.#stateKey(conversationId, record?.channel);
    const reply = arrayReply(
      await this.#link.script(
        ERASE_CONVERSATION,
        [
          keys.conversation(conversationId),
          stateKey ?? keys.conversation(conversationId),
          keys.transcript(conversationId),
          keys.conversationEvidence(conversationId),
          keys.conversationCustomers(conversationId),
          keys.deskOpen,
          keys.deskOpenOrder,
          keys.deskThreads,
          keys.deskThreadIndex,
        ],
        [conversationId, keys.evidencePrefix, keys.customerConversationsPrefix, stateKey ? '1' : '0'],
      ),
      ERASE_CONVERSATION.name,
    ).map((value) => integerReply(value, ERASE_CONVERSATION.name));
    const [recordCount = 0, state = 0, transcriptEntries = 0, evidenceFiles = 0, deskEntries = 0] = reply;
    return { record: recordCount, state, transcriptEntries, evidenceFiles, deskEntries };
  }

  async anonymiseCase(refundCase: RefundCase, audit: AuditEvent[], event: AuditEvent): Promise<void> {
    const done = integerReply(
      await this.#link.script(ANONYMISE_CASE, [this.#keys.case(refundCase.id), this.#keys.audit(refundCase.id)], [
        caseData(refundCase),
        String(audit.length),
        ...audit.map(auditData),
        auditData(event),
      ]),
      ANONYMISE_CASE.name,
    );
    if (done === 0) throw caseNotFound(refundCase.id);
    if (done === -1) throw new ConflictError('audit_changed', `The audit trail of ${refundCase.id} grew while it was being anonymised`);
  }

  /** The state item's key: from the record's channel, else (record gone) found by a scan. */
  async #stateKey(conversationId: string, channel: string | undefined): Promise<string | undefined> {
    if (channel !== undefined) return this.#keys.state(`${channel}/conversations/${conversationId}/`);
    const found = await this.#scan(['SCAN'], `${globEscape(this.#keys.state(''))}*/conversations/${globEscape(conversationId)}/`);
    return found[0];
  }

  async #uploads(conversationId: string): Promise<HeldConversation['evidence']> {
    const fields = arrayReply(await this.#link.command(['HGETALL', this.#keys.conversationEvidence(conversationId)]), 'HGETALL uploads');
    const uploads: HeldConversation['evidence'] = [];
    for (let index = 0; index + 1 < fields.length; index += 2) {
      const id = stringReply(fields[index], 'HGETALL uploads');
      const upload = parseRecord(stringReply(fields[index + 1], 'HGETALL uploads'), `Upload ${id}`);
      const [contentType, size] = arrayReply(await this.#link.command(['HMGET', this.#keys.evidence(id), 'contentType', 'size']), 'HMGET evidence');
      const type = optionalStringReply(contentType, 'HMGET evidence') as EvidenceContentType | undefined;
      if (type === undefined || !CONTENT_TYPES.includes(type)) continue;
      uploads.push({ id, contentType: type, size: Number(optionalStringReply(size, 'HMGET evidence')), name: String(upload.name), uploadedAt: new Date(Number(upload.uploadedAt)) });
    }
    return uploads.sort((a, b) => a.uploadedAt.getTime() - b.uploadedAt.getTime() || a.id.localeCompare(b.id));
  }

  async #summariesOf(conversationId: string): Promise<ConversationSummary[]> {
    const members = await this.#scan(['ZSCAN', this.#keys.conversationSummaries], `*:${globEscape(conversationId)}`);
    const found: ConversationSummary[] = [];
    for (const startedAt of new Set(members.map((member) => Number(member.slice(0, member.indexOf(':')))))) {
      const page = await this.#summaries.listStarted(new Date(startedAt), new Date(startedAt + 1), { limit: MAX_PAGE });
      found.push(...page.filter((summary) => summary.conversationId === conversationId));
    }
    return found.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  }

  /** Every key (SCAN) or sorted-set member (ZSCAN) matching `pattern`. */
  async #scan(command: string[], pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, items] = arrayReply(await this.#link.command([...command, cursor, 'MATCH', pattern, 'COUNT', '1000']), command[0] ?? 'SCAN');
      cursor = stringReply(next, 'SCAN cursor');
      const list = arrayReply(items, 'SCAN items').map((item) => stringReply(item, 'SCAN item'));
      // ZSCAN answers member, score pairs.
      for (let index = 0; index < list.length; index += command[0] === 'ZSCAN' ? 2 : 1) found.push(list[index] as string);
    } while (cursor !== '0');
    return found;
  }
}

/** Escapes a text for a Redis MATCH pattern. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}

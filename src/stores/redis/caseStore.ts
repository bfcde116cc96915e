import { auditCaseMismatch, caseNotFound } from '../../cases/errors.ts';
import { assertTransition } from '../../cases/stateMachine.ts';
import type { AuditEvent, CaseDecision, CaseStatus, Escalation, RefundCase } from '../../domain/case.ts';
import { ConflictError } from '../../errors.ts';
import { checkIds, checkPage, checkPeriod } from '../pages.ts';
import { type AuditCursor, type CaseStore, type CaseWithAudit, type IdPage, PERIOD_AUDIT_TYPES } from '../ports.ts';
import { auditData, caseData, escalationData, insertionNumber, toAuditEvent, toCase, toEscalation } from './caseRecords.ts';
import { auditMember, type RedisKeys } from './keys.ts';
import { defineLua, type RedisLink } from './link.ts';
import { CASES_WITH_AUDIT, LIST_AUDIT, LIST_CREATED, LIST_ESCALATIONS_BY_TIME } from './casePeriodScripts.ts';
import { QUEUE_APPROVAL } from './refundOutbox.ts';
import { arrayReply, integerReply, stringReply } from './replies.ts';

// Cases, audit trails and escalations never expire. The list scripts read the records named by
// an index (keys built from a prefix in ARGV, not passed in KEYS): fine on one Redis, and one of
// the reasons these stores do not support Redis Cluster.

// Appends an audit event to a trail and, for the kinds listed by period, indexes it by time as
// keys.ts `auditMember` (case id, NUL, seq in 10 digits). index_flag '1' = a listed kind.
const PUSH_AUDIT = `
local function push_audit(trail, by_time, case_id, json, at, index_flag)
  local seq = redis.call('RPUSH', trail, json)
  if index_flag == '1' then
    redis.call('ZADD', by_time, at, case_id .. string.char(0) .. string.format('%010d', seq))
  end
  return seq
end
`;

/**
 * KEYS: case, audit, by-order, by-customer, by-conversation, insertion counter, refund outbox,
 * refund outbox entry, cases by created, audit by time. ARGV: id, data JSON, status, updatedAt
 * ms, createdAt ms, first audit event JSON, '1' to queue the case in the refund outbox (created
 * approved) else '0', the event's at ms, '1' when its kind is listed by period.
 * Returns 0 when the id is taken, else 1. The outbox is written first: a failure there leaves
 * nothing written (Redis does not roll back a script that fails half-way).
 */
const CREATE_CASE = defineLua(
  'create case',
  `${PUSH_AUDIT}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if ARGV[7] == '1' then
${QUEUE_APPROVAL('KEYS[7]', 'KEYS[8]', 'ARGV[1]', 'ARGV[5]')}
end
local n = redis.call('INCR', KEYS[6])
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'status', ARGV[3], 'updatedAt', ARGV[4], 'n', n)
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[9], ARGV[5], ARGV[1])
push_audit(KEYS[2], KEYS[10], ARGV[1], ARGV[6], ARGV[8], ARGV[9])
return 1
`,
);

/**
 * KEYS: case, audit, refund outbox, refund outbox entry, audit by time. ARGV: from, to, at ms,
 * audit event JSON, new data JSON or '', case id, '1' to queue the case in the refund outbox
 * (moved to approved) else '0', the event's at ms, '1' when its kind is listed by period. Check-and-set of the status: returns {0} for an unknown case, {1, status} when it is
 * no longer `from`, {2, data} when done. The outbox is written before the case (see CREATE_CASE).
 */
const TRANSITION_CASE = defineLua(
  'transition case',
  `${PUSH_AUDIT}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {0} end
if status ~= ARGV[1] then return {1, status} end
if ARGV[7] == '1' then
${QUEUE_APPROVAL('KEYS[3]', 'KEYS[4]', 'ARGV[6]', 'ARGV[3]')}
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updatedAt', ARGV[3])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'data', ARGV[5]) end
push_audit(KEYS[2], KEYS[5], ARGV[6], ARGV[4], ARGV[8], ARGV[9])
return {2, redis.call('HGET', KEYS[1], 'data')}
`,
);

/**
 * KEYS: case, audit, audit by time. ARGV: audit event JSON, case id, the event's at ms, '1' when
 * its kind is listed by period. Returns 0 for an unknown case, else the new length.
 */
const APPEND_AUDIT = defineLua(
  'append audit event',
  `${PUSH_AUDIT}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return push_audit(KEYS[2], KEYS[3], ARGV[2], ARGV[1], ARGV[3], ARGV[4])
`,
);

/**
 * KEYS: an index (sorted set of case ids by createdAt). ARGV: case key prefix, lowest createdAt
 * ('-inf' for all). Returns data, status, updatedAt and insertion number of each case, flat.
 */
const LIST_CASES = defineLua(
  'list cases',
  `
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], ARGV[2], '+inf', 'BYSCORE')) do
  local fields = redis.call('HMGET', ARGV[1] .. id, 'data', 'status', 'updatedAt', 'n')
  if fields[1] then
    for _, value in ipairs(fields) do out[#out + 1] = value end
  end
end
return out
`,
);

/**
 * KEYS: escalation, by-conversation index, insertion counter, escalations by time. ARGV: id,
 * JSON, at ms. Returns 0 when the id is taken.
 */
const ADD_ESCALATION = defineLua(
  'add escalation',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local n = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'n', n)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
return 1
`,
);

/** KEYS: a conversation's escalation index. ARGV: escalation key prefix. Returns data and insertion number of each, flat. */
const LIST_ESCALATIONS = defineLua(
  'list escalations',
  `
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local fields = redis.call('HMGET', ARGV[1] .. id, 'data', 'n')
  if fields[1] then
    out[#out + 1] = fields[1]
    out[#out + 1] = fields[2]
  end
end
return out
`,
);

/** The case store's scripts, loaded at start-up. */
export const CASE_SCRIPTS = [CREATE_CASE, TRANSITION_CASE, APPEND_AUDIT, LIST_CASES, ADD_ESCALATION, LIST_ESCALATIONS, LIST_CREATED, CASES_WITH_AUDIT, LIST_AUDIT, LIST_ESCALATIONS_BY_TIME];

/** Whether an audit event's kind is listed by period, as the scripts' flag. */
function periodFlag(event: AuditEvent): string {
  return (PERIOD_AUDIT_TYPES as readonly string[]).includes(event.type) ? '1' : '0';
}

/**
 * Refund cases (hashes), their append-only audit trails (one list per case, only ever pushed
 * to) and escalations, in Redis; every write is one Lua script, so each is atomic. With
 * `queueApprovals`, the script that approves a case also queues it in the refund outbox.
 */
export class RedisCaseStore implements CaseStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #queueApprovals: boolean;

  constructor(options: { link: RedisLink; keys: RedisKeys; queueApprovals?: boolean }) {
    this.#link = options.link;
    this.#keys = options.keys;
    this.#queueApprovals = options.queueApprovals ?? false;
  }

  /** Throws `ConflictError` `case_exists` when the id is taken (the caller picks another id). */
  async create(refundCase: RefundCase, event: AuditEvent): Promise<void> {
    if (event.caseId !== refundCase.id) throw auditCaseMismatch(refundCase.id, event.caseId);
    const keys = this.#keys;
    const created = integerReply(
      await this.#link.script(
        CREATE_CASE,
        [
          keys.case(refundCase.id),
          keys.audit(refundCase.id),
          keys.casesByOrder(refundCase.orderId),
          keys.casesByCustomer(refundCase.customerId),
          keys.casesByConversation(refundCase.conversationId),
          keys.insertionCounter,
          keys.refundOutbox,
          keys.refundOutboxEntry(refundCase.id),
          keys.casesByCreated,
          keys.auditByTime,
        ],
        [
          refundCase.id,
          caseData(refundCase),
          refundCase.status,
          String(refundCase.updatedAt.getTime()),
          String(refundCase.createdAt.getTime()),
          auditData(event),
          this.#queueApprovals && refundCase.status === 'approved' ? '1' : '0',
          String(event.at.getTime()),
          periodFlag(event),
        ],
      ),
      CREATE_CASE.name,
    );
    if (created === 0) throw new ConflictError('case_exists', `Case ${refundCase.id} already exists`);
  }

  async get(id: string): Promise<RefundCase | undefined> {
    const [data, status, updatedAt] = arrayReply(
      await this.#link.command(['HMGET', this.#keys.case(id), 'data', 'status', 'updatedAt']),
      'HMGET case',
    );
    if (data === null || data === undefined) return undefined;
    return toCase({
      data: stringReply(data, 'HMGET case'),
      status: stringReply(status, 'HMGET case'),
      updatedAt: stringReply(updatedAt, 'HMGET case'),
    });
  }

  async byOrder(orderId: string): Promise<RefundCase[]> {
    return this.#list(this.#keys.casesByOrder(orderId), '-inf');
  }

  async byCustomer(customerId: string, since: Date): Promise<RefundCase[]> {
    return this.#list(this.#keys.casesByCustomer(customerId), String(since.getTime()));
  }

  async byConversation(conversationId: string): Promise<RefundCase[]> {
    return this.#list(this.#keys.casesByConversation(conversationId), '-inf');
  }

  /**
   * Also refuses moves the lifecycle forbids (`InputError` `invalid_transition`, 409) and unknown
   * cases (`case_not_found`, 404), so no caller can write an impossible history.
   */
  async transition(id: string, from: CaseStatus, to: CaseStatus, event: AuditEvent, at: Date, decision?: CaseDecision): Promise<RefundCase> {
    assertTransition(from, to);
    if (event.caseId !== id) throw auditCaseMismatch(id, event.caseId);
    // A new decision rewrites the case's data; the status check in the script keeps it atomic
    // (every change of a case's data goes through a status transition).
    let data = '';
    if (decision) {
      const current = await this.get(id);
      if (!current) throw caseNotFound(id);
      data = caseData({ ...current, decision });
    }
    const reply = arrayReply(
      await this.#link.script(
        TRANSITION_CASE,
        [this.#keys.case(id), this.#keys.audit(id), this.#keys.refundOutbox, this.#keys.refundOutboxEntry(id), this.#keys.auditByTime],
        [from, to, String(at.getTime()), auditData(event), data, id, this.#queueApprovals && to === 'approved' ? '1' : '0', String(event.at.getTime()), periodFlag(event)],
      ),
      TRANSITION_CASE.name,
    );
    const outcome = integerReply(reply[0], TRANSITION_CASE.name);
    if (outcome === 0) throw caseNotFound(id);
    if (outcome === 1) {
      throw new ConflictError('case_status_changed', `Case ${id} is ${stringReply(reply[1], TRANSITION_CASE.name)}, no longer ${from}`);
    }
    return toCase({ data: stringReply(reply[1], TRANSITION_CASE.name), status: to, updatedAt: String(at.getTime()) });
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    const length = integerReply(
      await this.#link.script(APPEND_AUDIT, [this.#keys.case(event.caseId), this.#keys.audit(event.caseId), this.#keys.auditByTime], [
        auditData(event),
        event.caseId,
        String(event.at.getTime()),
        periodFlag(event),
      ]),
      APPEND_AUDIT.name,
    );
    if (length === 0) throw caseNotFound(event.caseId);
  }

  /** The case's audit trail in order; an event's seq is its position in the trail. */
  async audit(caseId: string): Promise<AuditEvent[]> {
    const reply = arrayReply(await this.#link.command(['LRANGE', this.#keys.audit(caseId), '0', '-1']), 'LRANGE audit');
    return reply.map((json, index) => toAuditEvent(stringReply(json, 'LRANGE audit'), index + 1));
  }

  /** Throws `ConflictError` `escalation_exists` when the id is taken. */
  async addEscalation(escalation: Escalation): Promise<void> {
    const added = integerReply(
      await this.#link.script(
        ADD_ESCALATION,
        [this.#keys.escalation(escalation.id), this.#keys.escalationsByConversation(escalation.conversationId), this.#keys.insertionCounter, this.#keys.escalationsByTime],
        [escalation.id, escalationData(escalation), String(escalation.at.getTime())],
      ),
      ADD_ESCALATION.name,
    );
    if (added === 0) throw new ConflictError('escalation_exists', `Escalation ${escalation.id} already exists`);
  }

  /** The conversation's escalations, oldest first (in insertion order when at the same time). */
  async escalations(conversationId: string): Promise<Escalation[]> {
    const reply = arrayReply(
      await this.#link.script(LIST_ESCALATIONS, [this.#keys.escalationsByConversation(conversationId)], [this.#keys.escalationPrefix]),
      LIST_ESCALATIONS.name,
    );
    const found: { escalation: Escalation; n: number }[] = [];
    for (let index = 0; index < reply.length; index += 2) {
      found.push({
        escalation: toEscalation(stringReply(reply[index], LIST_ESCALATIONS.name)),
        n: insertionNumber(stringReply(reply[index + 1], LIST_ESCALATIONS.name), 'Stored escalation'),
      });
    }
    found.sort((a, b) => a.escalation.at.getTime() - b.escalation.at.getTime() || a.n - b.n);
    return found.map((entry) => entry.escalation);
  }

  async listCreated(from: Date, to: Date, page: IdPage): Promise<RefundCase[]> {
    return (await this.#listCreated(from, to, page, false)).map((entry) => entry.refundCase);
  }

  listCreatedWithAudit(from: Date, to: Date, page: IdPage): Promise<CaseWithAudit[]> {
    return this.#listCreated(from, to, page, true);
  }

  async withAudit(caseIds: string[]): Promise<CaseWithAudit[]> {
    checkIds(caseIds);
    if (caseIds.length === 0) return [];
    const reply = await this.#link.script(CASES_WITH_AUDIT, [], [this.#keys.casePrefix, this.#keys.auditPrefix, ...caseIds]);
    return caseEntries(reply, CASES_WITH_AUDIT.name, true);
  }

  async listAudit(from: Date, to: Date, page: { after?: AuditCursor; limit: number }): Promise<AuditEvent[]> {
    checkPeriod(from, to);
    const limit = checkPage(page);
    const after = page.after ? auditMember(page.after.caseId, page.after.seq) : '';
    const reply = arrayReply(
      await this.#link.script(LIST_AUDIT, [this.#keys.auditByTime], [this.#keys.auditPrefix, String(from.getTime()), String(to.getTime()), after, String(limit)]),
      LIST_AUDIT.name,
    );
    const events: AuditEvent[] = [];
    for (let index = 0; index < reply.length; index += 2) {
      events.push(toAuditEvent(stringReply(reply[index], LIST_AUDIT.name), integerReply(reply[index + 1], LIST_AUDIT.name)));
    }
    return events;
  }

  async listEscalations(from: Date, to: Date, page: IdPage): Promise<Escalation[]> {
    checkPeriod(from, to);
    const limit = checkPage(page);
    const reply = arrayReply(
      await this.#link.script(LIST_ESCALATIONS_BY_TIME, [this.#keys.escalationsByTime], [
        this.#keys.escalationPrefix,
        String(from.getTime()),
        String(to.getTime()),
        page.afterId ?? '',
        String(limit),
      ]),
      LIST_ESCALATIONS_BY_TIME.name,
    );
    return reply.map((json) => toEscalation(stringReply(json, LIST_ESCALATIONS_BY_TIME.name)));
  }

  async #listCreated(from: Date, to: Date, page: IdPage, withAudit: boolean): Promise<CaseWithAudit[]> {
    checkPeriod(from, to);
    const limit = checkPage(page);
    const reply = await this.#link.script(LIST_CREATED, [this.#keys.casesByCreated], [
      this.#keys.casePrefix,
      this.#keys.auditPrefix,
      String(from.getTime()),
      String(to.getTime()),
      page.afterId ?? '',
      String(limit),
      withAudit ? '1' : '0',
    ]);
    return caseEntries(reply, LIST_CREATED.name, withAudit);
  }

  // Newest first; of cases created in the same millisecond, the last inserted first (as the
  // embedded store's rowid order).
  async #list(index: string, min: string): Promise<RefundCase[]> {
    const reply = arrayReply(await this.#link.script(LIST_CASES, [index], [this.#keys.casePrefix, min]), LIST_CASES.name);
    const found: { refundCase: RefundCase; n: number }[] = [];
    for (let offset = 0; offset < reply.length; offset += 4) {
      const field = (at: number): string => stringReply(reply[offset + at], LIST_CASES.name);
      found.push({
        refundCase: toCase({ data: field(0), status: field(1), updatedAt: field(2) }),
        n: insertionNumber(field(3), 'Stored case'),
      });
    }
    found.sort((a, b) => b.refundCase.createdAt.getTime() - a.refundCase.createdAt.getTime() || b.n - a.n);
    return found.map((entry) => entry.refundCase);
  }
}

/** Cases (and trails) from the entries of LIST_CREATED / CASES_WITH_AUDIT. */
function caseEntries(reply: unknown, what: string, withAudit: boolean): CaseWithAudit[] {
  return arrayReply(reply, what).map((raw) => {
    const entry = arrayReply(raw, what);
    const refundCase = toCase({ data: stringReply(entry[0], what), status: stringReply(entry[1], what), updatedAt: stringReply(entry[2], what) });
    const audit = withAudit ? arrayReply(entry[3], what).map((json, index) => toAuditEvent(stringReply(json, what), index + 1)) : [];
    return { refundCase, audit };
  });
}

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { auditCaseMismatch, caseNotFound } from '../../cases/errors.ts';
import { assertTransition } from '../../cases/stateMachine.ts';
import type { AuditEvent, CaseDecision, CaseStatus, Escalation, RefundCase } from '../../domain/case.ts';
import { ConflictError } from '../../errors.ts';
import { type AuditCursor, type CaseStore, type CaseWithAudit, type IdPage, PERIOD_AUDIT_TYPES } from '../ports.ts';
import { checkIds, checkPage, checkPeriod } from '../pages.ts';
import { integer, type Row } from './rows.ts';
import {
  auditValues,
  caseValues,
  escalationValues,
  rowToAudit,
  rowToCase,
  rowToEscalation,
} from './caseRows.ts';
import { inTransaction } from './transaction.ts';

// Lists are newest first; rowid orders cases created within the same millisecond.
const NEWEST_FIRST = 'ORDER BY created_at DESC, rowid DESC';
// The partial index audit_events_by_time covers exactly these kinds (migration 7).
const PERIOD_TYPES = PERIOD_AUDIT_TYPES.map((type) => `'${type}'`).join(', ');

/**
 * Refund cases, their append-only audit trails and escalations, in sqlite. With `queueApprovals`,
 * an approval also queues the case in `refund_outbox` inside the same transaction.
 */
export class SqliteCaseStore implements CaseStore {
  readonly #db: DatabaseSync;
  readonly #queueApprovals: boolean;
  readonly #queueApproval: StatementSync;
  readonly #insertCase: StatementSync;
  readonly #selectCase: StatementSync;
  readonly #byOrder: StatementSync;
  readonly #byCustomer: StatementSync;
  readonly #byConversation: StatementSync;
  readonly #updateStatus: StatementSync;
  readonly #updateDecision: StatementSync;
  readonly #insertAudit: StatementSync;
  readonly #selectAudit: StatementSync;
  readonly #insertEscalation: StatementSync;
  readonly #selectEscalations: StatementSync;
  readonly #listCreated: Paged;
  readonly #listCreatedAudit: Paged;
  readonly #createdAtOf: StatementSync;
  readonly #auditOfMany: StatementSync;
  readonly #casesOfMany: StatementSync;
  readonly #listAudit: Paged;
  readonly #listEscalations: Paged;
  readonly #escalationAtOf: StatementSync;

  constructor(options: { db: DatabaseSync; queueApprovals?: boolean }) {
    const db = options.db;
    this.#db = db;
    this.#queueApprovals = options.queueApprovals ?? false;
    // A case approved again (e.g. after a dispute, with a new amount) is due at once, its count
    // of attempts restarted, and any lease in flight voided: the new approval must be sent.
    this.#queueApproval = db.prepare(
      `INSERT INTO refund_outbox (case_id, due_at, attempts, lease, queued_at) VALUES (?1, ?2, 0, NULL, ?2)
       ON CONFLICT (case_id) DO UPDATE SET due_at = excluded.due_at, attempts = 0, lease = NULL, queued_at = excluded.queued_at`,
    );
    this.#insertCase = db.prepare(
      `INSERT INTO cases (id, order_id, customer_id, conversation_id, channel, locale, category, items,
         reason_text, evidence, decision, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.#selectCase = db.prepare('SELECT * FROM cases WHERE id = ?');
    this.#byOrder = db.prepare(`SELECT * FROM cases WHERE order_id = ? ${NEWEST_FIRST}`);
    this.#byCustomer = db.prepare(`SELECT * FROM cases WHERE customer_id = ? AND created_at >= ? ${NEWEST_FIRST}`);
    this.#byConversation = db.prepare(`SELECT * FROM cases WHERE conversation_id = ? ${NEWEST_FIRST}`);
    this.#updateStatus = db.prepare('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?');
    this.#updateDecision = db.prepare('UPDATE cases SET decision = ? WHERE id = ?');
    // The store numbers the trail: the caller's `seq`, if any, is ignored.
    this.#insertAudit = db.prepare(
      `INSERT INTO audit_events (case_id, seq, at, actor_kind, actor_id, type, data)
       VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM audit_events WHERE case_id = ?1), ?2, ?3, ?4, ?5, ?6)`,
    );
    this.#selectAudit = db.prepare('SELECT * FROM audit_events WHERE case_id = ? ORDER BY seq');
    this.#insertEscalation = db.prepare(
      `INSERT INTO escalations (id, conversation_id, case_id, order_id, reason, locale, at, channel)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.#selectEscalations = db.prepare(
      'SELECT * FROM escalations WHERE conversation_id = ? ORDER BY at, rowid',
    );
    // Pages by period walk the (time, id) indexes. The first page starts at `from`; the next
    // ones right after the cursor's (time, id), as the index's lower bound, so reading page n
    // never walks the n - 1 pages before it.
    const paged = (select: (where: string) => string, first: string, next: string): Paged => ({
      first: db.prepare(select(first)),
      next: db.prepare(select(next)),
    });
    const createdFirst = 'created_at >= :from AND created_at < :to';
    const createdNext = '(created_at, id) > (:afterAt, :afterId) AND created_at < :to';
    const casesPage = (where: string) => `SELECT * FROM cases WHERE ${where} ORDER BY created_at, id LIMIT :limit`;
    this.#listCreated = paged(casesPage, createdFirst, createdNext);
    this.#listCreatedAudit = paged(
      (where) => `SELECT * FROM audit_events WHERE case_id IN (SELECT id FROM (${casesPage(where)})) ORDER BY case_id, seq`,
      createdFirst,
      createdNext,
    );
    this.#createdAtOf = db.prepare('SELECT created_at AS at FROM cases WHERE id = ?');
    // Many ids in one statement: a JSON array, unpacked by json_each.
    this.#casesOfMany = db.prepare('SELECT * FROM cases WHERE id IN (SELECT value FROM json_each(?))');
    this.#auditOfMany = db.prepare('SELECT * FROM audit_events WHERE case_id IN (SELECT value FROM json_each(?)) ORDER BY case_id, seq');
    this.#listAudit = paged(
      (where) => `SELECT * FROM audit_events WHERE type IN (${PERIOD_TYPES}) AND ${where} ORDER BY at, case_id, seq LIMIT :limit`,
      'at >= :from AND at < :to',
      '(at, case_id, seq) > (:afterAt, :afterId, :afterSeq) AND at < :to',
    );
    this.#listEscalations = paged(
      (where) => `SELECT * FROM escalations WHERE ${where} ORDER BY at, id LIMIT :limit`,
      'at >= :from AND at < :to',
      '(at, id) > (:afterAt, :afterId) AND at < :to',
    );
    this.#escalationAtOf = db.prepare('SELECT at FROM escalations WHERE id = ?');
  }

  /** Throws `ConflictError` `case_exists` when the id is taken (the caller picks another id). */
  async create(refundCase: RefundCase, event: AuditEvent): Promise<void> {
    if (event.caseId !== refundCase.id) throw auditCaseMismatch(refundCase.id, event.caseId);
    inTransaction(this.#db, () => {
      if (this.#insertCase.run(...caseValues(refundCase)).changes === 0) {
        throw new ConflictError('case_exists', `Case ${refundCase.id} already exists`);
      }
      this.#insertAudit.run(...auditValues(event));
      if (refundCase.status === 'approved') this.#queue(refundCase.id, refundCase.createdAt);
    });
  }

  async get(id: string): Promise<RefundCase | undefined> {
    const row = this.#selectCase.get(id);
    return row ? rowToCase(row) : undefined;
  }

  async byOrder(orderId: string): Promise<RefundCase[]> {
    return this.#byOrder.all(orderId).map(rowToCase);
  }

  async byCustomer(customerId: string, since: Date): Promise<RefundCase[]> {
    return this.#byCustomer.all(customerId, since.getTime()).map(rowToCase);
  }

  async byConversation(conversationId: string): Promise<RefundCase[]> {
    return this.#byConversation.all(conversationId).map(rowToCase);
  }

  /**
   * Also refuses moves the lifecycle forbids (`InputError` `invalid_transition`, 409) and unknown
   * cases (`case_not_found`, 404), so no caller can write an impossible history.
   */
  async transition(id: string, from: CaseStatus, to: CaseStatus, event: AuditEvent, at: Date, decision?: CaseDecision): Promise<RefundCase> {
    assertTransition(from, to);
    if (event.caseId !== id) throw auditCaseMismatch(id, event.caseId);
    return inTransaction(this.#db, () => {
      const row = this.#selectCase.get(id);
      if (!row) throw caseNotFound(id);
      const current = rowToCase(row);
      if (current.status !== from) {
        throw new ConflictError('case_status_changed', `Case ${id} is ${current.status}, no longer ${from}`);
      }
      this.#updateStatus.run(to, at.getTime(), id);
      if (decision) this.#updateDecision.run(JSON.stringify(decision), id);
      this.#insertAudit.run(...auditValues(event));
      if (to === 'approved') this.#queue(id, at);
      return { ...current, status: to, updatedAt: new Date(at), ...(decision ? { decision: structuredClone(decision) } : {}) };
    });
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    inTransaction(this.#db, () => {
      if (!this.#selectCase.get(event.caseId)) throw caseNotFound(event.caseId);
      this.#insertAudit.run(...auditValues(event));
    });
  }

  async audit(caseId: string): Promise<AuditEvent[]> {
    return this.#selectAudit.all(caseId).map(rowToAudit);
  }

  /** Throws `ConflictError` `escalation_exists` when the id is taken. */
  async addEscalation(escalation: Escalation): Promise<void> {
    if (this.#insertEscalation.run(...escalationValues(escalation)).changes === 0) {
      throw new ConflictError('escalation_exists', `Escalation ${escalation.id} already exists`);
    }
  }

  /** The conversation's escalations, oldest first. */
  async escalations(conversationId: string): Promise<Escalation[]> {
    return this.#selectEscalations.all(conversationId).map(rowToEscalation);
  }

  async listCreated(from: Date, to: Date, page: IdPage): Promise<RefundCase[]> {
    return readTogether(this.#db, () => {
      const params = this.#idPage(this.#createdAtOf, from, to, page);
      return params ? runPage(this.#listCreated, params).map(rowToCase) : [];
    });
  }

  async listCreatedWithAudit(from: Date, to: Date, page: IdPage): Promise<CaseWithAudit[]> {
    // One read transaction: the cases and their trails as of the same moment.
    return readTogether(this.#db, () => {
      const params = this.#idPage(this.#createdAtOf, from, to, page);
      return params ? joinAudit(runPage(this.#listCreated, params).map(rowToCase), runPage(this.#listCreatedAudit, params)) : [];
    });
  }

  async withAudit(caseIds: string[]): Promise<CaseWithAudit[]> {
    checkIds(caseIds);
    if (caseIds.length === 0) return [];
    const ids = JSON.stringify(caseIds);
    const found = readTogether(this.#db, () => joinAudit(this.#casesOfMany.all(ids).map(rowToCase), this.#auditOfMany.all(ids)));
    const byId = new Map(found.map((entry) => [entry.refundCase.id, entry]));
    return caseIds.flatMap((id) => byId.get(id) ?? []);
  }

  async listAudit(from: Date, to: Date, page: { after?: AuditCursor; limit: number }): Promise<AuditEvent[]> {
    checkPeriod(from, to);
    const limit = checkPage(page);
    const after = page.after;
    const params: Record<string, number | string> = after
      ? { afterAt: after.at.getTime(), afterId: after.caseId, afterSeq: after.seq, to: to.getTime(), limit }
      : { from: from.getTime(), to: to.getTime(), limit };
    return runPage(this.#listAudit, params).map(rowToAudit);
  }

  async listEscalations(from: Date, to: Date, page: IdPage): Promise<Escalation[]> {
    const params = this.#idPage(this.#escalationAtOf, from, to, page);
    return params ? runPage(this.#listEscalations, params).map(rowToEscalation) : [];
  }

  /**
   * The parameters of a page whose cursor is an id: the first page's, or the next page's with
   * the cursor's time looked up (`atOf` answers `at`); undefined when the id names no row.
   */
  #idPage(atOf: StatementSync, from: Date, to: Date, page: IdPage): Record<string, number | string> | undefined {
    checkPeriod(from, to);
    const limit = checkPage(page);
    if (page.afterId === undefined) return { from: from.getTime(), to: to.getTime(), limit };
    const row = atOf.get(page.afterId);
    return row ? { afterAt: integer(row, 'at'), afterId: page.afterId, to: to.getTime(), limit } : undefined;
  }

  // Called inside the case write's transaction only.
  #queue(caseId: string, at: Date): void {
    if (this.#queueApprovals) this.#queueApproval.run(caseId, at.getTime());
  }
}

/** The two statements of a paged listing: its first page, and a page after a cursor. */
interface Paged {
  first: StatementSync;
  next: StatementSync;
}

function runPage(paged: Paged, params: Record<string, number | string>): Row[] {
  return ('afterAt' in params ? paged.next : paged.first).all(params);
}

/** Attaches each case's trail (rows ordered by case, then seq). */
function joinAudit(cases: RefundCase[], auditRows: Row[]): CaseWithAudit[] {
  const trails = new Map<string, AuditEvent[]>();
  for (const row of auditRows) {
    const event = rowToAudit(row);
    const trail = trails.get(event.caseId);
    if (trail) trail.push(event);
    else trails.set(event.caseId, [event]);
  }
  return cases.map((refundCase) => ({ refundCase, audit: trails.get(refundCase.id) ?? [] }));
}

/**
 * Runs two reads in one read transaction (a consistent snapshot under WAL) unless a write
 * transaction is already open on this connection (then they are in it anyway).
 */
function readTogether<T>(db: DatabaseSync, read: () => T): T {
  if (db.isTransaction) return read();
  db.exec('BEGIN');
  try {
    return read();
  } finally {
    if (db.isTransaction) db.exec('COMMIT');
  }
}

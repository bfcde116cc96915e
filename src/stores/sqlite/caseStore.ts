import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { auditCaseMismatch, caseNotFound } from '../../cases/errors.ts';
import { assertTransition } from '../../cases/stateMachine.ts';
import type { AuditEvent, CaseDecision, CaseStatus, Escalation, RefundCase } from '../../domain/case.ts';
import { ConflictError } from '../../errors.ts';
import type { CaseStore } from '../ports.ts';
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
      `INSERT INTO escalations (id, conversation_id, case_id, order_id, reason, locale, at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.#selectEscalations = db.prepare(
      'SELECT * FROM escalations WHERE conversation_id = ? ORDER BY at, rowid',
    );
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

  // Called inside the case write's transaction only.
  #queue(caseId: string, at: Date): void {
    if (this.#queueApprovals) this.#queueApproval.run(caseId, at.getTime());
  }
}

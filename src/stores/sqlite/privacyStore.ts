import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { caseNotFound } from '../../cases/errors.ts';
import type { AuditEvent, RefundCase } from '../../domain/case.ts';
import type { Clock } from '../../domain/clock.ts';
import { EVIDENCE_EXTENSIONS, type EvidenceContentType } from '../../evidence/contentType.ts';
import { ConflictError } from '../../errors.ts';
import type { ErasedConversation, HeldConversation, PrivacyStore } from '../ports.ts';
import { auditValues, caseValues } from './caseRows.ts';
import { conversationRecord } from './conversationStore.ts';
import type { ConversationExpiry } from './expiry.ts';
import { date, integer, json, oneOf, text } from './rows.ts';
import { rowToSummary } from './summaryStore.ts';
import { inTransaction } from './transaction.ts';

const CONTENT_TYPES = Object.keys(EVIDENCE_EXTENSIONS) as EvidenceContentType[];

/** Tables of one conversation's personal data, deleted by `eraseConversation` (the evidence rows follow their uploads). */
const CONVERSATION_TABLES = [
  ['record', 'conversations', 'id'],
  ['state', 'state', 'conversation_id'],
  ['transcriptEntries', 'transcript_entries', 'conversation_id'],
  ['uploads', 'evidence_uploads', 'conversation_id'],
  ['deskOpen', 'desk_open', 'conversation_id'],
  ['deskThreads', 'desk_threads', 'conversation_id'],
  ['links', 'customer_conversations', 'conversation_id'],
  ['activity', 'conversation_activity', 'conversation_id'],
] as const;

/**
 * A customer's data in the embedded store (migration 8): the customer → conversations index the
 * turns write in their transaction, reads of everything one conversation left, its erasure, and
 * the anonymisation of a case with its audit trail.
 */
export class SqlitePrivacyStore implements PrivacyStore {
  readonly #db: DatabaseSync;
  readonly #expiry: ConversationExpiry;
  readonly #clock: Clock;
  readonly #link: StatementSync;
  readonly #linked: StatementSync;
  readonly #deletes: Map<string, StatementSync>;
  readonly #updateCase: StatementSync;
  readonly #updateAudit: StatementSync;
  readonly #insertAudit: StatementSync;

  constructor(options: { db: DatabaseSync; expiry: ConversationExpiry; clock: Clock }) {
    const db = options.db;
    this.#db = db;
    this.#expiry = options.expiry;
    this.#clock = options.clock;
    this.#link = db.prepare(
      `INSERT INTO customer_conversations (customer_id, conversation_id, linked_at) VALUES (?, ?, ?)
       ON CONFLICT (customer_id, conversation_id) DO NOTHING`,
    );
    this.#linked = db.prepare('SELECT conversation_id FROM customer_conversations WHERE customer_id = ? ORDER BY linked_at, conversation_id');
    this.#deletes = new Map(CONVERSATION_TABLES.map(([name, table, column]) => [name, db.prepare(`DELETE FROM ${table} WHERE ${column} = ?`)]));
    this.#updateCase = db.prepare(
      `UPDATE cases SET order_id = ?2, customer_id = ?3, conversation_id = ?4, channel = ?5, locale = ?6, category = ?7,
         items = ?8, reason_text = ?9, evidence = ?10, decision = ?11, status = ?12, created_at = ?13, updated_at = ?14
       WHERE id = ?1`,
    );
    this.#updateAudit = db.prepare('UPDATE audit_events SET data = ? WHERE case_id = ? AND seq = ?');
    this.#insertAudit = db.prepare(
      `INSERT INTO audit_events (case_id, seq, at, actor_kind, actor_id, type, data)
       VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM audit_events WHERE case_id = ?1), ?2, ?3, ?4, ?5, ?6)`,
    );
  }

  /** Links a conversation to a customer inside the caller's (the turn's) transaction. */
  linkSync(customerId: string, conversationId: string): void {
    this.#link.run(customerId, conversationId, this.#clock.now().getTime());
  }

  async conversationsOf(customerId: string): Promise<string[]> {
    return this.#linked.all(customerId).map((row) => text(row, 'conversation_id'));
  }

  async conversation(conversationId: string): Promise<HeldConversation> {
    const db = this.#db;
    const recordRow = db.prepare('SELECT * FROM conversations WHERE id = ?').get(conversationId);
    const stateRow = db.prepare('SELECT value FROM state WHERE conversation_id = ? ORDER BY key LIMIT 1').get(conversationId);
    const transcript = db.prepare('SELECT seq, activity FROM transcript_entries WHERE conversation_id = ? ORDER BY seq').all(conversationId);
    const uploads = db
      .prepare(
        `SELECT e.id, e.content_type, e.size, u.name, u.uploaded_at FROM evidence_uploads u JOIN evidence e ON e.id = u.evidence_id
         WHERE u.conversation_id = ? ORDER BY u.uploaded_at, e.id`,
      )
      .all(conversationId);
    const summaries = db.prepare('SELECT * FROM conversation_summaries WHERE conversation_id = ? ORDER BY started_at').all(conversationId);
    const open = db.prepare('SELECT entry FROM desk_open WHERE conversation_id = ?').get(conversationId);
    const thread = db.prepare('SELECT channel, ts FROM desk_threads WHERE conversation_id = ?').get(conversationId);
    return {
      conversationId,
      record: recordRow ? conversationRecord(recordRow) : undefined,
      state: stateRow ? json<Record<string, unknown>>(stateRow, 'value') : undefined,
      transcript: transcript.map((row) => ({ seq: integer(row, 'seq'), activity: json<Record<string, unknown>>(row, 'activity') })),
      evidence: uploads.map((row) => ({
        id: text(row, 'id'),
        contentType: oneOf(row, 'content_type', CONTENT_TYPES),
        size: integer(row, 'size'),
        name: text(row, 'name'),
        uploadedAt: date(row, 'uploaded_at'),
      })),
      summaries: summaries.map(rowToSummary),
      desk: {
        ...(open ? { open: json<Record<string, unknown>>(open, 'entry') } : {}),
        ...(thread ? { thread: { channel: text(thread, 'channel'), ts: text(thread, 'ts') } } : {}),
      },
    };
  }

  async eraseConversation(conversationId: string): Promise<ErasedConversation> {
    const { counts, files } = this.#secureDeleting(() => inTransaction(this.#db, () => {
      const counts: Record<string, number> = {};
      for (const [name, statement] of this.#deletes) counts[name] = Number(statement.run(conversationId).changes);
      // A file another conversation uploaded too stays, named as that upload (not as this one's).
      this.#db
        .prepare(
          `UPDATE evidence SET (conversation_id, name) = (
             SELECT u.conversation_id, u.name FROM evidence_uploads u WHERE u.evidence_id = evidence.id ORDER BY u.uploaded_at LIMIT 1)
           WHERE conversation_id = ? AND EXISTS (SELECT 1 FROM evidence_uploads u WHERE u.evidence_id = evidence.id)`,
        )
        .run(conversationId);
      return { counts, files: this.#expiry.sweepEvidenceSync() };
    }));
    this.#expiry.removeFiles(files);
    this.#dropOldPages();
    return {
      record: counts.record ?? 0,
      state: counts.state ?? 0,
      transcriptEntries: counts.transcriptEntries ?? 0,
      evidenceFiles: files.length,
      deskEntries: (counts.deskOpen ?? 0) + (counts.deskThreads ?? 0),
    };
  }

  async anonymiseCase(refundCase: RefundCase, audit: AuditEvent[], event: AuditEvent): Promise<void> {
    this.#secureDeleting(() => inTransaction(this.#db, () => {
      const [id, ...values] = caseValues(refundCase);
      if (this.#updateCase.run(id ?? null, ...values).changes === 0) throw caseNotFound(refundCase.id);
      const stored = this.#db.prepare('SELECT count(*) AS n FROM audit_events WHERE case_id = ?').get(refundCase.id);
      if (!stored || integer(stored, 'n') !== audit.length) {
        throw new ConflictError('audit_changed', `The audit trail of ${refundCase.id} grew while it was being anonymised`);
      }
      for (const entry of audit) {
        if (entry.caseId !== refundCase.id || entry.seq === undefined) throw caseNotFound(entry.caseId);
        this.#updateAudit.run(JSON.stringify(entry.data), entry.caseId, entry.seq);
      }
      this.#insertAudit.run(...auditValues(event));
    }));
    this.#dropOldPages();
  }

  /**
   * Runs an erasure with `secure_delete = ON`: every byte it frees is zeroed, whole pages that
   * go to the free list included. The connection's usual FAST mode (database.ts) zeroes only
   * what costs no extra I/O, which kept the busiest turns' tail latency down.
   */
  #secureDeleting<T>(erase: () => T): T {
    this.#db.exec('PRAGMA secure_delete = ON');
    try {
      return erase();
    } finally {
      this.#db.exec('PRAGMA secure_delete = FAST');
    }
  }

  /**
   * The write-ahead log still holds the pages as they were before the erasure: copy it into the
   * database and empty it (secure_delete zeroes what was deleted there). Best
   * effort: a reader holding an old snapshot makes it partial, and the next checkpoint finishes.
   */
  #dropOldPages(): void {
    this.#db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
  }
}


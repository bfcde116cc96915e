import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../../domain/clock.ts';
import type { BlobDirectory } from '../../evidence/blobDirectory.ts';
import { inTransaction } from './transaction.ts';

/**
 * Conversation expiry for the embedded store: every activity (create, transcript append, turn
 * commit) records when, a conversation idle for `ttlMs` counts as gone at once (`isLive`), and
 * `sweep` deletes what expired: the conversations' records, transcripts, the state their turns
 * wrote, their proof-file uploads (and each file no live conversation uploaded), their desk
 * entries and their customer links, plus expired idempotency keys, rate-limit windows and shared
 * values, and conversation summaries whose conversation started more than `summaryRetentionMs`
 * ago. Cases (with the metadata of their proof files) are never touched.
 */
export class ConversationExpiry {
  readonly #db: DatabaseSync;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #touch: StatementSync;
  readonly #sweepConversations: StatementSync[];
  readonly #sweepWindows: StatementSync[];
  readonly #sweepSummaries: StatementSync;
  readonly #summaryRetentionMs: number;
  readonly #blobs: BlobDirectory;
  readonly #sweepEvidence: StatementSync;

  constructor(options: { db: DatabaseSync; clock: Clock; ttlMs: number; summaryRetentionMs: number; blobs: BlobDirectory }) {
    const db = options.db;
    this.#db = db;
    this.#blobs = options.blobs;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs;
    this.#summaryRetentionMs = options.summaryRetentionMs;
    this.#sweepSummaries = db.prepare('DELETE FROM conversation_summaries WHERE started_at <= :cutoff');
    this.#touch = db.prepare(
      `INSERT INTO conversation_activity (conversation_id, last_active_at) VALUES (?, ?)
       ON CONFLICT (conversation_id) DO UPDATE SET last_active_at = max(last_active_at, excluded.last_active_at)`,
    );
    const expired = 'SELECT conversation_id FROM conversation_activity WHERE last_active_at <= :cutoff';
    this.#sweepConversations = [
      db.prepare(`DELETE FROM evidence_uploads WHERE conversation_id IN (${expired})`),
      db.prepare(`DELETE FROM customer_conversations WHERE conversation_id IN (${expired})`),
      db.prepare(`DELETE FROM desk_open WHERE conversation_id IN (${expired})`),
      db.prepare(`DELETE FROM desk_threads WHERE conversation_id IN (${expired})`),
      db.prepare(`DELETE FROM state WHERE conversation_id IN (${expired})`),
      db.prepare(`DELETE FROM transcript_entries WHERE conversation_id IN (${expired})`),
      db.prepare(`DELETE FROM conversations WHERE id IN (${expired})`),
      db.prepare('DELETE FROM conversation_activity WHERE last_active_at <= :cutoff'),
    ];
    this.#sweepWindows = [
      db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= :now'),
      db.prepare('DELETE FROM rate_limits WHERE resets_at <= :now'),
      db.prepare('DELETE FROM shared_values WHERE expires_at <= :now'),
    ];
    this.#sweepEvidence = db.prepare(
      'DELETE FROM evidence WHERE NOT EXISTS (SELECT 1 FROM evidence_uploads u WHERE u.evidence_id = evidence.id) RETURNING id',
    );
  }

  /**
   * Deletes the index rows of proof files no conversation has uploaded any more, inside the
   * caller's transaction; returns their ids, whose files the caller removes with `removeFiles`
   * once the transaction committed.
   */
  sweepEvidenceSync(): string[] {
    return this.#sweepEvidence.all().map((row) => String(row.id));
  }

  /** Removes the files of deleted proof rows (after their transaction committed). */
  removeFiles(ids: string[]): void {
    for (const id of ids) this.#blobs.removeSync(id);
  }

  /** Records activity of a conversation now (synchronous, to join the caller's transaction). */
  touchSync(conversationId: string): void {
    this.#touch.run(conversationId, this.#clock.now().getTime());
  }

  /** Conversations last active at or before this epoch ms have expired. */
  cutoff(): number {
    return this.#clock.now().getTime() - this.#ttlMs;
  }

  /** Deletes everything that has expired, in one transaction. */
  sweep(): void {
    const now = this.#clock.now().getTime();
    const cutoff = now - this.#ttlMs;
    const files = inTransaction(this.#db, () => {
      for (const statement of this.#sweepConversations) statement.run({ cutoff });
      for (const statement of this.#sweepWindows) statement.run({ now });
      this.#sweepSummaries.run({ cutoff: now - this.#summaryRetentionMs });
      return this.sweepEvidenceSync();
    });
    this.removeFiles(files);
  }
}

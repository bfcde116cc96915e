import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../../domain/clock.ts';
import type { EvidenceRef } from '../../domain/case.ts';
import { BlobDirectory, isBlobId } from '../../evidence/blobDirectory.ts';
import { EVIDENCE_EXTENSIONS, type EvidenceContentType } from '../../evidence/contentType.ts';
import { inspectEvidence } from '../../evidence/inspect.ts';
import { CodedError } from '../../errors.ts';
import type { EvidenceStore } from '../ports.ts';
import type { ConversationExpiry } from './expiry.ts';
import { integer, oneOf, text } from './rows.ts';
import { inTransaction } from './transaction.ts';

const CONTENT_TYPES = Object.keys(EVIDENCE_EXTENSIONS) as EvidenceContentType[];

/**
 * Proof files: bytes in a content-addressed folder, an index row in sqlite. The file is
 * written before its row, so a row never points at a missing file. Each upload is recorded
 * (`evidence_uploads`) and counts as activity of its conversation: a file is deleted with the
 * last conversation that uploaded it, when that conversation expires or is erased (expiry.ts).
 */
export class SqliteEvidenceStore implements EvidenceStore {
  readonly #blobs: BlobDirectory;
  readonly #clock: Clock;
  readonly #maxBytes: number;
  readonly #insert: StatementSync;
  readonly #select: StatementSync;
  readonly #insertUpload: StatementSync;
  readonly #db: DatabaseSync;
  readonly #expiry: ConversationExpiry;

  constructor(options: { db: DatabaseSync; blobs: BlobDirectory; clock: Clock; maxBytes: number; expiry: ConversationExpiry }) {
    this.#db = options.db;
    this.#expiry = options.expiry;
    this.#blobs = options.blobs;
    this.#clock = options.clock;
    this.#maxBytes = options.maxBytes;
    // The first upload's name and conversation stay in the index; later uploads of the same
    // bytes change nothing stored.
    this.#insert = options.db.prepare(
      `INSERT INTO evidence (id, content_type, size, name, conversation_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.#select = options.db.prepare('SELECT * FROM evidence WHERE id = ?');
    this.#insertUpload = options.db.prepare(
      `INSERT INTO evidence_uploads (conversation_id, evidence_id, name, uploaded_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (conversation_id, evidence_id) DO UPDATE SET name = excluded.name, uploaded_at = excluded.uploaded_at`,
    );
  }

  /**
   * The returned ref carries this upload's own sanitised name, so a customer never sees the
   * name another customer gave the same bytes.
   */
  async put(bytes: Uint8Array, meta: { name: string; conversationId: string }): Promise<EvidenceRef> {
    const ref = await inspectEvidence(bytes, meta.name, this.#maxBytes);
    await this.#blobs.write(ref.id, bytes);
    const now = this.#clock.now().getTime();
    inTransaction(this.#db, () => {
      this.#insert.run(ref.id, ref.contentType, ref.size, ref.name, meta.conversationId, now);
      this.#insertUpload.run(meta.conversationId, ref.id, ref.name, now);
      this.#expiry.touchSync(meta.conversationId);
    });
    // A sweep that deleted the last upload of these bytes between the write and the row may
    // have removed the file: the row now keeps it, so write it again.
    if (!this.#blobs.existsSync(ref.id)) await this.#blobs.write(ref.id, bytes);
    return ref;
  }

  async get(id: string): Promise<{ ref: EvidenceRef; bytes: Uint8Array } | undefined> {
    if (!isBlobId(id)) return undefined;
    const row = this.#select.get(id);
    if (!row) return undefined;
    const bytes = await this.#blobs.read(id);
    if (!bytes) {
      throw new CodedError('bug', 'evidence_file_missing', `Evidence ${id} is indexed but its file is missing`, 500);
    }
    return {
      ref: {
        id: text(row, 'id'),
        contentType: oneOf(row, 'content_type', CONTENT_TYPES),
        size: integer(row, 'size'),
        name: text(row, 'name'),
      },
      bytes,
    };
  }
}

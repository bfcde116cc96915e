import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../../domain/clock.ts';
import type { EvidenceRef } from '../../domain/case.ts';
import { BlobDirectory, isBlobId } from '../../evidence/blobDirectory.ts';
import { EVIDENCE_EXTENSIONS, type EvidenceContentType } from '../../evidence/contentType.ts';
import { inspectEvidence } from '../../evidence/inspect.ts';
import { CodedError } from '../../errors.ts';
import type { EvidenceStore } from '../ports.ts';
import { integer, oneOf, text } from './rows.ts';

const CONTENT_TYPES = Object.keys(EVIDENCE_EXTENSIONS) as EvidenceContentType[];

/**
 * Proof files: bytes in a content-addressed folder, an index row in sqlite. The file is
 * written before its row, so a row never points at a missing file.
 */
export class SqliteEvidenceStore implements EvidenceStore {
  readonly #blobs: BlobDirectory;
  readonly #clock: Clock;
  readonly #maxBytes: number;
  readonly #insert: StatementSync;
  readonly #select: StatementSync;

  constructor(options: { db: DatabaseSync; blobs: BlobDirectory; clock: Clock; maxBytes: number }) {
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
  }

  /**
   * The returned ref carries this upload's own sanitised name, so a customer never sees the
   * name another customer gave the same bytes.
   */
  async put(bytes: Uint8Array, meta: { name: string; conversationId: string }): Promise<EvidenceRef> {
    const ref = await inspectEvidence(bytes, meta.name, this.#maxBytes);
    await this.#blobs.write(ref.id, bytes);
    this.#insert.run(ref.id, ref.contentType, ref.size, ref.name, meta.conversationId, this.#clock.now().getTime());
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

import { join } from 'node:path';
import type { Clock } from '../../domain/clock.ts';
import { BlobDirectory } from '../../evidence/blobDirectory.ts';
import { DEFAULT_MAX_EVIDENCE_BYTES } from '../../evidence/inspect.ts';
import { CodedError } from '../../errors.ts';
import type { Stores } from '../ports.ts';
import { SqliteCaseStore } from './caseStore.ts';
import { SqliteConversationStore } from './conversationStore.ts';
import { openDatabase } from './database.ts';
import { SqliteEvidenceStore } from './evidenceStore.ts';
import { SqliteStateStorage } from './stateStorage.ts';
import { SqliteTranscriptStore } from './transcriptStore.ts';

/** Options of the embedded store. */
export interface SqliteStoresOptions {
  /** Folder holding `refundbot.sqlite` and `evidence/`; created if missing. */
  dataDir: string;
  clock: Clock;
  /** Largest accepted proof file; 10 MB by default. */
  maxEvidenceBytes?: number;
}

/**
 * The embedded backend: every store on one `node:sqlite` database in `dataDir`, proof files
 * beside it. One process (or a few on one machine) only; several instances need Redis.
 */
export function openSqliteStores(options: SqliteStoresOptions): Stores {
  if (!options?.dataDir) throw invalidOption('options.dataDir is required');
  if (!options.clock) throw invalidOption('options.clock is required');
  const maxBytes = options.maxEvidenceBytes ?? DEFAULT_MAX_EVIDENCE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw invalidOption(`options.maxEvidenceBytes must be a positive integer, got ${maxBytes}`);
  }

  const db = openDatabase(options.dataDir);
  const blobs = new BlobDirectory({ root: join(options.dataDir, 'evidence') });
  return {
    state: new SqliteStateStorage({ db }),
    conversations: new SqliteConversationStore({ db }),
    transcripts: new SqliteTranscriptStore({ db }),
    evidence: new SqliteEvidenceStore({ db, blobs, clock: options.clock, maxBytes }),
    cases: new SqliteCaseStore({ db }),
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (db.isOpen) db.close();
    },
  };
}

function invalidOption(message: string): CodedError {
  return new CodedError('bug', 'invalid_option', `openSqliteStores: ${message}`, 500);
}

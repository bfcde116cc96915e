import { join } from 'node:path';
import type { Clock } from '../../domain/clock.ts';
import { BlobDirectory } from '../../evidence/blobDirectory.ts';
import { DEFAULT_MAX_EVIDENCE_BYTES } from '../../evidence/inspect.ts';
import { CodedError } from '../../errors.ts';
import type { Stores } from '../ports.ts';
import { SqliteCaseStore } from './caseStore.ts';
import { InProcessConversationEvents } from './conversationEvents.ts';
import { SqliteConversationStore } from './conversationStore.ts';
import { openDatabase } from './database.ts';
import { SqliteEvidenceStore } from './evidenceStore.ts';
import { ConversationExpiry } from './expiry.ts';
import { SqliteDeskStore } from './deskStore.ts';
import { SqlitePrivacyStore } from './privacyStore.ts';
import { SqliteIdempotencyStore } from './idempotencyStore.ts';
import { SqliteSharedValueStore } from './sharedValueStore.ts';
import { SqliteRateLimitStore } from './rateLimitStore.ts';
import { SqliteRefundOutbox } from './refundOutbox.ts';
import { SqliteStateStorage } from './stateStorage.ts';
import { SqliteSummaryStore } from './summaryStore.ts';
import { SqliteTranscriptStore } from './transcriptStore.ts';
import { SqliteTurnStore } from './turnStore.ts';

/** Options of the embedded store. */
export interface SqliteStoresOptions {
  /** Folder holding `refundbot.sqlite` and `evidence/`; created if missing. */
  dataDir: string;
  clock: Clock;
  /** Largest accepted proof file; 10 MB by default. */
  maxEvidenceBytes?: number;
  /** A conversation (record, state, history) is deleted this long after its last activity; 30 days by default. */
  conversationTtlMs?: number;
  /**
   * Conversation summaries (the merchant's figures) are deleted this long after their
   * conversation started; 400 days by default (a year and its comparison month).
   */
  summaryRetentionMs?: number;
  /** Longest a turn waits for earlier turns of its conversation before failing with `conversation_busy`; 35 s by default. */
  turnWaitMs?: number;
  /**
   * Queue each approval in the refund outbox, in the approval's own transaction: on when the
   * refund webhook is configured. Off by default: nothing would ever take the entries out, and
   * turning the webhook on later must not send old approvals that staff may have paid by hand.
   */
  queueApprovals?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_CONVERSATION_TTL_MS = 30 * DAY_MS;
/** Conversation summaries are kept this long after their conversation started, by default. */
export const DEFAULT_SUMMARY_RETENTION_MS = 400 * DAY_MS;
const DEFAULT_TURN_WAIT_MS = 35_000;

/**
 * The embedded backend: every store on one `node:sqlite` database in `dataDir`, proof files
 * beside it. One process (or a few on one machine) only; several instances need Redis.
 * Expired conversations are swept at open and then periodically (an unref'd timer, stopped by
 * `close`).
 */
export function openSqliteStores(options: SqliteStoresOptions): Stores {
  if (!options?.dataDir) throw invalidOption('options.dataDir is required');
  if (!options.clock) throw invalidOption('options.clock is required');
  const maxBytes = positive('maxEvidenceBytes', options.maxEvidenceBytes ?? DEFAULT_MAX_EVIDENCE_BYTES);
  const ttlMs = positive('conversationTtlMs', options.conversationTtlMs ?? DEFAULT_CONVERSATION_TTL_MS);
  const waitMs = positive('turnWaitMs', options.turnWaitMs ?? DEFAULT_TURN_WAIT_MS);
  const summaryRetentionMs = positive('summaryRetentionMs', options.summaryRetentionMs ?? DEFAULT_SUMMARY_RETENTION_MS);

  const db = openDatabase(options.dataDir);
  const clock = options.clock;
  const blobs = new BlobDirectory({ root: join(options.dataDir, 'evidence') });
  const expiry = new ConversationExpiry({ db, clock, ttlMs, summaryRetentionMs, blobs });
  const privacy = new SqlitePrivacyStore({ db, expiry, clock });
  const summaries = new SqliteSummaryStore({ db });
  const state = new SqliteStateStorage({ db });
  const transcripts = new SqliteTranscriptStore({ db, expiry });
  const events = new InProcessConversationEvents();

  const sweep = (): void => {
    try {
      expiry.sweep();
    } catch (error) {
      // Most likely another process held the write lock past the busy timeout: the next sweep
      // catches up, and expired conversations already read as gone meanwhile.
      process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'ConversationSweepWarning');
    }
  };
  try {
    expiry.sweep();
  } catch (error) {
    db.close();
    throw error;
  }
  const sweeper = setInterval(sweep, sweepInterval(ttlMs));
  sweeper.unref();

  return {
    state,
    conversations: new SqliteConversationStore({ db, expiry }),
    transcripts,
    evidence: new SqliteEvidenceStore({ db, blobs, clock, maxBytes, expiry }),
    cases: new SqliteCaseStore({ db, queueApprovals: options.queueApprovals ?? false }),
    summaries,
    refundOutbox: new SqliteRefundOutbox({ db }),
    turns: new SqliteTurnStore({ db, state, transcripts, expiry, summaries, events, privacy, waitMs }),
    privacy,
    events,
    idempotency: new SqliteIdempotencyStore({ db, clock }),
    desk: new SqliteDeskStore({ db, clock }),
    rateLimits: new SqliteRateLimitStore({ db, clock }),
    values: new SqliteSharedValueStore({ db, clock }),
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      clearInterval(sweeper);
      if (db.isOpen) db.close();
    },
  };
}

// Often enough that little lingers past its TTL, rarely enough to cost nothing: a tenth of the
// TTL, between a second and ten minutes.
function sweepInterval(ttlMs: number): number {
  return Math.min(Math.max(Math.floor(ttlMs / 10), 1_000), 10 * 60 * 1000);
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw invalidOption(`options.${name} must be a positive integer, got ${value}`);
  return value;
}

function invalidOption(message: string): CodedError {
  return new CodedError('bug', 'invalid_option', `openSqliteStores: ${message}`, 500);
}

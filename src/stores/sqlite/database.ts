import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ConfigError } from '../../errors.ts';
import { MIGRATIONS } from './migrations.ts';
import { integer, text } from './rows.ts';
import { inTransaction } from './transaction.ts';

/** The embedded store's file name inside `DATA_DIR`. */
export const DATABASE_FILE = 'refundbot.sqlite';

// How long a writer waits for another process's write lock (e.g. `refundbot chat` next to a
// running server on the same DATA_DIR) before failing with SQLITE_BUSY.
const BUSY_TIMEOUT_MS = 5_000;

/** Opens (creating folder and file if needed) `dataDir/refundbot.sqlite`, schema up to date. */
export function openDatabase(dataDir: string): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  const db = new DatabaseSync(join(dataDir, DATABASE_FILE), {
    timeout: BUSY_TIMEOUT_MS,
    enableForeignKeyConstraints: true,
  });
  try {
    useWriteAheadLog(db);
    // FULL also syncs at each commit in WAL mode: an approved refund or audit event that was
    // acknowledged must survive a power cut, and our write rate is tiny.
    db.exec('PRAGMA synchronous = FULL');
    // Deleted rows are overwritten with zeros where that costs no extra I/O (FAST), so expired
    // customers' messages do not stay readable in the file; ON (every freed page zeroed too)
    // took the p99 of 64 concurrent turns in `npm run bench` from about 0.5 s to 1–2 s in most
    // runs, so only the privacy erasure uses it (src/stores/sqlite/privacyStore.ts).
    db.exec('PRAGMA secure_delete = FAST');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Switches the file to WAL, which lets readers work while a write is in progress. The mode is
 * stored in the file, so this only does something on the very first start. That switch needs
 * an exclusive lock, and SQLite answers SQLITE_BUSY at once, without waiting out the busy
 * timeout, while another connection opening the same new file holds a shared lock (two
 * processes started together on an empty DATA_DIR): so retry until the timeout instead.
 */
function useWriteAheadLog(db: DatabaseSync): void {
  const deadline = performance.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      if (journalMode(db) !== 'wal') db.exec('PRAGMA journal_mode = WAL');
      return;
    } catch (error) {
      if (!isBusy(error) || performance.now() > deadline) throw error;
      sleepSync(Math.min(5 * attempt, 50));
    }
  }
}

function journalMode(db: DatabaseSync): string {
  const row = db.prepare('PRAGMA journal_mode').get();
  return row ? text(row, 'journal_mode') : '';
}

// SQLITE_BUSY is result code 5; extended codes keep it in the low byte.
function isBusy(error: unknown): boolean {
  return error instanceof Error && 'errcode' in error && typeof error.errcode === 'number' && (error.errcode & 0xff) === 5;
}

// Opening is synchronous (DatabaseSync), so the wait is too; it only happens at start-up.
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The number of migrations applied to this database file. */
export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get();
  return row ? integer(row, 'user_version') : 0;
}

/**
 * Applies the missing migrations in one transaction (re-reading the version under the write
 * lock, so two processes starting together do not both migrate). Refuses a file written by a
 * newer release rather than guessing at a schema it does not know.
 */
export function migrate(db: DatabaseSync): void {
  inTransaction(db, () => {
    const current = schemaVersion(db);
    if (current > MIGRATIONS.length) {
      throw new ConfigError(
        'database_too_new',
        `The database schema is version ${current}, newer than this release knows (${MIGRATIONS.length}); check DATA_DIR`,
      );
    }
    for (const [index, sql] of MIGRATIONS.entries()) {
      if (index < current) continue;
      db.exec(sql);
      // user_version is part of the file header and is rolled back with the transaction.
      db.exec(`PRAGMA user_version = ${index + 1}`);
    }
  });
}

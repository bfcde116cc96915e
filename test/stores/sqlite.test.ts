import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { DATABASE_FILE } from '../../src/stores/sqlite/database.ts';
import { MIGRATIONS } from '../../src/stores/sqlite/migrations.ts';
import { openSqliteStores } from '../../src/stores/sqlite/index.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { PNG } from '../evidence/fixtures.ts';
import { describeStoreContract } from './contract.ts';
import { aCase, anEvent, T0 } from './contract/harness.ts';
import { gate, incrementCommit, turnKey } from './contract/turnKit.ts';
import { makeSqliteHarness } from './sqliteHarness.ts';

describeStoreContract('sqlite', (options) => makeSqliteHarness(options));

describe('sqlite store specifics', () => {
  let cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups) await cleanup();
    cleanups = [];
  });
  const harness = async (options: { maxEvidenceBytes?: number; conversationTtlMs?: number } = {}) => {
    const made = await makeSqliteHarness(options);
    cleanups.push(made.cleanup);
    return made;
  };
  // A second connection to the same file, as an operator with the sqlite shell would have.
  const rawConnection = (dataDir: string): DatabaseSync => {
    const raw = new DatabaseSync(join(dataDir, DATABASE_FILE));
    cleanups.unshift(async () => raw.close());
    return raw;
  };

  it('creates DATA_DIR with a WAL database at the latest schema version', async () => {
    const { dataDir } = await harness();
    const raw = rawConnection(dataDir);
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(raw.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.length });
  });

  it('refuses UPDATE and DELETE of audit events, even with raw SQL', async () => {
    const { stores, dataDir } = await harness();
    await stores.cases.create(aCase(), anEvent('RF-TEST22'));
    const raw = rawConnection(dataDir);
    expect(() => raw.exec("UPDATE audit_events SET type = 'note'")).toThrow(/append-only/);
    expect(() => raw.exec('DELETE FROM audit_events')).toThrow(/append-only/);
    expect(() => raw.exec("DELETE FROM cases WHERE id = 'RF-TEST22'")).toThrow(/FOREIGN KEY/);
    expect((await stores.cases.audit('RF-TEST22')).map((event) => event.type)).toEqual(['created']);
  });

  it('writes neither the case nor its audit event when queueing the approval fails (an approval is never stored unqueued)', async () => {
    const { stores, dataDir } = await harness();
    await stores.cases.create(aCase({ id: 'RF-PEND22' }), anEvent('RF-PEND22'));
    // Sabotage: every write to the outbox fails, as a full disk or a damaged table would.
    rawConnection(dataDir).exec("CREATE TRIGGER outbox_down BEFORE INSERT ON refund_outbox BEGIN SELECT RAISE(ABORT, 'outbox down'); END;");
    await expect(stores.cases.create(aCase({ status: 'approved' }), anEvent('RF-TEST22'))).rejects.toThrow(/outbox down/);
    expect(await stores.cases.get('RF-TEST22')).toBeUndefined();
    expect(await stores.cases.audit('RF-TEST22')).toEqual([]);
    const approve = anEvent('RF-PEND22', { type: 'status_changed' });
    await expect(stores.cases.transition('RF-PEND22', 'pending_review', 'approved', approve, T0)).rejects.toThrow(/outbox down/);
    expect((await stores.cases.get('RF-PEND22'))?.status).toBe('pending_review');
    expect((await stores.cases.audit('RF-PEND22')).map((event) => event.type)).toEqual(['created']);
    expect(await stores.refundOutbox.list()).toEqual([]);
  });

  it('refuses a database written by a newer release', async () => {
    const { dataDir, reopen } = await harness();
    const raw = rawConnection(dataDir);
    raw.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    const error = await reopen().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'database_too_new' });
  });

  it('keeps evidence at evidence/<first 2 hex>/<sha256> with no temporary files left', async () => {
    const { stores, dataDir } = await harness();
    const ref = await stores.evidence.put(PNG, { name: '../../etc/passwd.png', conversationId: 'conv-1' });
    const folder = join(dataDir, 'evidence', ref.id.slice(0, 2));
    expect(await readdir(folder)).toEqual([ref.id]);
    expect(await readdir(join(dataDir, 'evidence'))).toEqual([ref.id.slice(0, 2)]);
    expect(new Uint8Array(await readFile(join(folder, ref.id)))).toEqual(PNG);
  });

  it('rewrites an evidence file found truncated (e.g. by a crash of an older write)', async () => {
    const { stores, dataDir } = await harness();
    const ref = await stores.evidence.put(PNG, { name: 'a.png', conversationId: 'conv-1' });
    const path = join(dataDir, 'evidence', ref.id.slice(0, 2), ref.id);
    await writeFile(path, PNG.subarray(0, 10));
    await stores.evidence.put(PNG, { name: 'a.png', conversationId: 'conv-1' });
    expect(new Uint8Array(await readFile(path))).toEqual(PNG);
  });

  it('applies a configured evidence size limit', async () => {
    const { stores } = await harness({ maxEvidenceBytes: PNG.byteLength - 1 });
    await expect(stores.evidence.put(PNG, { name: 'a.png', conversationId: 'c' })).rejects.toMatchObject({
      code: 'file_too_large',
      status: 413,
    });
  });

  it('refuses missing or invalid options', () => {
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    expect(() => openSqliteStores({ dataDir: '', clock })).toThrow(/dataDir/);
    expect(() => openSqliteStores({ dataDir: '/tmp/x', clock, maxEvidenceBytes: 0 })).toThrow(/maxEvidenceBytes/);
    expect(() => openSqliteStores({ dataDir: '/tmp/x', clock, conversationTtlMs: -1 })).toThrow(/conversationTtlMs/);
    expect(() => openSqliteStores({ dataDir: '/tmp/x', clock, turnWaitMs: 0.5 })).toThrow(/turnWaitMs/);
  });

  it('upgrades a version-1 database: its conversations count as active at the upgrade', async () => {
    const root = await mkdtemp(join(tmpdir(), 'refundbot-upgrade-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const old = new DatabaseSync(join(root, DATABASE_FILE));
    old.exec(MIGRATIONS[0] ?? '');
    old.exec('PRAGMA user_version = 1');
    old.prepare('INSERT INTO conversations VALUES (?, ?, ?, ?, ?)').run('conv-old', 'c'.repeat(64), 'webchat', 'en', 0);
    old.prepare('INSERT INTO transcript_entries VALUES (?, ?, ?)').run('conv-old', 1, '{"text":"hi"}');
    old.prepare('INSERT INTO state (key, etag, value) VALUES (?, ?, ?)').run('webchat/conversations/conv-old/', 'e1', '{}');
    old.close();
    // Created long ago (epoch 0), but the upgrade must not delete it at once.
    const stores = openSqliteStores({ dataDir: root, clock: new FixedClock(new Date()), conversationTtlMs: 60_000 });
    cleanups.unshift(() => stores.close());
    expect(await stores.conversations.get('conv-old')).toMatchObject({ id: 'conv-old' });
    expect(await stores.transcripts.list('conv-old', 0)).toHaveLength(1);
    expect(Object.keys(await stores.state.read(['webchat/conversations/conv-old/']))).toHaveLength(1);
  });

  it('sweeps expired conversations periodically, and stops sweeping when closed', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { stores, dataDir, clock } = await harness({ conversationTtlMs: 10_000 });
      await stores.conversations.create({ id: 'conv-1', tokenHash: 'd'.repeat(64), channel: 'webchat', locale: 'en', createdAt: T0 });
      await stores.transcripts.append('conv-1', [{ text: 'hi' }]);
      const raw = rawConnection(dataDir);
      const rows = () => raw.prepare('SELECT count(*) AS n FROM transcript_entries').get()?.n;
      clock.advance(10_000);
      expect(rows()).toBe(1);
      vi.advanceTimersByTime(1_000);
      expect(rows()).toBe(0);
      expect(vi.getTimerCount()).toBe(1);
      await stores.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails a turn that waited longer than turnWaitMs with conversation_busy and never runs it', async () => {
    const { dataDir, clock } = await harness();
    const stores = openSqliteStores({ dataDir, clock, turnWaitMs: 50 });
    cleanups.unshift(() => stores.close());
    const key = turnKey();
    const release = gate();
    const held = stores.turns.run(key, async (snapshot) => {
      await release.opened;
      return { result: 'held', commit: incrementCommit(snapshot, [{ text: 'held' }]) };
    });
    let ran = false;
    const impatient = stores.turns.run(key, async (snapshot) => {
      ran = true;
      return { result: 'impatient', commit: incrementCommit(snapshot, [{ text: 'impatient' }]) };
    });
    await expect(impatient).rejects.toMatchObject({ code: 'conversation_busy', status: 503 });
    release.open();
    expect(await held).toBe('held');
    expect(await stores.turns.run(key, async () => ({ result: 'next', commit: { transcript: [{ text: 'next' }] } }))).toBe('next');
    expect(ran).toBe(false);
    expect((await stores.transcripts.list(key.conversationId, 0)).map((entry) => entry.activity.text)).toEqual(['held', 'next']);
  });
});

describe('sqlite store with several connections', () => {
  it('migrates once, keeps seqs gap-free and loses no eTag-checked update', async () => {
    const root = await mkdtemp(join(tmpdir(), 'refundbot-concurrent-'));
    const dataDir = join(root, 'data');
    try {
      const workers = 4;
      const rounds = 40;
      // Every worker opens the brand-new database itself, so they also race to migrate it.
      const barrier = new SharedArrayBuffer(4);
      const results = await Promise.all(
        Array.from({ length: workers }, (_, worker) => runWorker({ dataDir, worker, rounds, workers, barrier })),
      );
      const stores = openSqliteStores({ dataDir, clock: new FixedClock('2026-11-10T09:00:00Z') });
      try {
        const entries = await stores.transcripts.list('shared', 0);
        expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: workers * rounds * 2 }, (_, i) => i + 1));
        // Each append's two entries stay adjacent: batches never interleave.
        for (let index = 0; index < entries.length; index += 2) {
          const [first, second] = [entries[index]?.activity, entries[index + 1]?.activity];
          expect(second).toEqual({ ...first, part: 1 });
        }
        expect((await stores.state.read(['counter'])).counter?.value).toBe(workers * rounds);
        // The workers really did collide (otherwise this test proves nothing about eTags).
        expect(results.reduce((sum, result) => sum + result.conflicts, 0)).toBeGreaterThan(0);
      } finally {
        await stores.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

interface WorkerData {
  dataDir: string;
  worker: number;
  rounds: number;
  workers: number;
  barrier: SharedArrayBuffer;
}

function runWorker(data: WorkerData): Promise<{ conflicts: number }> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(new URL('./concurrentWriter.ts', import.meta.url), { workerData: data });
    thread.once('message', resolve);
    thread.once('error', reject);
    thread.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${data.worker} exited with ${code}`));
    });
  });
}

/**
 * `npm run bench -- --only stats [--store sqlite|redis] [--cases 100000]`: how long the merchant's
 * figures take at 100,000 cases. Seeds a year of history (cases with their audit trails —
 * decisions, refunds, disputes, people's actions, ratings —, escalations and conversation
 * summaries) in batches, then times `computeStats` for the last 30 days and for all of it, with
 * the peak memory it took.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createdEvent, decidedEvent, escalatedEvent, statusChangedEvent } from '../src/cases/auditEvents.ts';
import type { AuditEvent, CaseStatus, Escalation, Outcome, RefundCase } from '../src/domain/case.ts';
import { CATEGORIES } from '../src/domain/categories.ts';
import { FixedClock } from '../src/domain/clock.ts';
import type { TurnSummary } from '../src/domain/conversationSummary.ts';
import type { Locale } from '../src/domain/locale.ts';
import { computeStats, type InsightSource } from '../src/insight/computeStats.ts';
import { lastDays } from '../src/insight/statsQuery.ts';
import type { StatsQuery } from '../src/insight/types.ts';
import { openRedisStores } from '../src/stores/redis/index.ts';
import type { Stores } from '../src/stores/ports.ts';
import { SqliteCaseStore } from '../src/stores/sqlite/caseStore.ts';
import { openDatabase } from '../src/stores/sqlite/database.ts';
import { openSqliteStores } from '../src/stores/sqlite/index.ts';
import { SqliteSummaryStore } from '../src/stores/sqlite/summaryStore.ts';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_DAYS = 365;

/** A small deterministic generator (mulberry32), so every run seeds the same history. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(next: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = next() * total;
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

const CHANNELS = [['api', 45], ['web', 5], ['wechat', 25], ['slack', 10], ['botframework', 15]] as const;
const LOCALES_WEIGHTED = [['en', 50], ['zh-CN', 35], ['zh-TW', 15]] as const;
const CATEGORY_WEIGHTS = CATEGORIES.map((category, index) => [category, 12 - index] as const);
const QUESTIONS = [['orderId', 40], ['identity', 25], ['reason', 10], ['evidence', 20], ['confirm', 5]] as const;

/** Everything written for one case: the case, its trail after `created`, escalations, its conversation's turns. */
interface Seeded {
  refundCase: RefundCase;
  created: AuditEvent;
  then: ({ kind: 'audit'; event: AuditEvent } | { kind: 'transition'; from: CaseStatus; to: CaseStatus; event: AuditEvent })[];
  escalations: Escalation[];
  summaries: { conversationId: string; turn: TurnSummary }[];
}

/** The history of case `index` (and of one conversation without a case every third case). */
function history(index: number): Seeded {
  const next = random(index + 1);
  const createdAt = new Date(NOW.getTime() - Math.floor(next() * YEAR_DAYS * DAY_MS));
  const later = (minutes: number) => new Date(createdAt.getTime() + Math.round(minutes * 60_000));
  const channel = pick(next, CHANNELS);
  const locale = pick(next, LOCALES_WEIGHTED) as Locale;
  const category = pick(next, CATEGORY_WEIGHTS);
  const currency = next() < 0.9 ? 'CNY' : 'USD';
  const amount = 1000 + Math.floor(next() * 60000);
  const sku = `SKU-${String(Math.floor(next() ** 2 * 200)).padStart(3, '0')}`;
  const items = next() < 0.15 ? [sku, `SKU-${String(Math.floor(next() * 200)).padStart(3, '0')}`] : [sku];
  const [outcome, status] = pick(next, [
    [['full', 'approved'], 55],
    [['partial', 'approved'], 10],
    [['none', 'denied'], 15],
    [['review', 'pending_review'], 20],
  ] as const) as readonly [Outcome, CaseStatus];
  const id = `RF-${index.toString(36).toUpperCase().padStart(6, '0')}`;
  const conversationId = `bench-${index}`;
  const refundCase: RefundCase = {
    id,
    orderId: `O-${index}`,
    customerId: `c-${index % 20000}`,
    conversationId,
    channel,
    locale,
    category,
    items,
    reasonText: 'bench',
    evidence: [],
    decision: { outcome, amount: outcome === 'none' || outcome === 'review' ? 0 : amount, currency, clauses: ['R-2.1'], guardrails: [], policyVersion: 'bench' },
    status,
    createdAt,
    updatedAt: createdAt,
  };
  const assistant = { kind: 'assistant' as const };
  const agent = { kind: 'agent' as const, id: `agent-${index % 7}` };
  const then: Seeded['then'] = [{ kind: 'audit', event: decidedEvent(refundCase, assistant) }];
  const escalations: Escalation[] = [];
  let current: CaseStatus = status;
  const move = (to: CaseStatus, minutes: number, actor: AuditEvent['actor']) => {
    then.push({ kind: 'transition', from: current, to, event: statusChangedEvent(id, { from: current, to }, actor, later(minutes)) });
    current = to;
  };
  let handed = false;
  if (status === 'denied' && next() < 0.3) {
    const escalation: Escalation = { id: `esc-${index}`, conversationId, caseId: id, reason: 'dispute', locale, channel, at: later(3) };
    escalations.push(escalation);
    then.push({ kind: 'transition', from: current, to: 'escalated', event: escalatedEvent(refundCase, escalation, { kind: 'customer' }, 'escalated') });
    current = 'escalated';
    handed = true;
  }
  if (current === 'pending_review' || current === 'escalated') {
    handed = true;
    const minutes = 5 + next() * 600;
    if (next() < 0.8) move(next() < 0.6 ? 'approved' : 'denied', minutes, agent);
    else then.push({ kind: 'audit', event: { caseId: id, at: later(minutes), actor: agent, type: 'note', data: { handedBack: true } } });
  }
  if (current === 'approved' && next() < 0.7) move('refunded', 60 * 24 * (1 + next() * 3), { kind: 'system', id: 'merchant' });
  if (next() < 0.4) then.push({ kind: 'audit', event: { caseId: id, at: later(2), actor: { kind: 'customer' }, type: 'note', data: { csat: 1 + Math.floor(next() ** 0.5 * 5) } } });

  const startedAt = later(-5);
  const summaries: Seeded['summaries'] = [
    {
      conversationId,
      turn: { channel, locale, startedAt, at: later(2), customerTurns: 3 + Math.floor(next() * 6), awaiting: null, handedToPeople: handed, hasCase: true },
    },
  ];
  if (index % 3 === 0) {
    // A conversation without a case: asked for a person, gave up at a question, or finished.
    const other = `bench-x-${index}`;
    const roll = next();
    const turn: TurnSummary =
      roll < 0.15
        ? { channel, locale, startedAt: later(30), at: later(32), customerTurns: 2, awaiting: null, handedToPeople: true, hasCase: false }
        : roll < 0.7
          ? { channel, locale, startedAt: later(30), at: later(33), customerTurns: 1 + Math.floor(next() * 4), awaiting: pick(next, QUESTIONS), handedToPeople: false, hasCase: false }
          : { channel, locale, startedAt: later(30), at: later(31), customerTurns: Math.floor(next() * 3), awaiting: null, handedToPeople: false, hasCase: false };
    summaries.push({ conversationId: other, turn });
    if (turn.handedToPeople) escalations.push({ id: `esc-x-${index}`, conversationId: other, reason: 'customer_request', locale, channel, at: later(32) });
  }
  return { refundCase, created: createdEvent(refundCase, assistant), then, escalations, summaries };
}

/** Writes one case's history through the stores' own methods. */
async function write(stores: Pick<Stores, 'cases' | 'summaries'>, seeded: Seeded): Promise<void> {
  await stores.cases.create(seeded.refundCase, seeded.created);
  for (const escalation of seeded.escalations) await stores.cases.addEscalation(escalation);
  for (const step of seeded.then) {
    if (step.kind === 'audit') await stores.cases.appendAudit(step.event);
    else await stores.cases.transition(seeded.refundCase.id, step.from, step.to, step.event, step.event.at);
  }
  for (const { conversationId, turn } of seeded.summaries) await stores.summaries.record(conversationId, turn);
}

/** Seeds the embedded store: one connection, big transactions, no fsync per commit (a bench). */
function seedSqlite(dataDir: string, count: number): Promise<void> {
  const db = openDatabase(dataDir);
  db.exec('PRAGMA synchronous = OFF');
  const stores = { cases: new SqliteCaseStore({ db }), summaries: new SqliteSummaryStore({ db }) };
  return (async () => {
    try {
      for (let start = 0; start < count; start += 5000) {
        db.exec('BEGIN IMMEDIATE');
        // Inside one transaction every store call joins it (inTransaction nests).
        for (let index = start; index < Math.min(count, start + 5000); index++) await write(stores, history(index));
        db.exec('COMMIT');
      }
    } finally {
      db.close();
    }
  })();
}

/** Seeds Redis with many cases in flight at once: node-redis pipelines them on the connection. */
async function seedRedis(stores: Stores, count: number): Promise<void> {
  const inFlight = 512;
  for (let start = 0; start < count; start += inFlight) {
    await Promise.all(Array.from({ length: Math.min(inFlight, count - start) }, (_, offset) => write(stores, history(start + offset))));
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Runs `work` over `source` and reports its time and the peak growth of the JS heap while it ran,
 * sampled after every store read (the embedded store's reads are synchronous, so a timer would
 * never get to sample). With `live` (needs `node --expose-gc`, as `npm run bench` runs) the heap
 * is collected before each sample, so the peak is what the computation really holds (a page
 * and the tallies), not garbage waiting for the collector; that run is not timed.
 */
async function measure<T>(
  source: InsightSource,
  work: (source: InsightSource) => Promise<T>,
  live = false,
): Promise<{ result: T; seconds: number; peakHeapMb: number; rssMb: number; reads: number }> {
  gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let reads = 0;
  const sample = <R>(value: R): R => {
    reads += 1;
    if (live) gc?.();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return value;
  };
  const sampled: InsightSource = {
    cases: {
      listCreatedWithAudit: (...args) => source.cases.listCreatedWithAudit(...args).then(sample),
      withAudit: (...args) => source.cases.withAudit(...args).then(sample),
      listAudit: (...args) => source.cases.listAudit(...args).then(sample),
      listEscalations: (...args) => source.cases.listEscalations(...args).then(sample),
    },
    summaries: { listStarted: (...args) => source.summaries.listStarted(...args).then(sample) },
  };
  const started = performance.now();
  const result = await work(sampled);
  const seconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { result, seconds, peakHeapMb: (peak - baseline) / 1e6, rssMb: process.memoryUsage().rss / 1e6, reads };
}

export async function statsBench(store: string, options: { cases: number; redisUrl: string }): Promise<void> {
  const count = options.cases;
  console.log(`\n== Merchant figures: computeStats over ${count.toLocaleString('en')} cases on the ${store === 'redis' ? 'Redis' : 'embedded SQLite'} store ==`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'refundbot-bench-stats-'));
  const prefix = `refundbot-bench:${process.pid}:stats:`;
  const clock = new FixedClock(NOW);
  let stores: Stores | undefined;
  try {
    const seeding = performance.now();
    if (store === 'redis') {
      stores = await openRedisStores({ url: options.redisUrl, keyPrefix: prefix, clock, conversationTtlMs: 30 * DAY_MS });
      await seedRedis(stores, count);
    } else {
      await seedSqlite(dataDir, count);
      stores = openSqliteStores({ dataDir, clock });
    }
    const seeded = stores;
    console.log(`seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s: ${count.toLocaleString('en')} cases with their audit trails, escalations, ${Math.round(count * 4 / 3).toLocaleString('en')} conversation summaries`);

    const periods: [string, StatsQuery][] = [
      ['last 30 days', lastDays(30, clock)],
      ['last 30 days, channel wechat', lastDays(30, clock, 'wechat')],
      ['all time (366 days)', lastDays(YEAR_DAYS + 1, clock)],
    ];
    console.log(
      `period                          cases   conversations   seconds   heap growth MB (live${gc ? '' : ': run with --expose-gc'})   RSS MB   store reads` + (store === 'redis' ? '   round trips' : ''),
    );
    for (const [name, query] of periods) {
      const trips = (seeded as { roundTrips?: () => number }).roundTrips;
      // Once to warm up (statements prepared, pages cached), then timed, then for memory.
      if (name === periods[0]?.[0]) await computeStats(seeded, query, { clock });
      const before = trips?.() ?? 0;
      const timed = await measure(seeded, (source) => computeStats(source, query, { clock }));
      const roundTrips = (trips?.() ?? 0) - before;
      const memory = gc ? await measure(seeded, (source) => computeStats(source, query, { clock }), true) : undefined;
      const stats = timed.result;
      console.log(
        `${name.padEnd(30)}  ${String(stats.cases.total).padStart(6)}  ${String(stats.conversations.total).padStart(14)}  ${timed.seconds.toFixed(2).padStart(8)}  ${(memory ? memory.peakHeapMb.toFixed(1) : '—').padStart(34)}  ${timed.rssMb.toFixed(0).padStart(7)}  ${String(timed.reads).padStart(12)}` +
          (trips ? `  ${String(roundTrips).padStart(12)}` : ''),
      );
    }
  } finally {
    await stores?.close();
    if (store === 'redis') await dropPrefix(options.redisUrl, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function dropPrefix(url: string, prefix: string): Promise<void> {
  const { createClient } = await import('redis');
  const client = createClient({ url });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length) await client.unlink(keys);
  } finally {
    await client.quit();
  }
}

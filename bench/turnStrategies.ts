/**
 * Issue 3 asked to measure "a per-conversation lock with a lease, or optimistic retry on the
 * eTag" and keep the faster one. This runs the same workload through both, in one process on
 * one Redis:
 *  - lock:       the product's RedisTurnStore (`openRedisStores(...).turns`: FIFO queue + lease,
 *                pub/sub hand-over), with the product's default timing;
 *  - optimistic: bench/optimisticTurnStore.ts (read, work, eTag-checked commit, jittered retry).
 *
 * Scenarios (all turns of a scenario are started at once unless said otherwise):
 *  - uncontended: 64 conversations × 5 turns, each conversation's turns one after another;
 *  - contended:   1 conversation × 50 turns, all at once;
 *  - moderate:    8 conversations × 10 turns, each conversation's turns all at once.
 *
 * A turn's `work` reads the snapshot's counter, spends ~1 ms, and commits counter + 1 and one
 * transcript entry. The 1 ms is measured two ways, because they favour different strategies:
 *  - cpu: a 1 ms busy loop. A real turn's cost is mostly CPU in this process (classifier,
 *    dialogs), and a retried turn really burns that CPU again; but one process serialises all
 *    CPU, where several instances would overlap it.
 *  - io:  `await` a 1 ms timer. Models a turn waiting on something else (order API, an LLM) or
 *    instances running in parallel; wasted attempts then cost Redis traffic, not CPU.
 *
 * Reported per strategy and scenario: wall time, turns/s, p50/p99 turn latency (from the call of
 * `run` to its result), Redis round trips per turn (RedisLink's count), retries, and checks made
 * afterwards on what Redis holds: each conversation's counter equals its successful turns (no
 * lost or doubled update), its transcript holds each successful turn exactly once, each entry
 * saw the counter of its position (serialised), and whether the turns committed in arrival order.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { systemClock } from '../src/domain/clock.ts';
import type { StateStorage, TranscriptStore, TurnCommit, TurnKey, TurnSnapshot, TurnStore } from '../src/stores/ports.ts';
import { openRedisStores } from '../src/stores/redis/index.ts';
import { DEFAULT_RETRY, openOptimisticStores } from './optimisticTurnStore.ts';

type WorkMode = 'cpu' | 'io';

interface Scenario {
  name: string;
  conversations: number;
  turnsPerConversation: number;
  /** Start every turn of a conversation at once (contention) or one after another. */
  concurrentWithin: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'uncontended 64×5', conversations: 64, turnsPerConversation: 5, concurrentWithin: false },
  { name: 'contended 1×50', conversations: 1, turnsPerConversation: 50, concurrentWithin: true },
  { name: 'moderate 8×10', conversations: 8, turnsPerConversation: 10, concurrentWithin: true },
];
const MODES: WorkMode[] = ['cpu', 'io'];
const WORK_MS = 1;
/** Runs of each strategy × scenario × work mode; the run of median wall time is reported. */
const REPS = 5;
/** The lock's poll interval (the product default, set explicitly): a waiter that misses its hand-over sleeps this long. */
const LOCK_POLL_MS = 500;
/** A run in which some turn took at least this long is counted as stalled (it sat out a poll interval). */
const STALL_MS = 0.9 * LOCK_POLL_MS;
const TTL_MS = 10 * 60_000;

interface Strategy {
  name: 'lock' | 'optimistic';
  turns: TurnStore;
  state: StateStorage;
  transcripts: TranscriptStore;
  roundTrips(): number;
  /** Lost eTag races so far (the lock never retries). */
  retries(): number;
}

interface Result {
  mode: WorkMode;
  scenario: string;
  strategy: string;
  turns: number;
  wallMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  tripsPerTurn: number;
  retries: number;
  failed: number;
  firstError: string | undefined;
  /** Conversations whose counter ≠ successful turns. */
  lostUpdates: number;
  /** Conversations whose transcript is not exactly one entry per successful turn. */
  badTranscripts: number;
  /** Conversations where an entry did not see the counter of its position (not serialised). */
  unserialised: number;
  /** Conversations whose turns committed in the order they were started. */
  inOrder: number;
  conversations: number;
  /** Runs in which some turn took ≥ STALL_MS (summed over runs by medianRun). */
  stalledRuns: number;
  /** Turns/s of the fastest run (equal to perSecond for a single run). */
  bestPerSecond: number;
}

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: a turn's CPU
  }
}

/** One simulated turn: read the counter, spend ~1 ms, commit counter + 1 and one transcript entry. */
function simulatedTurn(mode: WorkMode, turn: number) {
  return async (snapshot: TurnSnapshot): Promise<{ result: number; commit: TurnCommit }> => {
    const state = snapshot.state;
    const count = (typeof state?.count === 'number' ? state.count : 0) + 1;
    if (mode === 'cpu') spin(WORK_MS);
    else await sleep(WORK_MS);
    const eTag = typeof state?.eTag === 'string' ? state.eTag : null;
    return {
      result: count,
      commit: {
        state: { item: { ...state, count, lastTurn: turn }, expectedETag: eTag },
        transcript: [{ type: 'message', from: 'bot', turn, count, text: `turn ${turn}` }],
      },
    };
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

async function measure(strategy: Strategy, scenario: Scenario, mode: WorkMode, tag: string): Promise<Result> {
  const keys: TurnKey[] = Array.from({ length: scenario.conversations }, (_, c) => {
    const conversationId = `${tag}-${c}`;
    return { conversationId, stateKey: `bench/conversations/${conversationId}/` };
  });
  const latencies: number[] = [];
  const succeeded = keys.map(() => new Set<number>());
  let failed = 0;
  let firstError: string | undefined;

  const one = async (c: number, turn: number): Promise<void> => {
    const started = performance.now();
    try {
      await strategy.turns.run(keys[c]!, simulatedTurn(mode, turn));
      succeeded[c]!.add(turn);
    } catch (error) {
      failed++;
      firstError ??= error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
    }
    latencies.push(performance.now() - started);
  };

  const tripsBefore = strategy.roundTrips();
  const retriesBefore = strategy.retries();
  const started = performance.now();
  await Promise.all(
    keys.map(async (_, c) => {
      const turns = Array.from({ length: scenario.turnsPerConversation }, (_, turn) => turn);
      if (scenario.concurrentWithin) {
        // Started in turn order, in one tick: each turn's first command reaches Redis in this order.
        await Promise.all(turns.map((turn) => one(c, turn)));
      } else {
        for (const turn of turns) await one(c, turn);
      }
    }),
  );
  const wallMs = performance.now() - started;
  const total = scenario.conversations * scenario.turnsPerConversation;
  const tripsPerTurn = (strategy.roundTrips() - tripsBefore) / total;
  const retries = strategy.retries() - retriesBefore;

  // Verify what Redis holds (after the counts above were taken).
  let lostUpdates = 0;
  let badTranscripts = 0;
  let unserialised = 0;
  let inOrder = 0;
  for (const [c, key] of keys.entries()) {
    const ok = succeeded[c]!;
    const state = (await strategy.state.read([key.stateKey]))[key.stateKey];
    const count = typeof state?.count === 'number' ? state.count : 0;
    if (count !== ok.size) lostUpdates++;
    const entries = await strategy.transcripts.list(key.conversationId, 0);
    const turns = entries.map((entry) => entry.activity.turn as number);
    if (entries.length !== ok.size || new Set(turns).size !== turns.length || !turns.every((turn) => ok.has(turn))) badTranscripts++;
    if (!entries.every((entry) => entry.activity.count === entry.seq)) unserialised++;
    if (turns.every((turn, index) => index === 0 || turn > turns[index - 1]!)) inOrder++;
  }

  latencies.sort((a, b) => a - b);
  const perSecond = (total - failed) / (wallMs / 1000);
  return {
    mode,
    scenario: scenario.name,
    strategy: strategy.name,
    turns: total,
    wallMs,
    perSecond,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    tripsPerTurn,
    retries,
    failed,
    firstError,
    lostUpdates,
    badTranscripts,
    unserialised,
    inOrder,
    conversations: scenario.conversations,
    stalledRuns: (latencies.at(-1) ?? 0) >= STALL_MS ? 1 : 0,
    bestPerSecond: perSecond,
  };
}

/** The run of median wall time (its timings, round trips and retries), with the checks of every run added up. */
function medianRun(runs: Result[]): Result {
  const median = [...runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(runs.length / 2)]!;
  const sum = (field: 'failed' | 'lostUpdates' | 'badTranscripts' | 'unserialised' | 'inOrder' | 'conversations' | 'stalledRuns') =>
    runs.reduce((total, run) => total + run[field], 0);
  return {
    ...median,
    failed: sum('failed'),
    firstError: runs.find((run) => run.firstError)?.firstError,
    lostUpdates: sum('lostUpdates'),
    badTranscripts: sum('badTranscripts'),
    unserialised: sum('unserialised'),
    inOrder: sum('inOrder'),
    conversations: sum('conversations'),
    stalledRuns: sum('stalledRuns'),
    bestPerSecond: Math.max(...runs.map((run) => run.bestPerSecond)),
  };
}

async function dropPrefix(redisUrl: string, prefix: string): Promise<number> {
  const client = createClient({ url: redisUrl });
  await client.connect();
  let dropped = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      if (keys.length) dropped += await client.del(keys);
    }
  } finally {
    await client.quit();
  }
  return dropped;
}

function row(cells: (string | number)[], widths: number[]): string {
  return cells.map((cell, index) => (index <= 2 ? String(cell).padEnd(widths[index]!) : String(cell).padStart(widths[index]!))).join('  ');
}

function printTable(results: Result[]): void {
  const header = ['work', 'scenario', 'strategy', 'turns', 'wall ms', 'turns/s', 'best/s', 'p50 ms', 'p99 ms', 'RT/turn', 'retries', 'stalls', 'failed', 'lost', 'bad tx', 'unser.', 'in order'];
  const widths = [4, 16, 10, 5, 8, 8, 8, 7, 7, 7, 7, 6, 6, 4, 6, 6, 8];
  console.log(row(header, widths));
  for (const r of results) {
    console.log(
      row(
        [
          r.mode,
          r.scenario,
          r.strategy,
          r.turns,
          r.wallMs.toFixed(0),
          r.perSecond.toFixed(0),
          r.bestPerSecond.toFixed(0),
          r.p50Ms.toFixed(1),
          r.p99Ms.toFixed(1),
          r.tripsPerTurn.toFixed(2),
          r.strategy === 'lock' ? '-' : r.retries,
          r.strategy === 'lock' ? `${r.stalledRuns}/${REPS}` : '-',
          r.failed,
          r.lostUpdates,
          r.badTranscripts,
          r.unserialised,
          `${r.inOrder}/${r.conversations}`,
        ],
        widths,
      ),
    );
    if (r.firstError) console.log(`      first failure: ${r.firstError}`);
  }
}

/** "lock 12.3× faster" / "optimistic 1.4× faster" / "equal (±10%)", by median turns/s (and by best run when the lock stalled). */
function compare(results: Result[], mode: WorkMode, scenario: string): string {
  const lock = results.find((r) => r.mode === mode && r.scenario === scenario && r.strategy === 'lock');
  const optimistic = results.find((r) => r.mode === mode && r.scenario === scenario && r.strategy === 'optimistic');
  if (!lock || !optimistic) return 'not measured';
  const say = (ratio: number) =>
    Math.abs(ratio - 1) <= 0.1 ? `equal (lock ${ratio.toFixed(2)}×)` : ratio > 1 ? `lock ${ratio.toFixed(1)}× faster` : `optimistic ${(1 / ratio).toFixed(1)}× faster`;
  const median = say(lock.perSecond / optimistic.perSecond);
  return lock.stalledRuns > 0 ? `${median} [lock stalled in ${lock.stalledRuns}/${REPS} runs; best runs: ${say(lock.bestPerSecond / optimistic.bestPerSecond)}]` : median;
}

/**
 * Measures the product's turn lock (RedisTurnStore) against optimistic eTag retry on the same
 * workload and prints a table and a verdict. Uses its own key prefixes and deletes every key
 * under them at the end, even on failure. Takes about 15 s.
 */
export async function turnStrategies(redisUrl: string): Promise<void> {
  const base = `refundbot-bench-turns:${process.pid}:${randomUUID().slice(0, 8)}:`;
  console.log('\n== Turn serialisation: lock (FIFO queue + lease, the product) vs optimistic eTag retry (bench/optimisticTurnStore.ts) ==');
  console.log(`work per turn: read counter, ~${WORK_MS} ms (cpu: busy loop in this process; io: awaited timer), commit counter+1 and 1 transcript entry`);
  console.log(
    `lock: product defaults (lease 30 s, wait 35 s, poll ${LOCK_POLL_MS} ms, pub/sub hand-over); optimistic: up to ${DEFAULT_RETRY.maxAttempts} attempts, ` +
      `full-jitter backoff base ${DEFAULT_RETRY.baseMs} ms cap ${DEFAULT_RETRY.capMs} ms`,
  );
  let lockStores: Awaited<ReturnType<typeof openRedisStores>> | undefined;
  let optimisticStores: Awaited<ReturnType<typeof openOptimisticStores>> | undefined;
  try {
    lockStores = await openRedisStores({ url: redisUrl, keyPrefix: `${base}lock:`, clock: systemClock, conversationTtlMs: TTL_MS, turnPollMs: LOCK_POLL_MS });
    optimisticStores = await openOptimisticStores({ url: redisUrl, keyPrefix: `${base}optimistic:`, conversationTtlMs: TTL_MS });
    const lock = lockStores;
    const optimistic = optimisticStores;
    const strategies: Strategy[] = [
      { name: 'lock', turns: lock.turns, state: lock.state, transcripts: lock.transcripts, roundTrips: () => lock.roundTrips(), retries: () => 0 },
      {
        name: 'optimistic',
        turns: optimistic.turns,
        state: optimistic.state,
        transcripts: optimistic.transcripts,
        roundTrips: () => optimistic.roundTrips(),
        retries: () => optimistic.turns.retries(),
      },
    ];

    // Warm-up (JIT, connections, script cache), not reported.
    for (const strategy of strategies) {
      for (const mode of MODES) await measure(strategy, { name: 'warm-up', conversations: 4, turnsPerConversation: 5, concurrentWithin: true }, mode, `warm-${mode}`);
    }

    const results: Result[] = [];
    for (const mode of MODES) {
      for (const [s, scenario] of SCENARIOS.entries()) {
        const runs = new Map<string, Result[]>(strategies.map((strategy) => [strategy.name, []]));
        for (let rep = 0; rep < REPS; rep++) {
          // Alternate which strategy goes first, so drift in the machine's load does not favour one.
          const order = rep % 2 === 0 ? strategies : [...strategies].reverse();
          for (const strategy of order) runs.get(strategy.name)!.push(await measure(strategy, scenario, mode, `${mode}-${s}-${rep}`));
        }
        for (const strategy of strategies) results.push(medianRun(runs.get(strategy.name)!));
      }
    }

    console.log(`median of ${REPS} runs per row (timings, RT/turn, retries); best/s: fastest run; stalls…in order: summed over all ${REPS} runs`);
    printTable(results);
    console.log(
      'RT/turn: Redis round trips per turn (incl. pub/sub (un)subscribes of waiting turns); ' +
        `stalls (lock): runs in which some turn took ≥ ${STALL_MS} ms, i.e. sat out a poll interval; lost: conversations whose counter ≠ successful turns; ` +
        'bad tx: transcript not exactly one entry per successful turn; unser.: an entry did not see the counter of its position; in order: conversations committed in arrival order',
    );
    const correct = results.every((r) => r.failed === 0 && r.lostUpdates === 0 && r.badTranscripts === 0 && r.unserialised === 0);
    const verdicts = MODES.map(
      (mode) =>
        `${mode}: ${SCENARIOS.map((scenario) => `${scenario.name.split(' ')[0]} ${compare(results, mode, scenario.name)}`).join(', ')}`,
    );
    const lockOrdered = results.filter((r) => r.strategy === 'lock').every((r) => r.inOrder === r.conversations);
    console.log(`verdict — ${verdicts.join('; ')}.`);
    if (results.some((r) => r.strategy === 'lock' && r.stalledRuns > 0)) {
      console.log(
        `note: a lock stall is a turn that missed its hand-over and slept the ${LOCK_POLL_MS} ms poll interval: in RedisTurnStore's #waitForTurn, ` +
          '`Promise.race([subscription.ready, wake.wait(pollMs)])` leaves a wait armed when `ready` wins; a hand-over arriving during the first POLL ' +
          'settles that abandoned wait instead of being remembered, so the next wake.wait sleeps the full interval (and every turn queued behind it waits too).',
      );
    }
    console.log(
      `correctness: ${correct ? 'no lost, doubled or failed turns in either strategy' : 'FAILURES above'}; ` +
        `arrival order kept by the lock: ${lockOrdered ? 'always' : 'NOT always'}, by optimistic: ${results
          .filter((r) => r.strategy === 'optimistic' && r.scenario !== SCENARIOS[0]!.name)
          .map((r) => `${r.inOrder}/${r.conversations}`)
          .join(', ')} of contended conversations.`,
    );
  } finally {
    await Promise.allSettled([lockStores?.close(), optimisticStores?.close()]);
    const dropped = await dropPrefix(redisUrl, base);
    console.log(`cleaned up ${dropped} keys under ${base}*`);
  }
}

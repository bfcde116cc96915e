// Runs in a worker thread with its own database connection (as a second process on the same
// DATA_DIR would): appends transcript entries and increments a shared counter in state with
// eTag-checked read-modify-write, retrying on conflicts.
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { FixedClock } from '../../src/domain/clock.ts';
import { ConflictError } from '../../src/errors.ts';
import { openSqliteStores } from '../../src/stores/sqlite/index.ts';

const { dataDir, worker, rounds, workers, barrier } = workerData as {
  dataDir: string;
  worker: number;
  rounds: number;
  workers: number;
  barrier: SharedArrayBuffer;
};

const arrivals = new Int32Array(barrier);
/** Blocks until every worker has reached the same phase (1, 2, …). */
function allReach(phase: number): void {
  Atomics.add(arrivals, 0, 1);
  Atomics.notify(arrivals, 0);
  for (let count = Atomics.load(arrivals, 0); count < phase * workers; count = Atomics.load(arrivals, 0)) {
    Atomics.wait(arrivals, 0, count, 1_000);
  }
}

// Start together, so the workers race to create and migrate the brand-new database.
allReach(1);
const stores = openSqliteStores({ dataDir, clock: new FixedClock('2026-11-10T09:00:00Z') });
// The Storage contract has no create-if-absent (writing a missing key always succeeds), so the
// counter must exist before anyone increments it.
if (worker === 0) await stores.state.write({ counter: { value: 0 } });
allReach(2);

let conflicts = 0;
try {
  for (let round = 0; round < rounds; round++) {
    await stores.transcripts.append('shared', [{ worker, round, part: 0 }, { worker, round, part: 1 }]);
    for (;;) {
      const { counter } = await stores.state.read(['counter']);
      if (!counter) throw new Error('the counter was not seeded');
      // Widen the gap between read and write so that other workers write in between.
      await sleep(1);
      try {
        await stores.state.write({ counter: { value: counter.value + 1, eTag: counter.eTag } });
        break;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        conflicts++;
      }
    }
  }
  parentPort?.postMessage({ conflicts });
} finally {
  await stores.close();
}

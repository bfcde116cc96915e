/**
 * `npm run fuzz [-- --count 20000] [--duration 600] [--seed N] [--store sqlite|redis|both] [--no-huge]`:
 * thousands of generated hostile requests against the real server with every channel on (see
 * test/fuzz/), one at a time, and the figures: requests per endpoint, statuses, 5xx, crashes,
 * refused requests that stored something, heap after GC at start, after warm-up and at the end.
 * Exits 1 when anything failed. `npm test` runs a bounded version (test/fuzz/fuzz.test.ts).
 */
import { parseArgs } from 'node:util';
import { formatReport, runFuzz } from '../test/fuzz/harness.ts';
import { FuzzTarget } from '../test/fuzz/target.ts';
import type { StoreKind } from '../test/support/server.ts';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    duration: { type: 'string' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    store: { type: 'string', default: 'sqlite' },
    'no-huge': { type: 'boolean', default: false },
  },
});

const stores: StoreKind[] = args.store === 'both' ? ['sqlite', 'redis'] : [args.store === 'redis' ? 'redis' : 'sqlite'];
const count = Number(args.count);
const seed = Number(args.seed);
let failed = false;
for (const store of stores) {
  const target = new FuzzTarget(store);
  await target.start();
  console.log(`== fuzz: ${count} requests on the ${store} store, seed ${seed} (repeat with --seed ${seed}) ==`);
  try {
    const report = await runFuzz(target, {
      count,
      seed,
      ...(args['no-huge'] ? {} : { huge: 'all' as const }),
      ...(args.duration ? { durationMs: Number(args.duration) * 1000 } : {}),
      healthEvery: 500,
      onProgress: (done, partial) => {
        if (done % 2000 === 0) console.log(`  ${done} sent: 5xx ${partial.fiveXx}, crashes ${partial.crashes}, rejected-but-stored ${partial.rejectedButStored}`);
      },
    });
    console.log(formatReport(report));
    failed ||= report.fiveXx + report.crashes + report.rejectedButStored + report.leaks + report.unhealthy > 0 || report.failures.length > 0;
  } finally {
    await target.close();
  }
}
process.exit(failed ? 1 : 0);

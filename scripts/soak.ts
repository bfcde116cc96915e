/**
 * `npm run soak [-- --conversations 300 --instances 3 --concurrency 40 --kills 6]`: issue 10 §6.
 * Hundreds of refund conversations for minutes against several real server processes on a Redis
 * of the run's own, with server processes SIGKILLed and Redis restarted on the way; then prints
 * the figures (conversations completed or able to continue, cases lost or duplicated, refunds
 * approved twice, webhook deliveries) and exits 1 if an invariant broke. Starts and removes
 * everything it uses (never the Redis on 6379); ctrl-C cleans up too.
 */
import { parseArgs } from 'node:util';
import { runSoak } from '../test/soak/soak.ts';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '3' },
    conversations: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '40' },
    kills: { type: 'string', default: '6' },
    'redis-restarts': { type: 'string', default: '1' },
    'think-ms': { type: 'string', default: '500-4000' },
  },
});
const number = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
  return value;
};
const [thinkMin = 0, thinkMax = 0] = String(values['think-ms']).split('-').map(Number);

// ctrl-C: let runSoak's finally stop the processes and remove the temp directory.
const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort());

const figures = await runSoak({
  instances: number('instances'),
  conversations: number('conversations'),
  concurrency: number('concurrency'),
  thinkMs: [thinkMin, thinkMax],
  kills: number('kills'),
  killDownMs: 2_000,
  redisRestarts: number('redis-restarts'),
  redisDownMs: 3_000,
  retryForMs: 120_000,
  settleMs: 150_000,
  signal: interrupted.signal,
  progress: (line) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`),
}).catch((error: unknown) => {
  // Everything the run started is already stopped and removed; conversations still waiting on timers must not keep the process.
  console.error(interrupted.signal.aborted ? 'soak interrupted; cleaned up' : error);
  process.exit(interrupted.signal.aborted ? 130 : 2);
});
console.log('== Soak (issue 10 §6) ==');
for (const line of figures.lines) console.log(line);
process.exitCode = figures.failures.length === 0 ? 0 : 1;

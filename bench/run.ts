/**
 * `npm run bench [-- --store sqlite|redis] [--only classifier|llm|http|stats]`: the figures quoted in the
 * README, measured in one run on this machine.
 *  1. Classifier: accuracy and macro-F1 per language on a held-out 20% of our own utterances
 *     (trained on the other 80% for this), and intent accuracy on the public benchmark beside
 *     the project (../shared/datasets), with the full model.
 *  2. Language model: how often it is asked and what the combination rule does, on the same
 *     held-out rows (bench/llm.ts), against OPENAI_* when set, else scripted local models.
 *  3. HTTP: refund conversations through the conversation API at 1, 2 and 64 concurrent
 *     conversations on the chosen store — turns/s and p50/p99 turn latency — next to a bare
 *     node:http server under the same load generator (a worker thread), as ratios; with Redis
 *     also round trips per turn and bytes stored per idle conversation.
 *  4. With Redis: the turn-serialisation strategies compared (bench/turnStrategies.ts).
 *  5. The merchant's figures: `computeStats` over 100,000 seeded cases (`--cases N` to change),
 *     for 30 days and all time, with time and peak memory (bench/stats.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { createApp } from '../src/app.ts';
import { evaluate, parseLabelledTsv } from '../src/cli/eval.ts';
import { loadConfig } from '../src/config.ts';
import { LOCALES } from '../src/domain/locale.ts';
import { createLogger } from '../src/log/logger.ts';
import { createOfflineUnderstander, trainUnderstander } from '../src/understanding/offline.ts';
import { loadUtterances, splitHeldOut } from '../src/understanding/utterances.ts';
import { runLoad, startBareServer } from './http.ts';
import { llmBench } from './llm.ts';
import { statsBench } from './stats.ts';
import { turnStrategies } from './turnStrategies.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PUBLIC_BENCHMARK = path.resolve(ROOT, '../shared/datasets/intents.public.en.tsv');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    only: { type: 'string' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    cases: { type: 'string', default: '100000' },
  },
});

async function classifier(): Promise<void> {
  console.log('== Classifier ==');
  const sets = await loadUtterances(path.join(ROOT, 'knowledge'));
  const intents = splitHeldOut(sets.intentRows);
  const categories = splitHeldOut(sets.categoryRows);
  const heldOutModel = await trainUnderstander({ intentRows: intents.train, categoryRows: categories.train });
  console.log(`held-out split: every 5th utterance per label and language (${intents.test.length} intent, ${categories.test.length} category rows), model trained on the rest`);
  console.log('language  category-acc  category-F1  intent-acc  intent-F1');
  for (const locale of LOCALES) {
    const category = await evaluate(heldOutModel, categories.test.filter((row) => row.language === locale), { intent: false });
    const intent = await evaluate(heldOutModel, intents.test.filter((row) => row.language === locale), { intent: true });
    console.log(`${locale.padEnd(8)}  ${pct(category.accuracy).padStart(12)}  ${category.macroF1.toFixed(3).padStart(11)}  ${pct(intent.accuracy).padStart(10)}  ${intent.macroF1.toFixed(3).padStart(9)}`);
  }
  if (!existsSync(PUBLIC_BENCHMARK)) {
    console.log(`public benchmark: not found at ${PUBLIC_BENCHMARK}, skipped`);
    return;
  }
  const fullModel = await trainUnderstander({ intentRows: sets.intentRows, categoryRows: sets.categoryRows });
  const rows = parseLabelledTsv(readFileSync(PUBLIC_BENCHMARK, 'utf8'));
  const result = await evaluate(fullModel, rows, { intent: true });
  console.log(`public benchmark intents.public.en.tsv (${rows.length} rows, never trained on): intent accuracy ${pct(result.accuracy)}, macro-F1 ${result.macroF1.toFixed(3)}`);
}

/** Demo orders a changed-mind refund works on, with the proof of ownership. */
const ORDERS = [
  ['100126', 'linyijun@example.com'],
  ['100120', 'emily.carter@example.com'],
  ['100101', 'lilei@example.com'],
  ['100106', 'sunli@example.com'],
  ['100128', 'hanmeimei@example.com'],
  ['100111', 'zhangwei@example.com'],
] as const;

/** One refund, start to rating: the six turns a typical text-only refund takes. */
function refundTurns(cycle: number): string[] {
  const [orderId, email] = ORDERS[cycle % ORDERS.length]!;
  return ['Hi, I want a refund', `order ${orderId}`, email, 'I changed my mind, I do not need it any more', 'yes', '5'];
}

interface Level {
  conversations: number;
  /** Refunds each conversation goes through, one after another. */
  cycles: number;
}
const LEVELS: Level[] = [
  { conversations: 1, cycles: 40 },
  { conversations: 2, cycles: 20 },
  { conversations: 64, cycles: 3 },
];

async function http(store: string): Promise<void> {
  console.log(`\n== HTTP: conversation API on the ${store === 'redis' ? 'Redis' : 'embedded SQLite'} store, bare node:http in the same run ==`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'refundbot-bench-'));
  const prefix = `refundbot-bench:${process.pid}:`;
  const understander = await createOfflineUnderstander({ knowledgeDir: path.join(ROOT, 'knowledge'), cacheDir: path.join(dataDir, 'cache') });
  // Every simulated customer talks from 127.0.0.1: the abuse limits would measure themselves.
  const limitsOff = { RATE_LIMIT_PER_IP_PER_MINUTE: '0', RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: '0', CONVERSATIONS_PER_IP_PER_HOUR: '0', REFUND_REQUESTS_PER_CUSTOMER_PER_DAY: '0' };
  const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...limitsOff };
  if (store === 'redis') Object.assign(env, { REDIS_URL: args['redis-url'], REDIS_KEY_PREFIX: prefix });
  const app = await createApp(loadConfig(env, ROOT), { logger: createLogger({ level: 'silent' }), understander });
  const url = await app.listen();
  const bare = await startBareServer();
  const roundTrips = () => (app.stores as { roundTrips?: () => number }).roundTrips?.();
  try {
    console.log('conversations  turns  refund turns/s  p50 ms  p99 ms | bare req/s  p50 ms  p99 ms | turns/s ÷ bare  p99 ×' + (store === 'redis' ? ' | Redis round trips/turn' : ''));
    let casesExpected = 0;
    let lastConversation = '';
    let lastTurns = 0;
    for (const level of LEVELS) {
      const conversations = await Promise.all(
        Array.from({ length: level.conversations }, async () => {
          const response = await fetch(`${url}/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
          return (await response.json()) as { conversationId: string; token: string };
        }),
      );
      lastConversation = conversations[0]!.conversationId;
      lastTurns = level.cycles * refundTurns(0).length;
      const scripts = conversations.map((conversation, index) => ({
        ...conversation,
        turns: Array.from({ length: level.cycles }, (_, cycle) => refundTurns(index + cycle)).flat().map((text) => ({
          path: `/v1/conversations/${conversation.conversationId}/activities`,
          body: JSON.stringify({ type: 'message', text }),
        })),
      }));
      const tripsBefore = roundTrips();
      const result = await runLoad({ urls: [url], conversations: scripts });
      const tripsPerTurn = tripsBefore === undefined ? undefined : ((roundTrips() ?? 0) - tripsBefore) / result.requests;
      const floor = await runLoad({ urls: [bare.url], conversations: scripts.map((script) => ({ ...script, turns: script.turns.map((turn) => ({ ...turn })) })), bare: true });
      if (result.errors.length > 0) throw new Error(`turns failed: ${result.errors.slice(0, 3).join(', ')}`);
      // One case per order a conversation claims: a conversation that comes back to the same
      // claim (its cycles wrap around ORDERS) is answered with the case it already opened.
      casesExpected += level.conversations * Math.min(level.cycles, ORDERS.length);
      console.log(
        `${String(level.conversations).padStart(13)}  ${String(result.requests).padStart(5)}  ${result.perSecond.toFixed(0).padStart(14)}  ${result.p50Ms.toFixed(1).padStart(6)}  ${result.p99Ms.toFixed(1).padStart(6)} | ${floor.perSecond.toFixed(0).padStart(10)}  ${floor.p50Ms.toFixed(1).padStart(6)}  ${floor.p99Ms.toFixed(1).padStart(6)} | ${(result.perSecond / floor.perSecond).toFixed(3).padStart(14)}  ${(result.p99Ms / floor.p99Ms).toFixed(1).padStart(4)}` +
          (tripsPerTurn === undefined ? '' : ` | ${tripsPerTurn.toFixed(2)}`),
      );
    }
    // The load is only meaningful if the conversations really reached decisions.
    const recorded = (await Promise.all(ORDERS.map(([orderId]) => app.stores.cases.byOrder(orderId)))).flat().length;
    if (recorded < casesExpected) throw new Error(`expected ${casesExpected} recorded cases, found ${recorded}`);
    console.log(`cases recorded: ${recorded} (every refund conversation reached a decision)`);
    if (store === 'redis') console.log(`bytes stored per idle conversation (${lastConversation.slice(0, 8)}…: greeting + ${lastTurns} turns): ${await conversationBytes(prefix, lastConversation)}`);
  } finally {
    await bare.close();
    await app.close();
    if (store === 'redis') await dropPrefix(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Sum of Redis MEMORY USAGE over the keys that hold one conversation. */
async function conversationBytes(prefix: string, conversationId: string): Promise<number> {
  const client = createClient({ url: args['redis-url'] });
  await client.connect();
  try {
    let bytes = 0;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*${conversationId}*`, COUNT: 1000 })) {
      for (const key of keys) bytes += (await client.memoryUsage(key)) ?? 0;
    }
    return bytes;
  } finally {
    await client.quit();
  }
}

async function dropPrefix(prefix: string): Promise<void> {
  const client = createClient({ url: args['redis-url'] });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length) await client.del(keys);
  } finally {
    await client.quit();
  }
}

if (args.only === undefined || args.only === 'classifier') await classifier();
// The one place the bench reads the environment: a real model endpoint when one is given.
if (args.only === undefined || args.only === 'llm') await llmBench(ROOT, process.env);
if (args.only === undefined || args.only === 'http') await http(args.store ?? 'sqlite');
if ((args.only === undefined || args.only === 'http') && args.store === 'redis') {
  console.log('\n== Turn serialisation across instances: per-conversation lock vs optimistic eTag retry ==');
  await turnStrategies(args['redis-url'] ?? 'redis://127.0.0.1:6379');
}
if (args.only === undefined || args.only === 'stats') {
  await statsBench(args.store ?? 'sqlite', { cases: Number(args.cases), redisUrl: args['redis-url'] ?? 'redis://127.0.0.1:6379' });
}

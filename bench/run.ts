/**
 * `npm run bench`: the figures quoted in the README, measured in one run on this machine.
 *  1. Classifier: accuracy and macro-F1 per language on a held-out 20% of our own utterances
 *     (the model is trained on the other 80% for this), and intent accuracy on the public
 *     benchmark beside the project (../shared/datasets), with the full model.
 *  2. HTTP: refund conversations through the conversation API on the embedded store — turns
 *     per second and p50/p99 turn latency — next to a bare node:http server's requests per
 *     second under the same client, as a ratio.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.ts';
import { evaluate, parseLabelledTsv } from '../src/cli/eval.ts';
import { loadConfig } from '../src/config.ts';
import { LOCALES } from '../src/domain/locale.ts';
import { createLogger } from '../src/log/logger.ts';
import { trainUnderstander } from '../src/understanding/offline.ts';
import { loadUtterances, splitHeldOut } from '../src/understanding/utterances.ts';
import { runLoad, startBareServer } from './http.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PUBLIC_BENCHMARK = path.resolve(ROOT, '../shared/datasets/intents.public.en.tsv');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

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

/** Customers' refund conversations: the turns a typical text-only refund takes (demo orders). */
const CUSTOMERS = [
  ['100126', 'linyijun@example.com'],
  ['100120', 'emily.carter@example.com'],
  ['100101', 'lilei@example.com'],
  ['100106', 'sunli@example.com'],
] as const;
const script = (conversation: number) => {
  const [orderId, email] = CUSTOMERS[conversation % CUSTOMERS.length]!;
  return ['Hi, I want a refund', `order ${orderId}`, email, 'I changed my mind, I do not need it any more', 'yes', '5'];
};
const TURNS_PER_CONVERSATION = script(0).length;

async function http(): Promise<void> {
  console.log('\n== HTTP (conversation API, embedded store) ==');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'refundbot-bench-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, ROOT);
  const app = await createApp(config, { logger: createLogger({ level: 'silent' }) });
  const url = await app.listen();
  const conversations = 60;
  const concurrency = 8;
  try {
    const started = await Promise.all(
      Array.from({ length: conversations }, async () => {
        const response = await fetch(`${url}/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        return (await response.json()) as { conversationId: string; token: string };
      }),
    );
    // Each worker owns whole conversations so turns of one conversation stay in order.
    const turns = conversations * TURNS_PER_CONVERSATION;
    const perConversation = Array.from({ length: conversations }, () => 0);
    const result = await runLoad(turns, concurrency, async (index) => {
      const conversation = index % conversations;
      const turn = perConversation[conversation]!++;
      const { conversationId, token } = started[conversation]!;
      const response = await fetch(`${url}/v1/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ type: 'message', text: script(conversation)[turn] }),
      });
      if (response.status !== 200) throw new Error(`turn answered ${response.status}`);
      await response.arrayBuffer();
    });
    // The load is only meaningful if the conversations really reached decisions.
    const recorded = (await Promise.all(CUSTOMERS.map(([orderId]) => app.stores.cases.byOrder(orderId)))).flat().length;
    if (recorded !== conversations) throw new Error(`expected ${conversations} recorded cases, found ${recorded}`);
    const bare = await startBareServer();
    const floor = await runLoad(turns, concurrency, async () => {
      const response = await fetch(`${bare.url}/v1/conversations/x/activities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text: 'order 100126' }) });
      await response.arrayBuffer();
    });
    await bare.close();
    console.log(`${conversations} refund conversations, ${recorded} cases recorded`);
    console.log(`refund turns: ${result.requests} in ${result.seconds.toFixed(2)} s = ${result.perSecond.toFixed(0)} turns/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms (${concurrency} concurrent clients)`);
    console.log(`bare node:http: ${floor.perSecond.toFixed(0)} req/s, p50 ${floor.p50Ms.toFixed(1)} ms, p99 ${floor.p99Ms.toFixed(1)} ms`);
    console.log(`ratio: refund turns/s ÷ bare req/s = ${(result.perSecond / floor.perSecond).toFixed(3)}; p99 ratio ${(result.p99Ms / floor.p99Ms).toFixed(1)}×`);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await classifier();
await http();

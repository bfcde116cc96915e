import path from 'node:path';
import type { Category, Intent } from '../src/domain/categories.ts';
import { loadPrompts } from '../src/i18n/prompts.ts';
import { offlineIsEnough } from '../src/llm/combine.ts';
import { LangChainModel } from '../src/llm/langchainModel.ts';
import { MeteredModel } from '../src/llm/meter.ts';
import { ModelAssistedUnderstander } from '../src/llm/modelUnderstander.ts';
import { createLogger } from '../src/log/logger.ts';
import { trainUnderstander } from '../src/understanding/offline.ts';
import { loadUtterances, splitHeldOut } from '../src/understanding/utterances.ts';
import { OpenAIStandIn } from '../test/support/openaiStandIn.ts';
import { type ScriptedKind, scriptedExtraction, truthsByRedactedText } from '../test/support/scriptedModels.ts';

const SETTINGS = { skipAbove: 0.85, trustAbove: 0.7 };
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The language model's part, on the held-out utterances (the offline classifier trained on the
 * rest): how often the model is asked, accuracy offline vs combined, and per call latency and
 * tokens as LangChain's client reports them. With OPENAI_API_KEY (and OPENAI_BASE_URL,
 * OPENAI_MODEL) in the environment it measures that endpoint; otherwise scripted models behind
 * a local OpenAI-compatible server (right; wrong and sure; wrong and unsure), which shows the
 * combination rule at work and the plumbing's own cost — not a model's quality.
 */
export async function llmBench(root: string, env: Record<string, string | undefined>): Promise<void> {
  console.log('== Language model (combination rule on the held-out utterances) ==');
  const sets = await loadUtterances(path.join(root, 'knowledge'));
  const intents = splitHeldOut(sets.intentRows);
  const categories = splitHeldOut(sets.categoryRows);
  const offline = await trainUnderstander({ intentRows: intents.train, categoryRows: categories.train });
  const rows = [
    ...intents.test.map((row) => ({ text: row.text, kind: 'intent' as const, label: row.label })),
    ...categories.test.map((row) => ({ text: row.text, kind: 'category' as const, label: row.label })),
  ];
  const prompts = loadPrompts(path.join(root, 'prompts'));
  const logger = createLogger({ level: 'silent' });
  const truths = truthsByRedactedText(rows.map((row) => ({ text: row.text, truth: row.kind === 'intent' ? { intent: row.label as Intent } : { category: row.label as Category } })));

  const standIn = env.OPENAI_API_KEY ? undefined : new OpenAIStandIn();
  const baseUrl = standIn ? await standIn.start() : env.OPENAI_BASE_URL;
  const kinds: (ScriptedKind | 'real')[] = standIn ? ['truth', 'confidently-wrong', 'unsure-wrong'] : ['real'];
  console.log(`${rows.length} held-out rows; model: ${standIn ? 'scripted, local OpenAI-compatible server' : (env.OPENAI_MODEL ?? 'gpt-4o-mini')}`);
  console.log('model              asked   offline-acc  combined-acc  latency p50/p99 ms  tokens in/out per call');
  try {
    for (const kind of kinds) {
      if (standIn && kind !== 'real') {
        standIn.script = (request) => {
          const last = request.messages.filter((message) => message.role === 'user').at(-1)?.content;
          return { tool: scriptedExtraction(kind, truths.get(typeof last === 'string' ? last : '') ?? {}) };
        };
      }
      const model = new MeteredModel({
        model: new LangChainModel({ apiKey: env.OPENAI_API_KEY ?? 'sk-bench', baseUrl, model: env.OPENAI_MODEL ?? 'gpt-4o-mini', timeoutMs: 10_000 }),
        logger,
        promptVersion: prompts.t('en', 'llm.version'),
      });
      const understander = new ModelAssistedUnderstander({ offline, model, prompts, settings: SETTINGS });
      let offlineRight = 0;
      let combinedRight = 0;
      let asked = 0;
      for (const row of rows) {
        const before = await offline.understand(row.text);
        const after = await understander.understand(row.text);
        if (!offlineIsEnough(before, SETTINGS)) asked += 1;
        const pick = (u: typeof before) => (row.kind === 'intent' ? u.intent.label : u.category.label);
        if (pick(before) === row.label) offlineRight += 1;
        if (pick(after) === row.label) combinedRight += 1;
      }
      const totals = model.totals();
      const sorted = [...totals.latenciesMs].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      const perCall = (n: number) => (totals.calls ? (n / totals.calls).toFixed(0) : '-');
      console.log(
        `${kind.padEnd(17)}  ${pct(asked / rows.length).padStart(5)}   ${pct(offlineRight / rows.length).padStart(11)}  ${pct(combinedRight / rows.length).padStart(12)}  ${`${at(0.5)}/${at(0.99)}`.padStart(18)}  ${`${perCall(totals.inputTokens)}/${perCall(totals.outputTokens)}`.padStart(22)}`,
      );
    }
  } finally {
    await standIn?.close();
  }
}

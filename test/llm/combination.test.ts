import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Category, Intent } from '../../src/domain/categories.ts';
import { loadPrompts } from '../../src/i18n/prompts.ts';
import { offlineIsEnough } from '../../src/llm/combine.ts';
import { ModelAssistedUnderstander } from '../../src/llm/modelUnderstander.ts';
import { trainUnderstander } from '../../src/understanding/offline.ts';
import { loadUtterances, splitHeldOut } from '../../src/understanding/utterances.ts';
import type { Understander, Understanding } from '../../src/understanding/types.ts';
import { ScriptedModel, type ScriptedKind, truthsByRedactedText } from '../support/scriptedModels.ts';
import { ROOT } from '../support/server.ts';

/**
 * The combination rule on the classification benchmark (our held-out utterances, all three
 * languages), with scripted models: it does what src/llm/combine.ts says it does.
 */
const SETTINGS = { skipAbove: 0.85, trustAbove: 0.7 };
const prompts = loadPrompts(path.join(ROOT, 'prompts'));

let offline: Understander;
let rows: { text: string; kind: 'intent' | 'category'; label: string }[];
let offlineResults: Map<string, Understanding>;

beforeAll(async () => {
  // Trained without the held-out rows, so the offline classifier makes the mistakes it makes on new text.
  const sets = await loadUtterances(path.join(ROOT, 'knowledge'));
  offline = await trainUnderstander({ intentRows: splitHeldOut(sets.intentRows).train, categoryRows: splitHeldOut(sets.categoryRows).train });
  rows = [
    ...splitHeldOut(sets.intentRows).test.map((row) => ({ text: row.text, kind: 'intent' as const, label: row.label })),
    ...splitHeldOut(sets.categoryRows).test.map((row) => ({ text: row.text, kind: 'category' as const, label: row.label })),
  ];
  offlineResults = new Map();
  for (const row of rows) offlineResults.set(row.text, await offline.understand(row.text));
}, 60_000);

async function run(kind: ScriptedKind) {
  const truths = truthsByRedactedText(rows.map((row) => ({ text: row.text, truth: row.kind === 'intent' ? { intent: row.label as Intent } : { category: row.label as Category } })));
  const model = new ScriptedModel(kind, truths);
  const understander = new ModelAssistedUnderstander({ offline, model, prompts, settings: SETTINGS });
  const results: { row: (typeof rows)[number]; consulted: boolean; offline: string; combined: string }[] = [];
  for (const row of rows) {
    const before = offlineResults.get(row.text) as Understanding;
    const after = await understander.understand(row.text);
    const pick = (u: Understanding) => (row.kind === 'intent' ? u.intent.label : u.category.label);
    results.push({ row, consulted: !offlineIsEnough(before, SETTINGS), offline: pick(before), combined: pick(after) });
  }
  const accuracy = (key: 'offline' | 'combined') => results.filter((result) => result[key] === result.row.label).length / results.length;
  return { results, calls: model.calls, offline: accuracy('offline'), combined: accuracy('combined') };
}

describe('the combination rule on the held-out utterances', () => {
  it('asks the model only where the offline result is not enough, once per message', async () => {
    const { results, calls } = await run('truth');
    const consulted = results.filter((result) => result.consulted).length;
    expect(calls).toBe(consulted);
    expect(consulted).toBeGreaterThan(0);
    expect(consulted).toBeLessThan(results.length);
  });

  it('with a right, sure model: every consulted message gets the right label, the others keep the offline one', async () => {
    const outcome = await run('truth');
    for (const result of outcome.results) expect(result.combined).toBe(result.consulted ? result.row.label : result.offline);
    expect(outcome.combined).toBeGreaterThan(outcome.offline);
  });

  it('with a wrong but unsure model (below LLM_TRUST_CONFIDENCE): exactly the offline labels', async () => {
    const outcome = await run('unsure-wrong');
    for (const result of outcome.results) expect(result.combined).toBe(result.offline);
  });

  it('with a wrong, sure model: it wins where consulted (the rule trusts it), never where the offline result sufficed', async () => {
    const outcome = await run('confidently-wrong');
    for (const result of outcome.results) {
      if (result.consulted) expect(result.combined).not.toBe(result.row.label);
      else expect(result.combined).toBe(result.offline);
    }
  });
});

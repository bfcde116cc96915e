import { CATEGORIES, type Category, INTENTS, type Intent } from '../../src/domain/categories.ts';
import type { Extraction } from '../../src/llm/extraction.ts';
import type { ModelResult, ModelTask, StructuredModel } from '../../src/llm/model.ts';
import { redact } from '../../src/llm/redact.ts';

/** How a scripted model answers a labelled utterance: right, wrong and sure of it, or wrong and unsure. */
export type ScriptedKind = 'truth' | 'confidently-wrong' | 'unsure-wrong';

export interface Truth {
  intent?: Intent;
  category?: Category;
}

/** The scripted model's extraction for an utterance whose labels are `truth`. */
export function scriptedExtraction(kind: ScriptedKind, truth: Truth): Extraction {
  const intent = truth.intent ?? 'request_refund';
  const category = truth.category ?? 'other';
  const wrong = kind !== 'truth';
  return {
    intent: wrong ? next(INTENTS, intent) : intent,
    intentConfidence: kind === 'unsure-wrong' ? 0.5 : 0.95,
    category: wrong ? next(CATEGORIES, category) : category,
    categoryConfidence: kind === 'unsure-wrong' ? 0.5 : 0.95,
    orderId: null,
    item: null,
    email: null,
    phone: null,
    summary: 'scripted',
  };
}

/** Labelled utterances by the text the model sees (redacted), for looking up what a request is about. */
export function truthsByRedactedText(rows: readonly { text: string; truth: Truth }[]): Map<string, Truth> {
  const map = new Map<string, Truth>();
  for (const row of rows) map.set(redact(row.text).text, { ...map.get(redact(row.text).text), ...row.truth });
  return map;
}

/** An in-process StructuredModel answering `extract` from the labels: for the combination-rule checks. */
export class ScriptedModel implements StructuredModel {
  readonly name = 'scripted';
  calls = 0;
  readonly #kind: ScriptedKind;
  readonly #truths: ReadonlyMap<string, Truth>;

  constructor(kind: ScriptedKind, truths: ReadonlyMap<string, Truth>) {
    this.#kind = kind;
    this.#truths = truths;
  }

  async ask<T>(task: ModelTask<T>): Promise<ModelResult<T>> {
    this.calls += 1;
    const text = task.messages.at(-1)?.content ?? '';
    const value = task.schema.parse(scriptedExtraction(this.#kind, this.#truths.get(text) ?? {}));
    return { ok: true, value, usage: { inputTokens: 0, outputTokens: 0 }, latencyMs: 0 };
  }
}

function next<T>(labels: readonly T[], label: T): T {
  return labels[(labels.indexOf(label) + 1) % labels.length] as T;
}

import type { Logger } from '../log/logger.ts';
import type { ModelFailure, ModelResult, ModelTask, StructuredModel } from './model.ts';

/** Totals of the model calls made so far (logs, `npm run bench`). */
export interface ModelTotals {
  calls: number;
  failures: Record<ModelFailure, number>;
  inputTokens: number;
  outputTokens: number;
  latenciesMs: number[];
}

/**
 * Wraps a model to log every call (task, model, prompt version, latency, tokens, outcome — never
 * the text) and keep totals. Decorates any StructuredModel, so the counting is in one place.
 */
export class MeteredModel implements StructuredModel {
  readonly name: string;
  readonly #inner: StructuredModel;
  readonly #logger: Logger;
  readonly #promptVersion: string;
  readonly #totals: ModelTotals = { calls: 0, failures: { timeout: 0, error: 0, malformed: 0, refused: 0 }, inputTokens: 0, outputTokens: 0, latenciesMs: [] };

  constructor(options: { model: StructuredModel; logger: Logger; promptVersion: string }) {
    this.#inner = options.model;
    this.name = options.model.name;
    this.#logger = options.logger;
    this.#promptVersion = options.promptVersion;
  }

  async ask<T>(task: ModelTask<T>): Promise<ModelResult<T>> {
    const result = await this.#inner.ask(task);
    const totals = this.#totals;
    totals.calls += 1;
    totals.latenciesMs.push(result.latencyMs);
    totals.inputTokens += result.usage?.inputTokens ?? 0;
    totals.outputTokens += result.usage?.outputTokens ?? 0;
    if (!result.ok) totals.failures[result.failure] += 1;
    const record = {
      task: task.name,
      model: this.name,
      promptVersion: this.#promptVersion,
      latencyMs: result.latencyMs,
      inputTokens: result.usage?.inputTokens ?? 0,
      outputTokens: result.usage?.outputTokens ?? 0,
      outcome: result.ok ? 'ok' : result.failure,
    };
    if (result.ok) this.#logger.info(record, 'model call');
    else this.#logger.warn({ ...record, detail: result.detail }, 'model call gave nothing usable; carrying on without it');
    return result;
  }

  totals(): ModelTotals {
    return { ...this.#totals, failures: { ...this.#totals.failures }, latenciesMs: [...this.#totals.latenciesMs] };
  }
}

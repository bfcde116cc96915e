import type { AIMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import type { ModelResult, ModelTask, ModelUsage, StructuredModel } from './model.ts';

export interface LangChainModelOptions {
  apiKey: string;
  /** Any OpenAI-compatible server (Azure OpenAI, vLLM, Ollama, Qwen, DeepSeek); OpenAI's when unset. */
  baseUrl?: string | undefined;
  model: string;
  /** The longest a customer waits for the model; past it the call is abandoned. */
  timeoutMs: number;
  /** Wall time for latency figures (injected so tests and the bench can control it). */
  now?: () => number;
}

/**
 * StructuredModel over LangChain's ChatOpenAI, structured output by function calling (the method
 * OpenAI-compatible servers support most widely). No retries: a customer is waiting, and the
 * offline understanding is there. The answer is validated again by the task's zod schema.
 * https://js.langchain.com/docs/how_to/structured_output/
 */
export class LangChainModel implements StructuredModel {
  readonly name: string;
  readonly #chat: ChatOpenAI;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(options: LangChainModelOptions) {
    if (!options.apiKey) throw new TypeError('LangChainModel: apiKey is required');
    this.name = options.model;
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? (() => performance.now());
    this.#chat = new ChatOpenAI({
      model: options.model,
      apiKey: options.apiKey,
      temperature: 0,
      maxRetries: 0,
      timeout: options.timeoutMs,
      ...(options.baseUrl ? { configuration: { baseURL: options.baseUrl } } : {}),
    });
  }

  async ask<T>(task: ModelTask<T>): Promise<ModelResult<T>> {
    const started = this.#now();
    const latency = () => Math.round(this.#now() - started);
    // The schema's description becomes the function's: what the model is asked to do.
    const runnable = this.#chat.withStructuredOutput(task.schema.describe(task.description) as never, { name: task.name, method: 'functionCalling', includeRaw: true });
    let output: { raw: unknown; parsed?: unknown };
    try {
      output = (await runnable.invoke([{ role: 'system', content: task.system }, ...task.messages], { signal: AbortSignal.timeout(this.#timeoutMs) })) as typeof output;
    } catch (error) {
      const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError' || /timed? ?out|aborted/i.test(error.message));
      return { ok: false, failure: timedOut ? 'timeout' : 'error', latencyMs: latency(), ...(detail ? { detail } : {}) };
    }
    const raw = output.raw as AIMessage;
    const usage = usageOf(raw);
    const refusal = (raw.additional_kwargs as { refusal?: unknown } | undefined)?.refusal;
    if (typeof refusal === 'string' && refusal) return { ok: false, failure: 'refused', latencyMs: latency(), usage, detail: refusal };
    const parsed = task.schema.safeParse(output.parsed);
    if (!parsed.success) {
      const failure = raw.tool_calls?.length || raw.invalid_tool_calls?.length ? 'malformed' : 'refused';
      return { ok: false, failure, latencyMs: latency(), usage, detail: parsed.error.issues[0]?.message ?? 'no structured answer' };
    }
    return { ok: true, value: parsed.data, usage, latencyMs: latency() };
  }
}

function usageOf(message: AIMessage): ModelUsage {
  return { inputTokens: message.usage_metadata?.input_tokens ?? 0, outputTokens: message.usage_metadata?.output_tokens ?? 0 };
}

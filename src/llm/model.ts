import type { z } from 'zod';

/** Tokens one model call used, as the server reported them. */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
}

/** Why a model call gave nothing usable; the caller then does without the model. */
export type ModelFailure = 'timeout' | 'error' | 'malformed' | 'refused';

export type ModelResult<T> =
  | { ok: true; value: T; usage: ModelUsage; latencyMs: number }
  | { ok: false; failure: ModelFailure; latencyMs: number; usage?: ModelUsage; detail?: string };

/** One structured question to the model: a system prompt, the conversation, and the answer's schema. */
export interface ModelTask<T> {
  /** The task's name, also the function the model calls to answer (`extract`, `answer_policy`…). */
  name: string;
  /** What the task is for (the function's description). */
  description: string;
  system: string;
  messages: { role: 'user' | 'assistant'; content: string }[];
  schema: z.ZodType<T>;
}

/**
 * Port: a language model that answers with structured output. An implementation never throws:
 * a timeout, an HTTP error, a refusal or an answer that does not match the schema come back as
 * a failure, and the assistant carries on without the model.
 */
export interface StructuredModel {
  /** Which model (for logs and the bench). */
  readonly name: string;
  ask<T>(task: ModelTask<T>): Promise<ModelResult<T>>;
}

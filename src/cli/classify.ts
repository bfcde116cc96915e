import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import type { Understander } from '../understanding/types.ts';

/** What `refundbot classify` reads from and writes to. */
export interface ClassifyOptions {
  understander: Understander;
  input: Readable;
  output: Writable;
}

/** How many lines were classified and how many were bad. */
export interface ClassifySummary {
  lines: number;
  errors: number;
}

const InputLine = z.object({ text: z.string() });

/**
 * `refundbot classify` (SPEC §7): JSON lines `{ "text" }` in, JSON lines
 * `{ "intent", "category", "confidence", "language" }` out, one per input line, in order.
 * `confidence` is the category's; `language` is null when the text has no letters to tell.
 * A bad line (not JSON, no string "text", blank) gets `{ "error": "…" }` in its place and the run
 * goes on, so output line N always answers input line N.
 */
export async function runClassify(options: ClassifyOptions): Promise<ClassifySummary> {
  const { understander, input, output } = options;
  const summary: ClassifySummary = { lines: 0, errors: 0 };
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    summary.lines += 1;
    let answer: object;
    try {
      const { text } = InputLine.parse(JSON.parse(line));
      const understood = await understander.understand(text);
      answer = {
        intent: understood.intent.label,
        category: understood.category.label,
        confidence: round(understood.category.confidence),
        language: understood.language ?? null,
      };
    } catch (error) {
      summary.errors += 1;
      answer = { error: describe(error) };
    }
    if (!output.write(`${JSON.stringify(answer)}\n`)) await once(output, 'drain');
  }
  return summary;
}

function describe(error: unknown): string {
  if (error instanceof z.ZodError) return 'expected an object with a string "text"';
  if (error instanceof SyntaxError) return `not JSON: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CATEGORIES, INTENTS } from '../domain/categories.ts';
import type { Category, Intent } from '../domain/categories.ts';
import { LOCALES } from '../domain/locale.ts';
import type { Locale } from '../domain/locale.ts';
import { ConfigError } from '../errors.ts';

/** One training sentence: what it means, the language it is written in, the text. */
export interface Utterance<L extends string> {
  label: L;
  language: Locale;
  text: string;
}

/** The training sets of both classifiers. */
export interface TrainingSets {
  intentRows: Utterance<Intent>[];
  categoryRows: Utterance<Category>[];
}

/** File names under `<knowledgeDir>/nlu/`. */
export const INTENTS_FILE = 'intents.tsv';
export const CATEGORIES_FILE = 'categories.tsv';

/** Reads `nlu/intents.tsv` and `nlu/categories.tsv` (label, language, text) from the knowledge folder. */
export async function loadUtterances(knowledgeDir: string): Promise<TrainingSets> {
  const read = (name: string) => readFile(join(knowledgeDir, 'nlu', name), 'utf8');
  const [intents, categories] = await Promise.all([read(INTENTS_FILE), read(CATEGORIES_FILE)]);
  return {
    intentRows: parseUtterances(intents, INTENTS, INTENTS_FILE),
    categoryRows: parseUtterances(categories, CATEGORIES, CATEGORIES_FILE),
  };
}

/**
 * Parses `label<TAB>language<TAB>text` lines; a first line starting with "label" is a header,
 * blank lines and lines starting with "#" are skipped. A bad line stops start-up, naming the
 * file and line, because a merchant edits these files by hand.
 */
export function parseUtterances<L extends string>(tsv: string, labels: readonly L[], fileName: string): Utterance<L>[] {
  const Row = z.object({
    label: z.enum(labels as [L, ...L[]]),
    language: z.enum(LOCALES),
    text: z.string().trim().min(1),
  });
  const rows: Utterance<L>[] = [];
  tsv.split(/\r?\n/u).forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#') || (index === 0 && line.startsWith('label\t'))) return;
    const [label, language, text] = line.split('\t');
    const parsed = Row.safeParse({ label, language, text });
    if (!parsed.success) {
      const problem = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      throw new ConfigError('bad_training_data', `${fileName} line ${index + 1}: ${problem}`);
    }
    rows.push(parsed.data as Utterance<L>);
  });
  return rows;
}

/**
 * Deterministic held-out split: within each (label, language) group, every `everyNth` row
 * (the 5th, 10th, …) is held out, so the test set covers every label and language in proportion.
 */
export function splitHeldOut<R extends { label: string; language: string }>(
  rows: readonly R[],
  everyNth = 5,
): { train: R[]; test: R[] } {
  const seen = new Map<string, number>();
  const train: R[] = [];
  const test: R[] = [];
  for (const row of rows) {
    const key = `${row.label}\t${row.language}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    (count % everyNth === 0 ? test : train).push(row);
  }
  return { train, test };
}

import { InputError } from '../errors.ts';
import type { Understander } from '../understanding/types.ts';

/** One benchmark row: the expected label and the text. */
export interface LabelledRow {
  label: string;
  text: string;
}

/** Precision, recall and F1 of one label; `support` is how many rows expected it. */
export interface LabelScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The outcome of scoring predictions against expected labels. */
export interface EvalResult {
  total: number;
  correct: number;
  accuracy: number;
  /** unweighted mean of the per-label F1 over every label expected or predicted */
  macroF1: number;
  labels: LabelScore[];
  /** counts[i][j]: rows expected `labels[i]` and predicted `labels[j]` */
  confusion: { labels: string[]; counts: number[][] };
}

/** What `eval` scores: intents (`--intent`) or reason categories (the default). */
export interface EvalOptions {
  intent: boolean;
}

/** Runs every row through the understander and scores its intent or category. */
export async function evaluate(understander: Understander, rows: readonly LabelledRow[], options: EvalOptions): Promise<EvalResult> {
  const pairs: { expected: string; predicted: string }[] = [];
  for (const row of rows) {
    const understood = await understander.understand(row.text);
    pairs.push({ expected: row.label, predicted: options.intent ? understood.intent.label : understood.category.label });
  }
  return score(pairs);
}

/** Accuracy, per-label precision/recall/F1, macro-F1 and the confusion table of label pairs. */
export function score(pairs: readonly { expected: string; predicted: string }[]): EvalResult {
  const labels = [...new Set(pairs.flatMap((p) => [p.expected, p.predicted]))].sort();
  const counts = labels.map(() => labels.map(() => 0));
  for (const { expected, predicted } of pairs) {
    const row = counts[labels.indexOf(expected)];
    const j = labels.indexOf(predicted);
    if (row) row[j] = (row[j] ?? 0) + 1;
  }
  const cell = (i: number, j: number) => counts[i]?.[j] ?? 0;
  const perLabel = labels.map((label, i) => {
    const truePositives = cell(i, i);
    const support = labels.reduce((sum, _, j) => sum + cell(i, j), 0);
    const predictedCount = labels.reduce((sum, _, j) => sum + cell(j, i), 0);
    // A label never predicted (or never expected) has precision (or recall) 0, as scikit-learn's
    // zero_division=0: an empty column must not look like a perfect one.
    const precision = predictedCount === 0 ? 0 : truePositives / predictedCount;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  const correct = labels.reduce((sum, _, i) => sum + cell(i, i), 0);
  return {
    total: pairs.length,
    correct,
    accuracy: pairs.length === 0 ? 0 : correct / pairs.length,
    macroF1: perLabel.length === 0 ? 0 : perLabel.reduce((sum, s) => sum + s.f1, 0) / perLabel.length,
    labels: perLabel,
    confusion: { labels, counts },
  };
}

/**
 * Reads `label<TAB>text` lines (SPEC §7): an optional header whose first column is "label",
 * further columns ignored, blank lines skipped. A line without a tab is an error naming it.
 */
export function parseLabelledTsv(tsv: string): LabelledRow[] {
  const rows: LabelledRow[] = [];
  tsv.split(/\r?\n/u).forEach((line, i) => {
    if (line.trim() === '') return;
    const [label = '', text] = line.split('\t');
    if (i === 0 && label.trim().toLowerCase() === 'label') return;
    if (text === undefined || label.trim() === '' || text.trim() === '') {
      throw new InputError('bad_tsv', `line ${i + 1}: expected label<TAB>text`);
    }
    rows.push({ label: label.trim(), text });
  });
  return rows;
}

/** A readable report: totals, a per-label table and the confusion table (rows expected, columns predicted). */
export function formatReport(result: EvalResult): string {
  const pct = (x: number) => x.toFixed(3);
  const width = Math.max(8, ...result.labels.map((s) => s.label.length));
  const lines = [
    `rows ${result.total}  correct ${result.correct}  accuracy ${pct(result.accuracy)}  macro-F1 ${pct(result.macroF1)}`,
    '',
    `${'label'.padEnd(width)}  precision  recall     f1  support`,
    ...result.labels.map(
      (s) => `${s.label.padEnd(width)}  ${pct(s.precision).padStart(9)}  ${pct(s.recall).padStart(6)}  ${pct(s.f1).padStart(5)}  ${String(s.support).padStart(7)}`,
    ),
    '',
    'confusion (rows: expected, columns: predicted)',
  ];
  const { labels, counts } = result.confusion;
  const short = labels.map((_, j) => `#${j + 1}`);
  const col = Math.max(4, ...counts.flat().map((n) => String(n).length + 1));
  lines.push(`${''.padEnd(width + 4)}${short.map((s) => s.padStart(col)).join('')}`);
  labels.forEach((label, i) => {
    lines.push(`${short[i]?.padEnd(4)}${label.padEnd(width)}${(counts[i] ?? []).map((n) => String(n).padStart(col)).join('')}`);
  });
  return lines.join('\n');
}

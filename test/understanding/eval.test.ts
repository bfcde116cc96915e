import { describe, expect, it } from 'vitest';
import { evaluate, formatReport, parseLabelledTsv, score } from '../../src/cli/eval.ts';
import type { Category, Intent } from '../../src/domain/categories.ts';
import type { Understander, Understanding } from '../../src/understanding/types.ts';

/** Answers from a table: text → [intent, category]. Stands in for the port, to test the arithmetic. */
function tableUnderstander(table: Record<string, [Intent, Category]>): Understander {
  return {
    async understand(text: string): Promise<Understanding> {
      const [intent, category] = table[text] ?? ['other', 'other'];
      return {
        text,
        language: 'en',
        scriptTold: false,
        intent: { label: intent, confidence: 1 },
        intents: [{ label: intent, confidence: 1 }],
        category: { label: category, confidence: 1 },
        categories: [{ label: category, confidence: 1 }],
        entities: { orderIds: [], emails: [], phones: [], phoneTails: [], money: [], caseIds: [] },
        command: undefined,
        affirmation: undefined,
      };
    },
  };
}

describe('score', () => {
  // Hand-computed: expected a a a b b c c, predicted a a b b a c b.
  // Confusion (rows expected a,b,c; columns predicted a,b,c): [2 1 0] [1 1 0] [0 1 1].
  // a: P 2/3 R 2/3 F1 2/3; b: P 1/3 R 1/2 F1 2/5; c: P 1 R 1/2 F1 2/3; macro-F1 26/45; accuracy 4/7.
  const pairs = [
    ['a', 'a'], ['a', 'a'], ['a', 'b'], ['b', 'b'], ['b', 'a'], ['c', 'c'], ['c', 'b'],
  ].map(([expected, predicted]) => ({ expected: expected ?? '', predicted: predicted ?? '' }));

  it('computes accuracy, per-label precision/recall/F1, macro-F1 and the confusion table', () => {
    const result = score(pairs);
    expect(result.total).toBe(7);
    expect(result.correct).toBe(4);
    expect(result.accuracy).toBeCloseTo(4 / 7, 10);
    expect(result.confusion).toEqual({ labels: ['a', 'b', 'c'], counts: [[2, 1, 0], [1, 1, 0], [0, 1, 1]] });
    const [a, b, c] = result.labels;
    expect(a).toMatchObject({ label: 'a', support: 3 });
    expect(a?.precision).toBeCloseTo(2 / 3, 10);
    expect(a?.recall).toBeCloseTo(2 / 3, 10);
    expect(a?.f1).toBeCloseTo(2 / 3, 10);
    expect(b).toMatchObject({ label: 'b', support: 2 });
    expect(b?.precision).toBeCloseTo(1 / 3, 10);
    expect(b?.recall).toBeCloseTo(1 / 2, 10);
    expect(b?.f1).toBeCloseTo(2 / 5, 10);
    expect(c).toMatchObject({ label: 'c', support: 2, precision: 1 });
    expect(c?.recall).toBeCloseTo(1 / 2, 10);
    expect(c?.f1).toBeCloseTo(2 / 3, 10);
    expect(result.macroF1).toBeCloseTo(26 / 45, 10);
  });

  it('counts a label that is predicted but never expected, with F1 0', () => {
    const result = score([{ expected: 'x', predicted: 'x' }, { expected: 'x', predicted: 'y' }]);
    expect(result.labels.map((s) => [s.label, s.support, s.f1])).toEqual([['x', 2, 2 / 3], ['y', 0, 0]]);
    expect(result.macroF1).toBeCloseTo(1 / 3, 10);
  });

  it('scores nothing as zero rather than NaN', () => {
    expect(score([])).toMatchObject({ total: 0, accuracy: 0, macroF1: 0, labels: [] });
  });
});

describe('evaluate', () => {
  const understander = tableUnderstander({
    'refund me': ['request_refund', 'other'],
    'it broke': ['request_refund', 'defective'],
    'where is it': ['refund_status', 'not_received'],
  });

  it('scores categories by default and intents with { intent: true }', async () => {
    const rows = [
      { label: 'defective', text: 'it broke' },
      { label: 'other', text: 'refund me' },
      { label: 'not_received', text: 'it broke' },
    ];
    const categories = await evaluate(understander, rows, { intent: false });
    expect(categories.correct).toBe(2);
    expect(categories.confusion.labels).toEqual(['defective', 'not_received', 'other']);

    const intents = await evaluate(
      understander,
      [{ label: 'request_refund', text: 'it broke' }, { label: 'request_refund', text: 'where is it' }],
      { intent: true },
    );
    expect(intents.accuracy).toBe(0.5);
    expect(intents.confusion.counts).toEqual([[0, 0], [1, 1]]);
  });
});

describe('parseLabelledTsv', () => {
  it('skips a header and blank lines, ignores further columns, accepts CRLF', () => {
    const tsv = 'label\ttext\tsource\r\nrequest_refund\tI want a refund\tbitext\r\n\r\nother\thello\n';
    expect(parseLabelledTsv(tsv)).toEqual([
      { label: 'request_refund', text: 'I want a refund' },
      { label: 'other', text: 'hello' },
    ]);
  });

  it('reads files without a header', () => {
    expect(parseLabelledTsv('defective\tit broke')).toEqual([{ label: 'defective', text: 'it broke' }]);
  });

  it('names the line that has no tab', () => {
    expect(() => parseLabelledTsv('label\ttext\nother\thi\njust text')).toThrow(/line 3/);
  });
});

describe('formatReport', () => {
  it('shows totals, per-label figures and the confusion table', () => {
    const report = formatReport(score([{ expected: 'defective', predicted: 'defective' }, { expected: 'other', predicted: 'defective' }]));
    expect(report).toContain('rows 2  correct 1  accuracy 0.500  macro-F1 0.333');
    expect(report).toMatch(/defective\s+0\.500\s+1\.000\s+0\.667\s+1/);
    expect(report).toMatch(/#2\s+other\s+1\s+0/);
  });
});

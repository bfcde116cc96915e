import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES, INTENTS } from '../../src/domain/categories.ts';
import { killAllSpawned, runBin, spawnBin } from '../support/process.ts';
import { ROOT } from '../support/server.ts';

/** `refundbot <command>` through the real bin, as `npx refundbot` runs it (SPEC §7). */
describe('the command line', () => {
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    // One data folder for the file: the first command trains the model and caches it there.
    dataDir = mkdtempSync(path.join(tmpdir(), 'refundbot-cli-'));
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  });
  afterEach(async () => {
    await killAllSpawned();
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  const file = (name: string, content: string) => {
    const target = path.join(dataDir, name);
    writeFileSync(target, content);
    return target;
  };

  /** `classify` on these texts: one parsed output line per text. */
  async function classify(texts: string[]): Promise<Record<string, unknown>[]> {
    const run = await runBin(['classify'], { env, input: texts.map((text) => `${JSON.stringify({ text })}\n`).join('') });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(texts.length);
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  describe('classify', () => {
    it('answers one JSON line per input line, in order, with intent, category, confidence and language', async () => {
      const input = [
        JSON.stringify({ text: 'I want a refund, the headphones I bought stopped working after two days and will not turn on' }),
        JSON.stringify({ text: '我要退款，买的耳机坏了，质量问题，开不了机' }),
        '{"text": "this line is cut',
        JSON.stringify({ text: '我要退款，買的耳機壞了，品質有問題，開不了機' }),
        JSON.stringify({ message: 'no text field' }),
        JSON.stringify({ text: 'The parcel never arrived, it was lost in delivery' }),
      ];
      const run = await runBin(['classify'], { env, input: `${input.join('\n')}\n` });
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.split('\n');
      expect(lines.at(-1)).toBe('');
      const out = lines.slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(out).toHaveLength(input.length);

      const good = [out[0], out[1], out[3], out[5]];
      for (const answer of good) {
        expect(Object.keys(answer ?? {}).sort()).toEqual(['category', 'confidence', 'intent', 'language']);
        expect(INTENTS).toContain(answer?.intent);
        expect(CATEGORIES).toContain(answer?.category);
        expect(answer?.confidence).toEqual(expect.any(Number));
        expect(answer?.confidence as number).toBeGreaterThanOrEqual(0);
        expect(answer?.confidence as number).toBeLessThanOrEqual(1);
      }
      expect(out[0]).toMatchObject({ language: 'en', category: 'defective', intent: 'request_refund' });
      expect(out[1]).toMatchObject({ language: 'zh-CN', category: 'defective', intent: 'request_refund' });
      expect(out[3]).toMatchObject({ language: 'zh-TW', category: 'defective', intent: 'request_refund' });
      expect(out[5]).toMatchObject({ language: 'en', category: 'not_received' });
      // A clear text is classified with some confidence, not a coin toss.
      expect(out[0]?.confidence as number).toBeGreaterThan(0.5);

      // Bad lines are answered in their place, and the run goes on.
      for (const bad of [out[2], out[4]]) {
        expect(Object.keys(bad ?? {})).toEqual(['error']);
        expect(bad?.error).toEqual(expect.any(String));
      }
    }, 60_000);
  });

  describe('eval', () => {
    const categoryRows: [string, string][] = [
      ['defective', 'The headphones stopped working after two days, they will not turn on'],
      ['damaged_in_transit', 'The box was crushed by the courier and the mug inside arrived broken'],
      ['changed_mind', "I changed my mind, I don't want it anymore"],
      ['not_received', 'My parcel never arrived, it was lost'],
      ['wrong_item', '发错货了，我买的是黑色的，收到的是白色的'],
      ['billing_error', '我被重复扣款了，多扣了钱'],
      // Labelled wrong on purpose: the score must not be perfect.
      ['duplicate_order', 'The speaker is broken, it makes no sound at all'],
    ];
    const intentRows: [string, string][] = [
      ['request_refund', 'I want a refund for my order'],
      ['refund_status', 'Where is my refund? What is the status of my refund case?'],
      ['human_agent', 'Let me talk to a real person please'],
      ['policy_question', 'What is your refund policy, how many days do I have to return something?'],
      ['request_refund', '我要退款'],
      // Labelled wrong on purpose.
      ['refund_status', 'Let me talk to a human agent'],
    ];
    const tsv = (rows: [string, string][]) => `label\ttext\tsource\n${rows.map(([label, text]) => `${label}\t${text}\ttest`).join('\n')}\n`;

    /** The report's numbers: totals, per-label table and confusion table. */
    function parseReport(report: string) {
      const totals = /rows (\d+)\s+correct (\d+)\s+accuracy ([\d.]+)\s+macro-F1 ([\d.]+)/.exec(report);
      expect(totals, report).not.toBeNull();
      const [, rows, correct, accuracy, macroF1] = totals as RegExpExecArray;
      const confusionAt = report.indexOf('confusion');
      expect(confusionAt, report).toBeGreaterThan(0);
      const perLabel = report
        .slice(0, confusionAt)
        .split('\n')
        .map((line) => /^(\S+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)$/.exec(line.trim()))
        .filter((match) => match !== null)
        .map(([, label, , , f1, support]) => ({ label: label as string, f1: Number(f1), support: Number(support) }));
      const confusion = report
        .slice(confusionAt)
        .split('\n')
        .map((line) => /^#\d+\s+(\S+)((?:\s+\d+)+)$/.exec(line.trim()))
        .filter((match) => match !== null)
        .map(([, label, counts]) => ({ label: label as string, counts: (counts as string).trim().split(/\s+/).map(Number) }));
      return { rows: Number(rows), correct: Number(correct), accuracy: Number(accuracy), macroF1: Number(macroF1), perLabel, confusion };
    }

    /** Accuracy and macro-F1 (zero_division = 0, over every label expected or predicted), computed here. */
    function expectedScores(pairs: { expected: string; predicted: string }[]) {
      const labels = [...new Set(pairs.flatMap((pair) => [pair.expected, pair.predicted]))];
      const f1s = labels.map((label) => {
        const tp = pairs.filter((pair) => pair.expected === label && pair.predicted === label).length;
        const predicted = pairs.filter((pair) => pair.predicted === label).length;
        const actual = pairs.filter((pair) => pair.expected === label).length;
        const precision = predicted === 0 ? 0 : tp / predicted;
        const recall = actual === 0 ? 0 : tp / actual;
        return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      });
      const correct = pairs.filter((pair) => pair.expected === pair.predicted).length;
      return { labels, correct, accuracy: correct / pairs.length, macroF1: f1s.reduce((sum, f1) => sum + f1, 0) / labels.length };
    }

    async function checkEval(rows: [string, string][], field: 'category' | 'intent') {
      const tsvFile = file(`${field}.tsv`, tsv(rows));
      const run = await runBin(field === 'intent' ? ['eval', tsvFile, '--intent'] : ['eval', tsvFile], { env });
      expect(run.code, run.stderr).toBe(0);
      const report = parseReport(run.stdout);

      // The same texts through `classify`: the report's figures follow from those predictions.
      const predictions = await classify(rows.map(([, text]) => text));
      const pairs = rows.map(([label], i) => ({ expected: label, predicted: String(predictions[i]?.[field]) }));
      const expected = expectedScores(pairs);
      expect(report.rows).toBe(rows.length);
      expect(report.correct).toBe(expected.correct);
      expect(report.correct).toBeLessThan(rows.length); // the row labelled wrong on purpose
      expect(report.accuracy).toBeCloseTo(expected.accuracy, 3);
      expect(report.macroF1).toBeCloseTo(expected.macroF1, 3);

      // Per-label table and confusion table over the same labels (rows expected, columns predicted).
      expect(report.perLabel.map((row) => row.label).sort()).toEqual([...expected.labels].sort());
      expect(report.confusion.map((row) => row.label).sort()).toEqual([...expected.labels].sort());
      const order = report.confusion.map((row) => row.label);
      for (const [i, row] of report.confusion.entries()) {
        expect(row.counts).toHaveLength(order.length);
        order.forEach((predictedLabel, j) => {
          const count = pairs.filter((pair) => pair.expected === row.label && pair.predicted === predictedLabel).length;
          expect(row.counts[j], `confusion[${row.label}][${predictedLabel}]`).toBe(count);
        });
        expect(report.perLabel.find((score) => score.label === row.label)?.support).toBe(pairs.filter((pair) => pair.expected === order[i]).length);
      }
      return report;
    }

    it('scores categories: accuracy, macro-F1 and a confusion table that match the predictions', async () => {
      const report = await checkEval(categoryRows, 'category');
      for (const { label } of report.perLabel) expect(CATEGORIES).toContain(label);
    }, 60_000);

    it('--intent scores intents instead', async () => {
      const report = await checkEval(intentRows, 'intent');
      for (const { label } of report.perLabel) expect(INTENTS).toContain(label);
    }, 60_000);

    it('without a FILE exits non-zero with the usage', async () => {
      const run = await runBin(['eval'], { env });
      expect(run.code).not.toBe(0);
      expect(run.code).not.toBeNull();
      expect(run.stderr).toMatch(/usage/i);
      expect(run.stderr).toContain('eval FILE');
      expect(run.stdout).toBe('');
    });

    it('on a TSV line without a tab exits non-zero naming the line', async () => {
      const bad = file('bad.tsv', 'label\ttext\ndefective\tit is broken\nthis line has no tab\n');
      const run = await runBin(['eval', bad], { env });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/line 3/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }, 30_000);

    it('on a file that does not exist exits non-zero with a message naming it, not a stack trace', async () => {
      const missing = path.join(dataDir, 'no-such-file.tsv');
      const run = await runBin(['eval', missing], { env });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('no-such-file.tsv');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }, 30_000);
  });

  it('an unknown command exits 2 with the usage', async () => {
    const run = await runBin(['frobnicate'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('frobnicate');
    expect(run.stderr).toMatch(/usage/i);
  });

  it('chat: a whole refund in the terminal, answering a button by its number', async () => {
    const chat = spawnBin(['chat'], { env });
    const prompt = 'you> ';
    const count = (text: string) => text.split(prompt).length - 1;
    /** Waits for the next `you>` prompt; returns what the assistant printed since `from`. */
    const nextPrompt = async (from = chat.stdout().length) => {
      const target = count(chat.stdout().slice(0, from)) + 1;
      const out = await chat.waitForStdout((stdout) => count(stdout) >= target, 30_000);
      return out.slice(from, out.lastIndexOf(prompt));
    };
    /** Types a line and returns the assistant's answer to it. */
    const send = async (line: string) => {
      const from = chat.stdout().length;
      chat.child.stdin.write(`${line}\n`);
      return nextPrompt(from);
    };

    const greeting = await nextPrompt(0);
    expect(greeting).toMatch(/assistant> .*refund assistant/i);
    expect(greeting).toMatch(/^\s+1\. Request a refund$/m);
    expect(await send('I want a refund')).toMatch(/order number/i);
    expect(await send('100101')).toMatch(/email address|phone/i);
    await send('lilei@example.com');
    const check = await send("I changed my mind, don't need it");
    // The confirmation lists its buttons by number: answer with the number of "Yes".
    const yes = /^\s+(\d+)\. Yes$/m.exec(check);
    expect(yes, check).not.toBeNull();
    const decided = await send(yes?.[1] as string);
    chat.child.stdin.write('/quit\n');
    const { code } = await chat.exited;
    expect(code, chat.stderr()).toBe(0);

    const caseLine = /\[case (RF-[A-Z0-9]+): (\w+), (\w+) ([\d.]+) (\w+), clauses ([^\]]+)\]/.exec(decided);
    expect(caseLine, decided).not.toBeNull();
    const [, caseId, status, outcome, amount, currency, clauses] = caseLine as RegExpExecArray;
    expect(caseId).toMatch(/^RF-/);
    expect({ status, outcome, amount: Number(amount), currency }).toEqual({ status: 'approved', outcome: 'full', amount: 309, currency: 'CNY' });
    expect(clauses).toContain('R-1.1');
    expect(decided).toContain(caseId);
    expect(chat.stdout()).toContain('approved');
  }, 60_000);

  describe('bad configuration stops the process with a message naming the problem', () => {
    it('PORT=abc → non-zero exit, stderr names PORT', async () => {
      const run = await runBin(['serve'], { env: { ...env, PORT: 'abc' }, timeoutMs: 20_000 });
      expect(run.signal).toBeNull(); // exited by itself, not killed by the timeout
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/\bPORT\b/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).not.toContain('ready');
    }, 30_000);

    it('an orders file with an order missing its currency → non-zero exit naming the order and the field', async () => {
      const demo = JSON.parse(await readFile(path.join(ROOT, 'knowledge', 'orders.demo.json'), 'utf8')) as { orders: Record<string, unknown>[] };
      const good = demo.orders[0] as Record<string, unknown>;
      const broken: Record<string, unknown> = { ...good, id: '900042' };
      delete broken.currency;
      const ordersFile = file('orders.bad.json', JSON.stringify({ orders: [{ ...good }, broken] }, null, 2));
      const run = await runBin(['serve'], { env: { ...env, PORT: '0', HOST: '127.0.0.1', ORDERS_FILE: ordersFile }, timeoutMs: 30_000 });
      expect(run.signal).toBeNull();
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('900042');
      expect(run.stderr).toContain('currency');
      expect(run.stderr).not.toContain(String(good.id)); // the good order is not blamed
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).not.toContain('ready');
    }, 40_000);
  });
});

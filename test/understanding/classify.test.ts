import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runClassify } from '../../src/cli/classify.ts';
import { trainUnderstander } from '../../src/understanding/index.ts';
import type { Understander } from '../../src/understanding/index.ts';

let understander: Understander;
beforeAll(async () => {
  understander = await trainUnderstander({
    intentRows: [
      { label: 'request_refund', language: 'en', text: 'i want a refund' },
      { label: 'request_refund', language: 'zh-TW', text: '我要退款' },
      { label: 'other', language: 'en', text: 'hello there' },
    ],
    categoryRows: [
      { label: 'defective', language: 'en', text: 'it broke after a day' },
      { label: 'defective', language: 'zh-TW', text: '東西壞了' },
      { label: 'other', language: 'en', text: 'hello there' },
    ],
  });
});

async function classify(input: string): Promise<{ lines: unknown[]; summary: { lines: number; errors: number } }> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const summary = await runClassify({ understander, input: Readable.from([input]), output });
  const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
  return { lines, summary };
}

describe('runClassify', () => {
  it('answers each JSON line with intent, category, confidence and language, in order', async () => {
    const { lines, summary } = await classify('{"text":"it broke after a day, i want a refund"}\n{"text":"東西壞了"}\n{"text":"100234"}\n');
    expect(summary).toEqual({ lines: 3, errors: 0 });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ intent: 'request_refund', category: 'defective', language: 'en' });
    expect(lines[1]).toMatchObject({ category: 'defective', language: 'zh-TW' });
    expect(lines[2]).toMatchObject({ language: null });
    for (const line of lines) {
      expect(Object.keys(line as object).sort()).toEqual(['category', 'confidence', 'intent', 'language']);
      const { confidence } = line as { confidence: number };
      expect(confidence).toBeGreaterThanOrEqual(0);
      expect(confidence).toBeLessThanOrEqual(1);
    }
  });

  it('writes an error for a bad line and goes on with the next', async () => {
    const { lines, summary } = await classify('not json\n{"txt":"hi"}\n\n{"text":"hello there"}\n');
    expect(summary).toEqual({ lines: 4, errors: 3 });
    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual({ error: expect.stringMatching(/^not JSON/) });
    expect(lines[1]).toEqual({ error: 'expected an object with a string "text"' });
    expect(lines[2]).toEqual({ error: expect.stringMatching(/^not JSON/) });
    expect(lines[3]).toMatchObject({ intent: 'other', language: 'en' });
  });
});

import { describe, expect, it } from 'vitest';
import { withRequestPhrases } from '../../src/understanding/augment.ts';
import type { Utterance } from '../../src/understanding/utterances.ts';
import type { Category } from '../../src/domain/categories.ts';

describe('withRequestPhrases', () => {
  const rows: Utterance<Category>[] = [
    { label: 'defective', language: 'en', text: 'it broke' },
    { label: 'defective', language: 'en', text: 'it died' },
    { label: 'defective', language: 'en', text: 'no sound' },
    { label: 'defective', language: 'zh-TW', text: '壞了' },
    { label: 'other', language: 'en', text: 'hello' },
    { label: 'other', language: 'en', text: 'yes' },
    { label: 'not_received', language: 'zh-CN', text: '没收到货' },
  ];

  it('keeps every row and adds every second reason row again with a request phrase around it', () => {
    const out = withRequestPhrases(rows);
    expect(out.slice(0, rows.length)).toEqual(rows);
    expect(out.slice(rows.length)).toEqual([
      { label: 'defective', language: 'en', text: 'i want a refund, it broke' },
      { label: 'defective', language: 'en', text: 'no sound, order 100234' },
      { label: 'not_received', language: 'zh-CN', text: '没收到货，能退吗' },
    ]);
  });

  it('never adds to "other", whose rows are reason-less already', () => {
    const out = withRequestPhrases(rows.filter((r) => r.label === 'other'));
    expect(out).toHaveLength(2);
  });
});

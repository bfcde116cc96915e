import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, INTENTS } from '../../src/domain/categories.ts';
import { LOCALES } from '../../src/domain/locale.ts';
import { ConfigError } from '../../src/errors.ts';
import { loadUtterances, parseUtterances, splitHeldOut } from '../../src/understanding/utterances.ts';

const knowledgeDir = fileURLToPath(new URL('../../knowledge', import.meta.url));

describe('parseUtterances', () => {
  it('reads label, language and text, skipping the header, comments and blank lines', () => {
    const tsv = 'label\tlanguage\ttext\n# a comment\n\nrequest_refund\ten\tI want a refund\nother\tzh-TW\t你好\n';
    expect(parseUtterances(tsv, INTENTS, 'intents.tsv')).toEqual([
      { label: 'request_refund', language: 'en', text: 'I want a refund' },
      { label: 'other', language: 'zh-TW', text: '你好' },
    ]);
  });

  it.each([
    ['refund_please\ten\thi', /intents\.tsv line 1: label/],
    ['other\tfr\tbonjour', /line 1: language/],
    ['other\ten', /line 1: text/],
  ])('stops on a bad line (%s)', (line, message) => {
    expect(() => parseUtterances(line, INTENTS, 'intents.tsv')).toThrow(ConfigError);
    expect(() => parseUtterances(line, INTENTS, 'intents.tsv')).toThrow(message);
  });
});

describe('splitHeldOut', () => {
  it('holds out every 5th row of each label and language, deterministically', () => {
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => ({ label: 'a', language: 'en', text: `a${i + 1}` })),
      ...Array.from({ length: 5 }, (_, i) => ({ label: 'b', language: 'en', text: `b${i + 1}` })),
      ...Array.from({ length: 4 }, (_, i) => ({ label: 'a', language: 'zh-CN', text: `z${i + 1}` })),
    ];
    const { train, test } = splitHeldOut(rows);
    expect(test.map((r) => r.text)).toEqual(['a5', 'a10', 'b5']);
    expect(train).toHaveLength(16);
    expect(splitHeldOut(rows, 2).test.map((r) => r.text)).toEqual(['a2', 'a4', 'a6', 'a8', 'a10', 'b2', 'b4', 'z2', 'z4']);
  });
});

describe('knowledge/nlu training files', () => {
  it('have enough utterances for every intent and category in every language family', async () => {
    const { intentRows, categoryRows } = await loadUtterances(knowledgeDir);
    const count = (rows: { label: string; language: string }[], label: string, family: 'en' | 'zh') =>
      rows.filter((r) => r.label === label && (family === 'en' ? r.language === 'en' : r.language !== 'en')).length;
    for (const intent of INTENTS) {
      expect(count(intentRows, intent, 'en'), intent).toBeGreaterThanOrEqual(40);
      expect(count(intentRows, intent, 'zh'), intent).toBeGreaterThanOrEqual(40);
    }
    for (const category of CATEGORIES) {
      expect(count(categoryRows, category, 'en'), category).toBeGreaterThanOrEqual(30);
      expect(count(categoryRows, category, 'zh'), category).toBeGreaterThanOrEqual(30);
    }
    for (const locale of LOCALES) expect(intentRows.some((r) => r.language === locale)).toBe(true);
  });
});

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '../../src/domain/locale.ts';
import { formatMoney } from '../../src/domain/money.ts';
import { decide } from '../../src/policy/engine.ts';
import { DECISION_PLACEHOLDERS, decisionParams, decisionTemplateKey, fillTemplate } from '../../src/policy/phrasing.ts';
import { REASON_CODES } from '../../src/policy/reasons.ts';
import type { PolicyRules } from '../../src/policy/rules.ts';
import { ROOT, defaultRules } from './fixtures.ts';
import { SCENARIOS } from './scenarios.ts';

let rules: PolicyRules;
const templates = {} as Record<Locale, Record<string, string>>;
beforeAll(async () => {
  rules = await defaultRules();
  for (const locale of LOCALES) {
    templates[locale] = JSON.parse(await readFile(path.join(ROOT, 'prompts', locale, 'decision.json'), 'utf8'));
  }
});

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('prompts/<locale>/decision.json', () => {
  it('has exactly one decision.<reason> key per reason code, in every language', () => {
    const expected = REASON_CODES.map((code) => `decision.${code}`).sort();
    for (const locale of LOCALES) expect(Object.keys(templates[locale]).sort(), locale).toEqual(expected);
  });

  it.each(REASON_CODES)('decision.%s uses the same known placeholders in every language', (code) => {
    const en = placeholders(templates.en[`decision.${code}`] ?? '');
    for (const name of en) expect(DECISION_PLACEHOLDERS).toContain(name);
    for (const locale of LOCALES) {
      const text = templates[locale][`decision.${code}`] ?? '';
      expect(text.trim().length, `${locale} ${code}`).toBeGreaterThan(10);
      expect(placeholders(text), `${locale} ${code}`).toEqual(en);
    }
  });
});

describe('rendering a decision', () => {
  it.each(SCENARIOS)('$name renders without a gap in every language', ({ input }) => {
    const decision = decide(rules, input);
    for (const locale of LOCALES) {
      const template = templates[locale][decisionTemplateKey(decision)];
      expect(template, `${locale} ${decision.reason}`).toBeDefined();
      const text = fillTemplate(template ?? '', decisionParams(rules, input.claim.category, decision, locale));
      expect(text, text).not.toMatch(/\{\w+\}|\{\}| days?-day|  /);
      if (template?.includes('{days}')) expect(decisionParams(rules, input.claim.category, decision, locale).days).toMatch(/^\d+$/);
    }
  });

  it('formats the amount and clauses for the locale', () => {
    const [scenario] = SCENARIOS.filter((s) => s.name === 'frequent refunds');
    if (scenario === undefined) throw new Error('scenario missing');
    const decision = decide(rules, scenario.input);
    // cable 2990 less its 220 discount share = 2770 fen
    // (the money format itself is src/domain/money.ts's business)
    expect(decisionParams(rules, 'changed_mind', decision, 'en')).toEqual({ amount: formatMoney(2770, 'CNY', 'en'), clause: 'R-3, R-9.3', days: '7' });
    expect(decisionParams(rules, 'changed_mind', decision, 'zh-CN')).toEqual({ amount: formatMoney(2770, 'CNY', 'zh-CN'), clause: 'R-3、R-9.3', days: '7' });
    expect(decisionParams(rules, 'changed_mind', decision, 'en').amount).toMatch(/27\.70/);
  });
});

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '../../src/domain/locale.ts';
import { ConfigError } from '../../src/errors.ts';
import {
  type PolicyKnowledge,
  answerPolicyQuestion,
  createPolicyKnowledge,
  findClause,
  loadPolicyText,
  parsePolicyMarkdown,
} from '../../src/policy/knowledge.ts';
import { type PolicyRules, citedClauseIds } from '../../src/policy/rules.ts';
import { POLICY_DIR, defaultRules } from './fixtures.ts';

let kb: PolicyKnowledge;
let rules: PolicyRules;
let markdown: Record<Locale, string>;
beforeAll(async () => {
  rules = await defaultRules();
  kb = await loadPolicyText(POLICY_DIR);
  markdown = {} as Record<Locale, string>;
  for (const locale of LOCALES) markdown[locale] = await readFile(path.join(POLICY_DIR, `${locale}.md`), 'utf8');
});

describe('readable policy files', () => {
  it('have the same clause ids, in the same order, in every language', () => {
    const ids = kb.clauses.en.map((c) => c.id);
    expect(ids.length).toBeGreaterThan(15);
    for (const locale of LOCALES) expect(kb.clauses[locale].map((c) => c.id)).toEqual(ids);
  });
  it('contain every clause the rules cite', () => {
    const ids = new Set(kb.clauses.en.map((c) => c.id));
    for (const id of citedClauseIds(rules)) expect(ids, id).toContain(id);
  });
  it('give every clause a title and text in its language', () => {
    expect(findClause(kb, 'en', 'R-3')?.title).toBe('Changed your mind');
    expect(findClause(kb, 'zh-CN', 'R-3')?.title).toBe('七天无理由退货');
    expect(findClause(kb, 'zh-TW', 'R-6.1')?.title).toBe('未使用的訂閱');
    expect(findClause(kb, 'en', 'R-4.1')?.text).toMatch(/at least 7 days/);
  });
  it('state the SPEC numbers in every language', () => {
    for (const locale of LOCALES) {
      expect(findClause(kb, locale, 'R-2.1')?.text, locale).toMatch(/30/);
      expect(findClause(kb, locale, 'R-9.1')?.text, locale).toMatch(/500\.00/);
      expect(findClause(kb, locale, 'R-9.3')?.text, locale).toMatch(/90.*3|3.*90/);
      expect(findClause(kb, locale, 'R-5')?.text, locale).toMatch(/48/);
    }
  });
});

describe('parsing and validation', () => {
  it('parses "## <id> <title>" headings followed by text', () => {
    const clauses = parsePolicyMarkdown('# Policy\nintro\n\n## R-1 First\nLine one\nline two\n\n## R-2.1 Second\nText.\n', 'x.md');
    expect(clauses).toEqual([
      { id: 'R-1', title: 'First', text: 'Line one\nline two' },
      { id: 'R-2.1', title: 'Second', text: 'Text.' },
    ]);
  });
  it.each([
    ['a repeated id', '## R-1 A\nx\n## R-1 B\ny', /R-1 appears twice/],
    ['an empty clause', '## R-1 A\n\n## R-2 B\ny', /clause R-1 has no text/],
    ['no clause at all', '# Just a title\ntext', /no clauses/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parsePolicyMarkdown(text, 'x.md')).toThrow(message);
  });
  it('rejects languages whose clause ids differ', () => {
    const broken = { ...markdown, 'zh-TW': markdown['zh-TW'].replace('## R-7.3 ', '## R-7.4 ') };
    expect(() => createPolicyKnowledge(broken, rules)).toThrow(/zh-TW\.md: clause ids differ from en\.md \(missing R-7\.3; extra R-7\.4\)/);
  });
  it('rejects rules citing a clause the text does not have', () => {
    const broken = { ...rules, outsideWindow: { clause: 'R-99' } };
    const error = (() => {
      try {
        createPolicyKnowledge(markdown, broken);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/cite clause R-99/);
  });
});

describe('answerPolicyQuestion', () => {
  it.each([
    ['how long do I have to return headphones?', 'en', 'R-3'],
    ['Who pays the return shipping?', 'en', 'R-8.2'],
    ['my parcel never arrived', 'en', 'R-4.1'],
    ['I was charged twice', 'en', 'R-7.1'],
    ['can I get a refund for my unused subscription?', 'en', 'R-6.1'],
    ['退货运费谁承担', 'zh-CN', 'R-8.2'],
    ['质量问题可以退吗', 'zh-CN', 'R-2.1'],
    ['没收到货怎么办', 'zh-CN', 'R-4.1'],
    ['退款多久到账', 'zh-CN', 'R-8.3'],
    ['訂閱可以退款嗎', 'zh-TW', 'R-6.1'],
    ['退款多久入帳', 'zh-TW', 'R-8.3'],
    // Traditional question, Simplified clauses and the other way round
    ['訂閱可以退款嗎', 'zh-CN', 'R-6.1'],
    ['退货运费谁承担', 'zh-TW', 'R-8.2'],
  ] as const)('%s (%s) → %s', (question, locale, id) => {
    const matches = answerPolicyQuestion(kb, question, locale);
    expect(matches[0]?.id).toBe(id);
    expect(matches[0]?.text).toBe(findClause(kb, locale, id)?.text);
    expect(matches.map((m) => m.score)).toEqual([...matches.map((m) => m.score)].sort((a, b) => b - a));
  });
  it.each([
    ['what is the weather like today?', 'en'],
    ['hello', 'en'],
    ['今天天气怎么样', 'zh-CN'],
    ['你好', 'zh-TW'],
  ] as const)('finds nothing for %s', (question, locale) => {
    expect(answerPolicyQuestion(kb, question, locale)).toEqual([]);
  });
  it('returns at most `limit` clauses', () => {
    expect(answerPolicyQuestion(kb, 'refund shipping fee days delivery order', 'en', { limit: 2, relative: 0 }).length).toBe(2);
  });
});

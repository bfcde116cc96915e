import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCALES, type Locale } from '../domain/locale.ts';
import { ConfigError } from '../errors.ts';
import { type Bm25Index, buildBm25Index, searchBm25 } from './bm25.ts';
import { citedClauseIds, loadPolicyRules, type PolicyRules } from './rules.ts';
import { tokenize } from './tokenize.ts';

/**
 * The readable policy (knowledge/policy/<locale>.md): clauses with stable ids, one file per
 * language, and retrieval over them for policy questions.
 *
 * File format: a clause is a level-2 heading `## <id> <title>` (id like `R-2.1`) followed by its
 * text up to the next heading. Anything before the first clause (the `#` title, an intro) is
 * not a clause.
 */

/** One clause of the readable policy. */
export interface PolicyClause {
  id: string;
  title: string;
  text: string;
}

/** A clause retrieved for a question, with its BM25 score (higher is better). */
export interface PolicyMatch extends PolicyClause {
  score: number;
}

/** The readable policy in every language, with a search index per language. */
export interface PolicyKnowledge {
  readonly clauses: Readonly<Record<Locale, readonly PolicyClause[]>>;
  readonly indexes: Readonly<Record<Locale, Bm25Index>>;
}

const CLAUSE_HEADING = /^##\s+(R-\d+(?:\.\d+)*)\s+(.+?)\s*$/;
const ANY_HEADING = /^#{1,6}\s/;

/** Parses one language's policy markdown into clauses, in file order. */
export function parsePolicyMarkdown(markdown: string, source: string): PolicyClause[] {
  const clauses: PolicyClause[] = [];
  let current: { id: string; title: string; lines: string[] } | undefined;
  const close = () => {
    if (current === undefined) return;
    const text = current.lines.join('\n').trim();
    if (text === '') throw new ConfigError('policy_text_invalid', `policy text ${source}: clause ${current.id} has no text`);
    clauses.push({ id: current.id, title: current.title, text });
  };
  for (const line of markdown.split(/\r?\n/)) {
    const heading = CLAUSE_HEADING.exec(line);
    if (heading !== null) {
      close();
      current = { id: heading[1] ?? '', title: heading[2] ?? '', lines: [] };
    } else if (ANY_HEADING.test(line)) {
      close();
      current = undefined;
    } else {
      current?.lines.push(line);
    }
  }
  close();
  const seen = new Set<string>();
  for (const { id } of clauses) {
    if (seen.has(id)) throw new ConfigError('policy_text_invalid', `policy text ${source}: clause ${id} appears twice`);
    seen.add(id);
  }
  if (clauses.length === 0) throw new ConfigError('policy_text_invalid', `policy text ${source}: no clauses ("## R-1 Title")`);
  return clauses;
}

/**
 * Builds the knowledge from each language's markdown, checking that every language has the same
 * clause ids and, when `rules` are given, that every clause the rules cite exists.
 */
export function createPolicyKnowledge(
  markdown: Readonly<Record<Locale, string>>,
  rules: PolicyRules | undefined,
  source = 'knowledge/policy',
): PolicyKnowledge {
  const clauses = {} as Record<Locale, PolicyClause[]>;
  for (const locale of LOCALES) clauses[locale] = parsePolicyMarkdown(markdown[locale], `${source}/${locale}.md`);
  const reference = new Set(clauses.en.map((c) => c.id));
  for (const locale of LOCALES) {
    const ids = new Set(clauses[locale].map((c) => c.id));
    const missing = [...reference].filter((id) => !ids.has(id));
    const extra = [...ids].filter((id) => !reference.has(id));
    if (missing.length > 0 || extra.length > 0) {
      const what = [
        ...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []),
        ...(extra.length > 0 ? [`extra ${extra.join(', ')}`] : []),
      ].join('; ');
      throw new ConfigError('policy_text_invalid', `policy text ${source}/${locale}.md: clause ids differ from en.md (${what})`);
    }
  }
  if (rules !== undefined) {
    const unknown = citedClauseIds(rules).filter((id) => !reference.has(id));
    if (unknown.length > 0) {
      throw new ConfigError('policy_text_invalid', `policy rules cite clause ${unknown.join(', ')} missing from ${source}/*.md`);
    }
  }
  const indexes = {} as Record<Locale, Bm25Index>;
  for (const locale of LOCALES) {
    // The title counts twice: a question naming a clause's subject should find that clause first.
    indexes[locale] = buildBm25Index(
      clauses[locale].map((c) => ({ id: c.id, tokens: [...tokenize(c.title), ...tokenize(c.title), ...tokenize(c.text)] })),
    );
  }
  return { clauses, indexes };
}

/**
 * Loads `<dir>/{en,zh-CN,zh-TW}.md` and validates them against the rules (`<dir>/rules.json`
 * unless given). Throws ConfigError on a missing file, a malformed clause or mismatched ids.
 */
export async function loadPolicyText(dir: string, rules?: PolicyRules): Promise<PolicyKnowledge> {
  const checked = rules ?? (await loadPolicyRules(join(dir, 'rules.json')));
  const markdown = {} as Record<Locale, string>;
  for (const locale of LOCALES) {
    const path = join(dir, `${locale}.md`);
    try {
      markdown[locale] = await readFile(path, 'utf8');
    } catch (error) {
      throw new ConfigError('policy_text_unreadable', `policy text ${path}: cannot read the file`, { cause: error });
    }
  }
  return createPolicyKnowledge(markdown, checked, dir);
}

/** A clause by id in one language. */
export function findClause(kb: PolicyKnowledge, locale: Locale, id: string): PolicyClause | undefined {
  return kb.clauses[locale].find((c) => c.id === id);
}

/** Retrieval options: how many clauses at most, and how weak a match may be. */
export interface AnswerOptions {
  /** At most this many clauses (default 3). */
  limit?: number;
  /** Absolute floor on the BM25 score (default 1.5): below it a match is noise. */
  minScore?: number;
  /** Keep only clauses scoring at least this fraction of the best (default 0.5). */
  relative?: number;
}

/**
 * The clauses that best answer a policy question, best first, with scores; empty when nothing
 * matches well. The question is expected in `locale`'s language; Chinese questions match in
 * either script (a Traditional question finds Simplified clauses and the other way round).
 */
export function answerPolicyQuestion(
  kb: PolicyKnowledge,
  question: string,
  locale: Locale,
  options: AnswerOptions = {},
): PolicyMatch[] {
  const { limit = 3, minScore = 1.5, relative = 0.5 } = options;
  const hits = searchBm25(kb.indexes[locale], tokenize(question));
  const best = hits[0]?.score ?? 0;
  return hits
    .filter((hit) => hit.score >= minScore && hit.score >= best * relative)
    .slice(0, limit)
    .flatMap((hit) => {
      const clause = findClause(kb, locale, hit.id);
      return clause === undefined ? [] : [{ ...clause, score: hit.score }];
    });
}

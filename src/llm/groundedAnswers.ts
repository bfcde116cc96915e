import { Document } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { z } from 'zod';
import { LOCALES, type Locale } from '../domain/locale.ts';
import type { Prompts } from '../i18n/prompts.ts';
import { answerPolicyQuestion, type PolicyKnowledge } from '../policy/knowledge.ts';
import type { StructuredModel } from './model.ts';
import { redact } from './redact.ts';

/** The model's answer to a policy question: the text and the clauses it relies on. */
const GroundedAnswer = z.object({
  answer: z.string().max(1200),
  clauses: z.array(z.string().max(20)).max(6),
});

/** An answer that passed the checks: phrased by the model, every fact in it from the cited clauses. */
export interface CheckedAnswer {
  text: string;
  clauses: string[];
}

/**
 * The policy clauses of one language as a LangChain retriever, over the same BM25 index the
 * offline answers use, with a wider net (more clauses, a lower bar): the model picks from them.
 */
export class PolicyClauseRetriever extends BaseRetriever {
  lc_namespace = ['refundbot', 'retrievers', 'policy'];
  readonly #kb: PolicyKnowledge;
  readonly #locale: Locale;

  constructor(kb: PolicyKnowledge, locale: Locale) {
    super();
    this.#kb = kb;
    this.#locale = locale;
  }

  override async _getRelevantDocuments(query: string): Promise<Document[]> {
    return answerPolicyQuestion(this.#kb, query, this.#locale, { limit: 4, minScore: 0.5, relative: 0.3 }).map(
      (clause) => new Document({ pageContent: clause.text, metadata: { id: clause.id, title: clause.title } }),
    );
  }
}

/**
 * Answers free-form policy questions with the model, grounded in the clauses retrieved for the
 * question: the model sees only those clauses and must cite them. An answer is rejected (and the
 * offline answer used) when it cites nothing, cites a clause that was not retrieved, or states a
 * number that none of its cited clauses contains ("60 days" where the policy says 30).
 */
export class GroundedPolicyAnswers {
  readonly #model: StructuredModel;
  readonly #prompts: Prompts;
  readonly #retrievers: Record<Locale, PolicyClauseRetriever>;

  constructor(options: { model: StructuredModel; prompts: Prompts; knowledge: PolicyKnowledge }) {
    this.#model = options.model;
    this.#prompts = options.prompts;
    this.#retrievers = Object.fromEntries(LOCALES.map((locale) => [locale, new PolicyClauseRetriever(options.knowledge, locale)])) as Record<Locale, PolicyClauseRetriever>;
  }

  /** The checked answer, or undefined when the offline answer should be used. */
  async answer(question: string, locale: Locale): Promise<CheckedAnswer | undefined> {
    const documents = await this.#retrievers[locale].invoke(question);
    if (documents.length === 0) return undefined;
    const clauses = documents.map((document) => ({ id: String(document.metadata.id), title: String(document.metadata.title), text: document.pageContent }));
    const result = await this.#model.ask({
      name: 'answer_policy',
      description: this.#prompts.t(locale, 'llm.answer.task'),
      system: this.#prompts.t(locale, 'llm.answer.system', { clauses: clauses.map((clause) => `[${clause.id}] ${clause.title}: ${clause.text}`).join('\n') }),
      messages: [{ role: 'user', content: redact(question).text }],
      schema: GroundedAnswer,
    });
    if (!result.ok) return undefined;
    return checkGrounding(result.value, clauses);
  }
}

/** The checks of a model's policy answer against the clauses it was given (see GroundedPolicyAnswers). */
export function checkGrounding(answer: z.infer<typeof GroundedAnswer>, retrieved: { id: string; text: string }[]): CheckedAnswer | undefined {
  const text = answer.answer.trim();
  const cited = [...new Set(answer.clauses.map((id) => id.trim()))];
  if (!text || cited.length === 0) return undefined;
  const byId = new Map(retrieved.map((clause) => [clause.id, clause]));
  if (!cited.every((id) => byId.has(id))) return undefined;
  const source = cited.map((id) => byId.get(id)?.text ?? '').join('\n');
  const sourceNumbers = new Set(numbersIn(source));
  // Clause ids themselves ("R-2.1") may be quoted; every other number must come from a cited clause.
  const stated = numbersIn(text.replace(/R-\d+(?:\.\d+)*/g, ''));
  if (!stated.every((number) => sourceNumbers.has(number))) return undefined;
  return { text, clauses: cited };
}

function numbersIn(text: string): string[] {
  return [...text.matchAll(/\d+(?:[.,]\d+)?/g)].map((match) => match[0].replace(',', '.'));
}

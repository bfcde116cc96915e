import type { Locale } from '../domain/locale.ts';
import { answerPolicyQuestion, findClause, type PolicyKnowledge } from './knowledge.ts';

/** A policy clause quoted to the customer. */
export interface QuotedClause {
  id: string;
  title: string;
  text: string;
}

/** Port: answers a free-form policy question from the readable policy (offline retrieval now). */
export interface PolicyAnswers {
  /** The clauses that answer the question, best first; empty when nothing fits. */
  answer(question: string, locale: Locale): QuotedClause[];
  /** One clause by id, in a language (for citing a decision's clause). */
  clause(id: string, locale: Locale): QuotedClause | undefined;
}

/** PolicyAnswers over the readable policy's BM25 retrieval. */
export function createPolicyAnswers(kb: PolicyKnowledge): PolicyAnswers {
  return {
    answer: (question, locale) => answerPolicyQuestion(kb, question, locale).map(({ id, title, text }) => ({ id, title, text })),
    clause: (id, locale) => findClause(kb, locale, id),
  };
}

import type { Activity, Middleware, TurnContext } from 'botbuilder';
import { z } from 'zod';
import { isAgentMessage } from '../bot/publicActivity.ts';
import { isLocale, type Locale } from '../domain/locale.ts';
import type { Prompts } from '../i18n/prompts.ts';
import type { StructuredModel } from './model.ts';
import { redactAll, restore } from './redact.ts';

const Rephrased = z.object({ text: z.string().max(4000) });

/** Case ids, clause ids, amounts with their currency, dates, times and every other number. */
const FACT = /RF-[A-Z0-9]{6}|R-\d+(?:\.\d+)*|(?:US\$|HK\$|NT\$|[¥$€£])?\s?\d+(?:[.,:/-]\d+)*/g;

/** The facts of a reply, as a sorted list (a multiset): a rephrasing must keep exactly these. */
export function factsOf(text: string): string[] {
  return [...text.matchAll(FACT)].map((match) => match[0].replace(/\s+/g, '')).sort();
}

/** The model's rephrasing if it kept every fact and stayed short; otherwise the original. */
export function keepIfFaithful(original: string, rephrased: string): string {
  const candidate = rephrased.trim();
  if (!candidate || candidate.length > original.length * 1.5 + 20) return original;
  const before = factsOf(original);
  const after = factsOf(candidate);
  return before.length === after.length && before.every((fact, index) => fact === after[index]) ? candidate : original;
}

/**
 * Optional (LLM_REPHRASE): the model rephrases the assistant's templated replies to sound
 * natural. The facts — amounts, dates, case ids, clause ids, every number — are checked to be
 * unchanged, else the template's text is sent. Agents' messages are never touched, nor are
 * replies without text. Personal data in a reply is replaced by placeholders before it leaves
 * and put back after. Registered before the transcript middleware, so the history holds what
 * the customer saw.
 */
export class ReplyPhraser implements Middleware {
  readonly #model: StructuredModel;
  readonly #prompts: Prompts;

  constructor(options: { model: StructuredModel; prompts: Prompts }) {
    this.#model = options.model;
    this.#prompts = options.prompts;
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    context.onSendActivities(async (_context, activities, sendNext) => {
      for (const activity of activities) await this.#rephrase(activity);
      return sendNext();
    });
    return next();
  }

  async #rephrase(activity: Partial<Activity>): Promise<void> {
    if (activity.type !== 'message' || !activity.text || isAgentMessage(activity)) return;
    const locale: Locale = isLocale(activity.locale) ? activity.locale : 'en';
    const { texts, originals } = redactAll([activity.text]);
    const result = await this.#model.ask({
      name: 'rephrase',
      description: this.#prompts.t(locale, 'llm.phrase.task'),
      system: this.#prompts.t(locale, 'llm.phrase.system'),
      messages: [{ role: 'user', content: texts[0] ?? '' }],
      schema: Rephrased,
    });
    if (result.ok) activity.text = keepIfFaithful(activity.text, restore(result.value.text, originals));
  }
}

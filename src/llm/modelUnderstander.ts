import { CATEGORIES } from '../domain/categories.ts';
import type { Locale } from '../domain/locale.ts';
import type { Prompts } from '../i18n/prompts.ts';
import type { UnderstandContext, Understander, Understanding } from '../understanding/types.ts';
import { type CombineSettings, combine, offlineIsEnough } from './combine.ts';
import { Extraction } from './extraction.ts';
import type { StructuredModel } from './model.ts';
import { redactAll } from './redact.ts';

/** How much of the conversation goes with a message: enough to resolve "it" and "that order". */
const MAX_RECENT = 6;
const MAX_RECENT_CHARS = 300;

/**
 * The offline understander, helped by a language model where it is unsure: one structured call
 * per message at most (none when the offline result is enough, see `offlineIsEnough`), its answer
 * validated by the `Extraction` schema and combined with the offline result by the stated rule
 * (`combine`). Any failure — timeout, HTTP error, refusal, malformed answer — leaves the offline
 * understanding as it was. Personal data is replaced by placeholders before anything is sent.
 */
export class ModelAssistedUnderstander implements Understander {
  readonly readsContext = true;
  readonly #offline: Understander;
  readonly #model: StructuredModel;
  readonly #prompts: Prompts;
  readonly #settings: CombineSettings;

  constructor(options: { offline: Understander; model: StructuredModel; prompts: Prompts; settings: CombineSettings }) {
    this.#offline = options.offline;
    this.#model = options.model;
    this.#prompts = options.prompts;
    this.#settings = options.settings;
  }

  async understand(text: string, context?: UnderstandContext): Promise<Understanding> {
    const offline = await this.#offline.understand(text);
    if (offlineIsEnough(offline, this.#settings)) return offline;
    const recent = (context?.recent ?? []).slice(-MAX_RECENT).map((line) => ({ ...line, text: line.text.slice(0, MAX_RECENT_CHARS) }));
    const { texts, originals } = redactAll([...recent.map((line) => line.text), text]);
    const locale: Locale = offline.language ?? 'en';
    const result = await this.#model.ask({
      name: 'extract',
      description: this.#prompts.t(locale, 'llm.extract.task'),
      system: this.#prompts.t(locale, 'llm.extract.system', { categories: CATEGORIES.join(', ') }),
      messages: [
        ...recent.map((line, index) => ({ role: line.role === 'customer' ? ('user' as const) : ('assistant' as const), content: texts[index] ?? '' })),
        { role: 'user' as const, content: texts.at(-1) ?? '' },
      ],
      schema: Extraction,
    });
    return result.ok ? combine(offline, result.value, originals, this.#settings) : offline;
  }
}

import type { ChineseScript } from './chinese.ts';
import { detectAffirmation, detectCommand } from './commands.ts';
import { extractEntities } from './entities.ts';
import { detectLanguage, tellsChineseScript } from './language.ts';
import type { Models } from './models.ts';
import { foldText } from './normalize.ts';
import type { Understander, Understanding } from './types.ts';

/** What the offline understander is built from. */
export interface OfflineUnderstanderParts {
  models: Models;
  script: ChineseScript;
}

/** Rules for language, entities, commands and yes/no; trained classifiers for intent and reason. */
export class OfflineUnderstander implements Understander {
  readonly #models: Models;
  readonly #script: ChineseScript;

  constructor(parts: OfflineUnderstanderParts) {
    if (!parts.models || !parts.script) throw new TypeError('OfflineUnderstander needs models and script');
    this.#models = parts.models;
    this.#script = parts.script;
  }

  async understand(text: string): Promise<Understanding> {
    const folded = foldText(text, this.#script);
    const [intents, categories] = await Promise.all([
      this.#models.intents.classify(folded),
      this.#models.categories.classify(folded),
    ]);
    const [intent] = intents;
    const [category] = categories;
    // classify() always returns every label, so the lists are never empty.
    if (!intent || !category) throw new Error('classifier returned no labels');
    return {
      text,
      language: detectLanguage(text, this.#script),
      scriptTold: tellsChineseScript(text, this.#script),
      intent,
      intents,
      category,
      categories,
      entities: extractEntities(text),
      command: detectCommand(folded),
      affirmation: detectAffirmation(folded),
    };
  }
}


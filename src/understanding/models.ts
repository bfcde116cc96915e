import { readFile } from 'node:fs/promises';
import { CATEGORIES, INTENTS } from '../domain/categories.ts';
import type { Category, Intent } from '../domain/categories.ts';
import { withRequestPhrases } from './augment.ts';
import type { ChineseScript } from './chinese.ts';
import { loadClassifier, trainClassifier } from './classifier.ts';
import type { ClassifierOptions, TextClassifier } from './classifier.ts';
import { createFeatureExtractor } from './features.ts';
import { cacheKey } from './model-cache.ts';
import type { ModelCache } from './model-cache.ts';
import { foldText } from './normalize.ts';
import type { TrainingSets } from './utterances.ts';

/** The two trained classifiers the offline understander consults. */
export interface Models {
  intents: TextClassifier<Intent>;
  categories: TextClassifier<Category>;
}

// A saved model is only valid for the code that made it: the cache key covers the training rows
// and the source of every module that shapes features or training, so editing any of them
// retrains instead of loading a model that no longer fits.
const MODEL_SOURCES = ['models.ts', 'features.ts', 'typos.ts', 'augment.ts', 'classifier.ts', 'normalize.ts'];

/** Trains both classifiers, or loads them from the cache when the same inputs were trained before. */
export async function trainModels(sets: TrainingSets, script: ChineseScript, cache?: ModelCache): Promise<Models> {
  const intentRows = sets.intentRows.map((row) => ({ label: row.label, text: foldText(row.text, script) }));
  const categoryRows = withRequestPhrases(sets.categoryRows).map((row) => ({ label: row.label, text: foldText(row.text, script) }));
  const features = createFeatureExtractor();
  const intentOptions: ClassifierOptions<Intent> = { labels: INTENTS, fallback: 'other', features };
  const categoryOptions: ClassifierOptions<Category> = { labels: CATEGORIES, fallback: 'other', features };

  const key = cache ? cacheKey({ sources: await readSources(), intentRows, categoryRows }) : '';
  const cached = await cache?.read(key);
  if (cached) {
    const saved = JSON.parse(cached) as { intents: string; categories: string };
    return {
      intents: loadClassifier(saved.intents, intentOptions),
      categories: loadClassifier(saved.categories, categoryOptions),
    };
  }
  const [intents, categories] = await Promise.all([
    trainClassifier(intentRows, intentOptions),
    trainClassifier(categoryRows, categoryOptions),
  ]);
  await cache?.write(key, JSON.stringify({ intents: intents.serialize(), categories: categories.serialize() }));
  return { intents, categories };
}

function readSources(): Promise<string[]> {
  return Promise.all(MODEL_SOURCES.map((name) => readFile(new URL(name, import.meta.url), 'utf8')));
}

import { createChineseScript } from './chinese.ts';
import { createDiskCache } from './model-cache.ts';
import { trainModels } from './models.ts';
import type { Understander } from './types.ts';
import { OfflineUnderstander } from './understander.ts';
import { loadUtterances } from './utterances.ts';
import type { TrainingSets } from './utterances.ts';

/** Where the offline understander finds its training data and may keep trained models. */
export interface OfflineUnderstanderOptions {
  /** the `knowledge/` folder; utterances are read from its `nlu/` subfolder */
  knowledgeDir: string;
  /** where to keep trained models between starts; without it every start trains */
  cacheDir?: string;
}

/** The default understander: trains (or loads from cache) on `knowledge/nlu/` at start-up. */
export async function createOfflineUnderstander(options: OfflineUnderstanderOptions): Promise<Understander> {
  if (!options?.knowledgeDir) throw new TypeError('createOfflineUnderstander needs knowledgeDir');
  const sets = await loadUtterances(options.knowledgeDir);
  return trainUnderstander({ ...sets, cacheDir: options.cacheDir });
}

/** Rows to train on (e.g. the training part of a held-out split) and an optional model cache. */
export interface TrainUnderstanderOptions extends TrainingSets {
  cacheDir?: string | undefined;
}

/** Trains an understander on the given rows; used for held-out evaluation and by createOfflineUnderstander. */
export async function trainUnderstander(options: TrainUnderstanderOptions): Promise<Understander> {
  const script = createChineseScript();
  const cache = options.cacheDir ? createDiskCache(options.cacheDir) : undefined;
  const { intentRows, categoryRows } = options;
  const models = await trainModels({ intentRows, categoryRows }, script, cache);
  return new OfflineUnderstander({ models, script });
}

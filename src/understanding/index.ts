// Public API of the understanding layer: the Understander port, the offline implementation and
// the pieces the CLI and benchmarks use.
export type { Affirmation, Command, Entities, Scored, Understander, Understanding } from './types.ts';
export { createOfflineUnderstander, trainUnderstander } from './offline.ts';
export type { OfflineUnderstanderOptions, TrainUnderstanderOptions } from './offline.ts';
export { loadUtterances, parseUtterances, splitHeldOut } from './utterances.ts';
export type { TrainingSets, Utterance } from './utterances.ts';
export { detectLanguage } from './language.ts';
export { createChineseScript } from './chinese.ts';
export type { ChineseScript } from './chinese.ts';
export { extractEntities } from './entities.ts';
export { detectAffirmation, detectCommand } from './commands.ts';

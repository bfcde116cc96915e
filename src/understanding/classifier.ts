import { containerBootstrap } from '@nlpjs/core';
import { Nlp } from '@nlpjs/nlp';
import type { FeatureExtractor } from './features.ts';
import type { Scored } from './types.ts';

/** One training example. */
export interface LabelledText<L extends string> {
  label: L;
  text: string;
}

/** A trained text classifier over a fixed label set. */
export interface TextClassifier<L extends string> {
  /** Every label with its confidence (summing to 1), best first; input is folded text. */
  classify(folded: string): Promise<Scored<L>[]>;
  /** The trained model, for the on-disk cache. */
  serialize(): string;
}

/** What builds a classifier: its labels, the label for "none of these", and the features. */
export interface ClassifierOptions<L extends string> {
  labels: readonly L[];
  fallback: L;
  features: FeatureExtractor;
}

// One model serves every language: the features are our own (see features.ts), so NLP.js sees
// a single pseudo-locale whose tokenizer is our feature extractor.
const LOCALE = 'xx';

/** Trains NLP.js's neural classifier (one perceptron per label) on the given rows. */
export async function trainClassifier<L extends string>(
  rows: readonly LabelledText<L>[],
  options: ClassifierOptions<L>,
): Promise<TextClassifier<L>> {
  const nlp = createNlp(options);
  for (const row of rows) nlp.addDocument(LOCALE, row.text, row.label);
  await nlp.train();
  return wrap(nlp, options);
}

/** Rebuilds a classifier from `serialize()` output. */
export function loadClassifier<L extends string>(serialized: string, options: ClassifierOptions<L>): TextClassifier<L> {
  const nlp = createNlp(options);
  nlp.import(serialized);
  return wrap(nlp, options);
}

function createNlp<L extends string>(options: ClassifierOptions<L>): Nlp {
  // Everything NLP.js reads at construction goes into the container first: its managers take
  // their configuration once, when built.
  const container = containerBootstrap();
  container.register(`normalizer-${LOCALE}`, { normalize: (text: string) => text });
  container.register(`tokenizer-${LOCALE}`, { tokenize: (text: string) => options.features(text) });
  // No "None" feature: "none of these" is a label we train ("other"), and NLP.js drops its
  // None class from a model loaded with import() (Nlu.fromJSON builds intentsArr without it), so
  // a cached model would answer differently from a freshly trained one.
  container.registerConfiguration('nlu-manager', { useNoneFeature: false });
  container.registerConfiguration(`nlu-${LOCALE}`, {
    log: false,
    // NLP.js's spell check would map any unknown stem to a known one an edit away ("sell" to
    // "tell"); the words that matter get their typos repaired in features.ts instead.
    spellCheck: false,
  });
  // autoSave/autoLoad off: NLP.js would otherwise write and read ./model.nlp on its own.
  return new Nlp({ container, languages: [LOCALE], autoSave: false, autoLoad: false, calculateSentiment: false });
}

function wrap<L extends string>(nlp: Nlp, options: ClassifierOptions<L>): TextClassifier<L> {
  const known = new Set<string>(options.labels);
  return {
    async classify(folded) {
      const { classifications } = await nlp.classify(LOCALE, folded);
      const scores = new Map<L, number>(options.labels.map((label) => [label, 0]));
      for (const { intent, score } of classifications) {
        // NLP.js answers "None" when no label scores above zero: that is our fallback label.
        const label = (known.has(intent) ? intent : options.fallback) as L;
        scores.set(label, (scores.get(label) ?? 0) + score);
      }
      // Every output at zero means no perceptron fired: nothing learned applies, the fallback.
      if ([...scores.values()].every((score) => !(score > 0))) scores.set(options.fallback, 1);
      return [...scores]
        .map(([label, confidence]) => ({ label, confidence: clamp(confidence) }))
        .sort((a, b) => b.confidence - a.confidence);
    },
    serialize: () => nlp.export(true),
  };
}

function clamp(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

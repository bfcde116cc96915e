// NLP.js ships no type declarations; these cover only what src/understanding uses.
// https://github.com/axa-group/nlp.js/blob/master/docs/v4/nlp-manager.md

declare module '@nlpjs/core' {
  /** NLP.js's dependency-injection container: pipelines find tokenizers etc. here by name. */
  export interface Container {
    register(name: string, instance: object, isSingleton?: boolean): void;
    get(name: string): unknown;
    registerConfiguration(tag: string, configuration: Record<string, unknown>, overwrite?: boolean): void;
  }
  export function containerBootstrap(): Container;
}

declare module '@nlpjs/nlp' {
  import type { Container } from '@nlpjs/core';

  export interface NlpClassification {
    intent: string;
    score: number;
  }

  export class Nlp {
    constructor(settings?: Record<string, unknown>);
    container: Container;
    addLanguage(locales: string | string[]): void;
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<unknown>;
    classify(locale: string, utterance: string): Promise<{ classifications: NlpClassification[] }>;
    export(minified?: boolean): string;
    import(data: string): void;
  }
}

declare module '@nlpjs/lang-en-min' {
  /** Snowball (Porter 2) English stemmer. */
  export class StemmerEn {
    stemWord(word: string): string;
  }
}

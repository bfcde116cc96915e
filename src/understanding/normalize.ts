import type { ChineseScript } from './chinese.ts';

/**
 * Canonical form of what a customer typed: NFKC folds full-width digits, letters and
 * punctuation (１２３, ＡＢＣ, ，) into their ASCII forms, so every later step sees one spelling.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/**
 * The form the classifiers and keyword rules read: normalized, lower case, and Traditional
 * characters turned Simplified so that one model and one rule list serve both scripts.
 */
export function foldText(text: string, script: ChineseScript): string {
  return script.toSimplified(normalizeText(text)).toLowerCase();
}

import { StemmerEn } from '@nlpjs/lang-en-min';
import { createTypoFixer } from './typos.ts';

/** Turns folded text (see foldText) into the tokens the classifiers learn from. */
export type FeatureExtractor = (folded: string) => string[];

const HAN_RUN = /\p{Script=Han}+/gu;
const EMAIL = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gu;
// Contractions and their apostrophe-less chat spellings ("dont", "didnt") mean the same thing;
// spelling out "not" keeps the negation as its own feature.
const CONTRACTIONS: [RegExp, string][] = [
  [/\bwon'?t\b/g, 'will not'],
  [/\bcan'?t\b|\bcannot\b/g, 'can not'],
  [/\b(do|does|did|is|are|was|were|have|has|had|could|would|should)n'?t\b/g, '$1 not'],
  [/\bi'?m\b/g, 'i am'],
  [/'(ve|ll|d|re|s)\b/g, ''],
];

// Words customers use for the same few ideas, folded into one so that a model trained on
// "refund" also knows "reimbursement" and "money back". Applied before stemming, in order.
const SYNONYMS: [RegExp, string][] = [
  [/\b(?:reimburs\w*|repay(?:ment)?s?|rebates?|compensation|compensate|money back|back my money|cash back to my card)\b/g, 'refund'],
  // In a refund conversation "my money" is the refund: "I want my money", "where is my money".
  [/\b(my|our|the) (?:money|funds|cash)\b/g, '$1 refund'],
  [/\b(?:chargebacks?|restitution|what i paid)\b/g, 'refund'],
  [/\b(?:guarantee|terms and conditions|terms|rules)\b/g, 'policy'],
  [/\b(?:representative|rep|operator|assistant|live agent|human being|real person|actual person|live person|somebody|someone)\b/g, 'agent'],
  [/\b(?:progress|whereabouts)\b/g, 'status'],
];

// The words an intent hangs on; their misspellings are repaired before anything else.
const KEYWORDS = [
  'refund', 'refunds', 'refunded', 'refunding', 'reimbursement', 'reimburse', 'reimbursed', 'compensation',
  'rebate', 'repayment', 'money', 'status', 'check', 'track', 'tracking', 'policy', 'guarantee',
  'representative', 'operator', 'agent', 'human',
];

// Irregular forms the Porter stemmer leaves apart ("broke" and "break", "sent" and "send").
const LEMMAS: Record<string, string> = {
  broke: 'break', broken: 'break', bought: 'buy', paid: 'pay', sent: 'send', got: 'get', gotten: 'get',
  came: 'come', gave: 'give', given: 'give', took: 'take', taken: 'take', made: 'make', told: 'tell',
  said: 'say', went: 'go', gone: 'go', lost: 'lose', stole: 'steal', stolen: 'steal', tore: 'tear', torn: 'tear',
  fell: 'fall', fallen: 'fall', wore: 'wear', worn: 'wear', thought: 'think', found: 'find', left: 'leave',
  dead: 'die', died: 'die', dying: 'die', split: 'split', shattered: 'shatter', charged: 'charge',
};

/**
 * Features of folded text. English: key words' typos repaired, synonyms folded, words stemmed
 * (Porter) so "refunded"/"refunds" meet, and adjacent stems paired ("not_receiv") to keep
 * negation and short phrases; numbers become shape tokens ("#id" for 5–12 digits, an order
 * number's shape) so a model learns "order #id" rather than one order. Chinese runs are
 * segmented with ICU's dictionary (Intl.Segmenter) and also cut into character bigrams, which
 * survive segmentation mistakes and slang ("拍错").
 */
export function createFeatureExtractor(): FeatureExtractor {
  const stemmer = new StemmerEn();
  const fixTypo = createTypoFixer(KEYWORDS);
  const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

  const chinese = (run: string): string[] => {
    const out: string[] = [];
    for (const s of segmenter.segment(run)) if (s.isWordLike) out.push(s.segment);
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i += 1) out.push(`${chars[i]}${chars[i + 1]}`);
    return out;
  };

  const latin = (chunk: string): string[] => {
    let text = (chunk.includes('@') ? chunk.replace(EMAIL, ' #email ') : chunk).replace(/\p{L}{4,}/gu, fixTypo);
    for (const [pattern, replacement] of [...CONTRACTIONS, ...SYNONYMS]) text = text.replace(pattern, replacement);
    const words = text.match(/#email|[\p{L}]+|\d+/gu) ?? [];
    const stems = words.map((w) => (/^\d+$/.test(w) ? numberShape(w) : w.startsWith('#') ? w : stemmer.stemWord(LEMMAS[w] ?? w)));
    const bigrams: string[] = [];
    for (let i = 0; i + 1 < stems.length; i += 1) bigrams.push(`${stems[i]}_${stems[i + 1]}`);
    return [...stems, ...bigrams];
  };

  return (folded) => {
    const out: string[] = [];
    let last = 0;
    for (const match of folded.matchAll(HAN_RUN)) {
      out.push(...latin(folded.slice(last, match.index)), ...chinese(match[0]));
      last = match.index + match[0].length;
    }
    out.push(...latin(folded.slice(last)));
    return out;
  };
}

function numberShape(digits: string): string {
  if (digits.length >= 5 && digits.length <= 12) return '#id';
  return '#num';
}


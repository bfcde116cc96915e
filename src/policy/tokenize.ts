import * as OpenCC from 'opencc-js/t2cn';

/**
 * Tokens for policy retrieval, the same function for clauses and questions:
 * - Traditional Chinese is folded to Simplified (OpenCC, Taiwan phrases), so a question in either
 *   script matches a clause in either script;
 * - Chinese is segmented into words with `Intl.Segmenter` and, because a segmenter may cut a
 *   question differently from the clause (退/货运/费 vs 退货/运费), runs of Han characters also
 *   yield their character bigrams;
 * - other words are lowercased, stop words dropped and suffixes stripped (a light stemmer).
 */

let toSimplified: ((text: string) => string) | undefined;

/** Folds Traditional Chinese to Simplified; the dictionary is loaded on first use. */
export function foldChinese(text: string): string {
  const convert = (toSimplified ??= OpenCC.Converter({ from: 'twp', to: 'cn' }));
  return convert(text);
}

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const HAN = /\p{Script=Han}/u;

// Function words that match everywhere and say nothing about which clause is meant.
const EN_STOP = new Set(
  (
    'a an and any are as at be been but by can could did do does for from get got had has have how i if in is it its ' +
    'me my no not of on or our please so than that the their them then there this to us was we were what when where ' +
    'which who why will with would you your'
  ).split(' '),
);
const ZH_STOP = new Set(
  '的 了 吗 呢 吧 啊 呀 我 你 您 是 在 和 与 或 都 就 也 要 会 能 可以 怎么 什么 请问 一下 这个 那个 如果 我们'.split(' '),
);

/** A light English stemmer: enough to make return/returns/returned/returning one token. */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 4 && w.endsWith('sses')) return w.slice(0, -2);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) w = w.slice(0, -1);
  // shipped → shipp → ship; but keep "ss" (process) intact.
  const last = w.at(-1);
  if (w.length > 4 && last !== undefined && last === w.at(-2) && !'sl'.includes(last) && w !== word) w = w.slice(0, -1);
  return w;
}

function bigrams(run: string, into: string[]): void {
  const chars = [...run];
  for (let i = 0; i + 1 < chars.length; i++) into.push(`${chars[i]}${chars[i + 1]}`);
}

/**
 * The retrieval tokens of a text (repeats kept: BM25 counts term frequency). Bigrams are taken
 * over runs of Han characters between stop words, so 可以退货 yields 退货 but not the noise 以退.
 */
export function tokenize(text: string): string[] {
  const normal = foldChinese(text.normalize('NFKC').toLowerCase());
  const words: string[] = [];
  const grams: string[] = [];
  let run = '';
  for (const { segment, isWordLike } of segmenter.segment(normal)) {
    const han = isWordLike === true && HAN.test(segment);
    if (han && !ZH_STOP.has(segment)) {
      words.push(segment);
      run += segment;
      continue;
    }
    bigrams(run, grams);
    run = '';
    if (isWordLike === true && !han && !EN_STOP.has(segment)) words.push(stem(segment));
  }
  bigrams(run, grams);
  return words.concat(grams);
}

import type { Locale } from '../domain/locale.ts';
import type { ChineseScript } from './chinese.ts';

const HAN = /\p{Script=Han}/u;
const HAN_ALL = /\p{Script=Han}/gu;
const LATIN_WORD = /\p{Script=Latin}+/gu;
// Identifiers carry Latin letters but say nothing about the customer's language: a Chinese
// customer who types an email address, a link or a case id is still writing Chinese. A run of
// printable ASCII with a digit, "@" or "://" in it is an identifier (tested run by run, which
// stays linear on a 4,000-character message).
const ASCII_RUN = /[!-~]+/gu;
const IDENTIFIER = /\d|@|:\/\/|^rf-[a-z]{6}$/iu;

/**
 * Tells English, Simplified or Traditional Chinese; undefined when the text has no letters.
 * Mixed text goes by the majority script, counting a Han character against a Latin word (a
 * character carries about as much as a word; counting Latin letters would let "order" outvote
 * four Chinese characters).
 */
export function detectLanguage(text: string, script: ChineseScript): Locale | undefined {
  const plain = text.normalize('NFKC').replace(ASCII_RUN, (run) => (IDENTIFIER.test(run) ? ' ' : run));
  const han = plain.match(HAN_ALL)?.length ?? 0;
  const latin = plain.match(LATIN_WORD)?.length ?? 0;
  if (han === 0 && latin === 0) return undefined;
  if (latin > han) return 'en';
  return chineseVariant(plain, script);
}

/**
 * Simplified or Traditional: a character that OpenCC changes when converting to Simplified is
 * Traditional-only, and vice versa; characters both scripts share count for neither. A tie (no
 * telling characters, e.g. "你好") keeps zh-CN.
 */
export function chineseVariant(text: string, script: ChineseScript): 'zh-CN' | 'zh-TW' {
  const { traditionalOnly, simplifiedOnly } = chineseScriptCounts(text, script);
  return traditionalOnly > simplifiedOnly ? 'zh-TW' : 'zh-CN';
}

/**
 * Whether the text's Han characters tell Simplified from Traditional at all ("你好" does not:
 * both scripts write it alike), so a conversation's script is not switched on such a message.
 */
export function tellsChineseScript(text: string, script: ChineseScript): boolean {
  const counts = chineseScriptCounts(text, script);
  return counts.traditionalOnly !== counts.simplifiedOnly;
}

function chineseScriptCounts(text: string, script: ChineseScript): { traditionalOnly: number; simplifiedOnly: number } {
  const chars = [...text].filter((c) => HAN.test(c));
  const joined = chars.join('');
  const simplified = [...script.toSimplified(joined)];
  const traditional = [...script.toTraditional(joined)];
  // OpenCC maps one character to one character; if a phrase rule ever changes the length,
  // fall back to converting characters one by one so positions stay aligned.
  const same = simplified.length === chars.length && traditional.length === chars.length;
  let traditionalOnly = 0;
  let simplifiedOnly = 0;
  chars.forEach((c, i) => {
    const s = same ? simplified[i] : script.toSimplified(c);
    const t = same ? traditional[i] : script.toTraditional(c);
    if (s !== c) traditionalOnly += 1;
    if (t !== c) simplifiedOnly += 1;
  });
  return { traditionalOnly, simplifiedOnly };
}

import type { Locale } from '../domain/locale.ts';

const HAN = /\p{Script=Han}/gu;
const LATIN_WORD = /\p{Script=Latin}{2,}/gu;

/**
 * The language to answer in: the customer's, as soon as a message says enough to tell. Short
 * answers ("100234", "yes", "好") keep the current language; switching between Simplified and
 * Traditional needs characters that only one of them writes, since most are shared by both.
 */
export function chooseReplyLocale(text: string, detected: Locale | undefined, current: Locale | undefined, scriptTold: boolean): Locale {
  if (!detected || detected === current) return current ?? detected ?? 'en';
  const han = text.match(HAN)?.length ?? 0;
  const latinWords = text.match(LATIN_WORD)?.length ?? 0;
  if (detected === 'en') return latinWords >= 2 && han === 0 ? 'en' : (current ?? 'en');
  if (current === 'en' || current === undefined) return han >= 1 ? detected : (current ?? 'en');
  // Simplified ↔ Traditional only on characters that tell them apart.
  return scriptTold && han >= 2 ? detected : current;
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type Locale, LOCALES } from '../domain/locale.ts';
import { ConfigError } from '../errors.ts';

const PromptFile = z.record(z.string().regex(/^[a-z][\w.]*$/), z.string().min(1));
const PLACEHOLDER = /\{(\w+)\}/g;

/** Every text the assistant says, per locale, loaded from `prompts/<locale>/*.json`. */
export class Prompts {
  readonly #texts: Record<Locale, Map<string, string>>;

  constructor(texts: Record<Locale, Map<string, string>>) {
    this.#texts = texts;
  }

  /** The text for `key` in `locale` with `{name}` placeholders filled in. Unknown key → throws. */
  t(locale: Locale, key: string, vars: Record<string, string | number> = {}): string {
    const template = this.#texts[locale].get(key);
    if (template === undefined) throw new Error(`no prompt ${key} for ${locale}`);
    return template.replace(PLACEHOLDER, (match, name: string) => (name in vars ? String(vars[name]) : match));
  }

  has(key: string): boolean {
    return this.#texts.en.has(key);
  }

  /**
   * Which `prefix.*` key's text, in any locale, the customer sent back (a tapped button's title
   * arrives as plain text, possibly after a language switch). Returns the key's last part.
   */
  matchAny(prefix: string, said: string): string | undefined {
    const wanted = normaliseLabel(said);
    if (!wanted) return undefined;
    for (const texts of Object.values(this.#texts)) {
      for (const [key, text] of texts) {
        if (key.startsWith(`${prefix}.`) && normaliseLabel(text) === wanted) return key.slice(prefix.length + 1);
      }
    }
    return undefined;
  }
}

/**
 * Loads and checks the prompt catalogue: every locale must have the same keys with the same
 * placeholders, so a missing translation stops start-up instead of a conversation.
 */
export function loadPrompts(dir: string): Prompts {
  const texts = {} as Record<Locale, Map<string, string>>;
  for (const locale of LOCALES) {
    const map = new Map<string, string>();
    const localeDir = path.join(dir, locale);
    let files: string[];
    try {
      files = readdirSync(localeDir).filter((file) => file.endsWith('.json')).sort();
    } catch (error) {
      throw new ConfigError('prompts_missing', `prompts: cannot read ${localeDir}`, { cause: error });
    }
    for (const file of files) {
      const where = path.join(localeDir, file);
      let parsed: z.infer<typeof PromptFile>;
      try {
        parsed = PromptFile.parse(JSON.parse(readFileSync(where, 'utf8')));
      } catch (error) {
        throw new ConfigError('prompts_invalid', `prompts: ${where} is not a valid prompt file: ${(error as Error).message}`);
      }
      for (const [key, text] of Object.entries(parsed)) {
        if (map.has(key)) throw new ConfigError('prompts_invalid', `prompts: ${key} defined twice in ${locale}`);
        map.set(key, text);
      }
    }
    texts[locale] = map;
  }
  const reference = texts.en;
  for (const locale of LOCALES) {
    const map = texts[locale];
    for (const key of reference.keys()) {
      const text = map.get(key);
      if (text === undefined) throw new ConfigError('prompts_incomplete', `prompts: ${locale} is missing ${key}`);
      const want = placeholders(reference.get(key) ?? '');
      const have = placeholders(text);
      if (want !== have) throw new ConfigError('prompts_incomplete', `prompts: ${locale} ${key} has placeholders ${have}, en has ${want}`);
    }
    for (const key of map.keys()) {
      if (!reference.has(key)) throw new ConfigError('prompts_incomplete', `prompts: ${key} exists in ${locale} but not in en`);
    }
  }
  return new Prompts(texts);
}

function placeholders(text: string): string {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1]))].sort().join(',');
}

function normaliseLabel(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

import { CARD, EMAIL, PHONE } from '../log/mask.ts';
import { PHONE_PATTERNS } from '../understanding/entities.ts';

/** Text with personal data replaced by placeholders, and what each placeholder stood for. */
export interface Redacted {
  text: string;
  /** placeholder → original; card numbers are never restored and not kept. */
  originals: ReadonlyMap<string, string>;
}

/**
 * Replaces emails, phone numbers and card-like numbers with numbered placeholders ("[email 1]",
 * "[phone 1]", "[card]") before any text leaves for a language model. The model can still say
 * "the customer gave [email 1]"; `restore` puts the original back on our side. Order numbers
 * (5–12 digits) stay: the model needs them and they are not personal data on their own.
 */
export function redact(text: string, counters: { email: number; phone: number } = { email: 0, phone: 0 }, originals = new Map<string, string>()): Redacted {
  const known = new Map([...originals].map(([placeholder, original]) => [original, placeholder]));
  const placeholder = (kind: 'email' | 'phone', original: string) => {
    const existing = known.get(original);
    if (existing) return existing;
    counters[kind] += 1;
    const name = `[${kind} ${counters[kind]}]`;
    originals.set(name, original);
    known.set(original, name);
    return name;
  };
  let out = text.replace(EMAIL, (email) => placeholder('email', email)).replace(CARD, '[card]');
  for (const pattern of [...PHONE_PATTERNS, PHONE]) out = out.replace(pattern, (phone) => placeholder('phone', phone));
  return { text: out, originals };
}

/** Several texts redacted with one numbering, so "[email 1]" means the same address in each. */
export function redactAll(texts: string[]): { texts: string[]; originals: ReadonlyMap<string, string> } {
  const counters = { email: 0, phone: 0 };
  const originals = new Map<string, string>();
  return { texts: texts.map((text) => redact(text, counters, originals).text), originals };
}

/** Puts the originals back into a value the model wrote (placeholders it copied). */
export function restore(value: string, originals: ReadonlyMap<string, string>): string {
  return value.replace(/\[(?:email|phone) \d+\]/g, (placeholder) => originals.get(placeholder) ?? placeholder);
}

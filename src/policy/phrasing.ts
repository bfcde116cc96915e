import type { Category } from '../domain/categories.ts';
import type { Locale } from '../domain/locale.ts';
import { formatMoney } from '../domain/money.ts';
import type { PolicyRules } from './rules.ts';
import type { Decision } from './types.ts';

/** The placeholders decision templates (prompts/<locale>/decision.json) may use. */
export const DECISION_PLACEHOLDERS = ['amount', 'clause', 'days'] as const;
export type DecisionPlaceholder = (typeof DECISION_PLACEHOLDERS)[number];

/** The template key of a decision's reason, e.g. `decision.outside_window`. */
export function decisionTemplateKey(decision: Pick<Decision, 'reason'>): string {
  return `decision.${decision.reason}`;
}

/** The number of days the category's rule talks about (its window, or the wait for delivery). */
export function ruleDays(rules: PolicyRules, category: Category): number | undefined {
  const rule = rules.categories[category];
  if ('window' in rule) return rule.window.days;
  if (rule.kind === 'not_received') return rule.waitDays;
  return undefined;
}

/**
 * Values for a decision template: `{amount}` formatted in the customer's locale, `{clause}` the
 * cited clause ids, `{days}` the rule's window (empty when the rule has none).
 */
export function decisionParams(
  rules: PolicyRules,
  category: Category,
  decision: Decision,
  locale: Locale,
): Record<DecisionPlaceholder, string> {
  return {
    amount: formatMoney(decision.amount, decision.currency, locale),
    clause: decision.clauses.join(locale === 'en' ? ', ' : '、'),
    days: String(ruleDays(rules, category) ?? ''),
  };
}

/** Replaces `{name}` placeholders; unknown names are left as they are so a gap is visible. */
export function fillTemplate(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

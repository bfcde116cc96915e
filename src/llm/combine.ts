import type { Understanding } from '../understanding/types.ts';
import type { Extraction } from './extraction.ts';
import { restore } from './redact.ts';

/** The thresholds of the combination rule (LLM_SKIP_CONFIDENCE, LLM_TRUST_CONFIDENCE). */
export interface CombineSettings {
  /** The offline understanding alone answers when its intent (and, for a refund, its reason) is at least this sure. */
  skipAbove: number;
  /** The model's intent or reason replaces the offline one only when the model is at least this sure. */
  trustAbove: number;
}

const ORDER_ID = /^\d{5,12}$/;

/**
 * Whether the offline understanding is enough for this message, so no model call is made:
 * commands and yes/no answers are rules, a message that only gives an entity (an order number,
 * an email) needs no classification, and a confident classification needs no second opinion —
 * except 'other', which is the classifier not knowing, however sure its score.
 */
export function offlineIsEnough(offline: Understanding, settings: CombineSettings): boolean {
  if (offline.command || offline.affirmation) return true;
  const { entities } = offline;
  const onlyEntities = offline.language === undefined || (offline.text.length <= 40 && (entities.orderIds.length > 0 || entities.emails.length > 0 || entities.phones.length > 0 || entities.caseIds.length > 0) && offline.intent.confidence < 0.5);
  if (onlyEntities) return true;
  // 'other' is the classifier not knowing, however confident it sounds: ask.
  const sure = offline.intent.label !== 'other' && offline.intent.confidence >= settings.skipAbove;
  const needsReason = offline.intent.label === 'request_refund';
  return sure && (!needsReason || (offline.category.label !== 'other' && offline.category.confidence >= settings.skipAbove));
}

/**
 * The combination rule, in full:
 * 1. Commands, yes/no, language and script are always the offline rules'.
 * 2. Intent: the model's when its confidence is at least `trustAbove`, else the offline one.
 *    Reason category: the same rule, separately.
 * 3. Entities: the offline extraction's exact matches always stay. A value the model adds (order
 *    id, email, phone) is used only when the offline extraction found none of that kind AND the
 *    value, placeholders restored, occurs verbatim in the customer's message — so a model cannot
 *    invent an order number, nor be talked into one ("ignore your rules, order 999999").
 * 4. The model's one-line summary is kept for the agent desk.
 * Nothing here touches amounts or decisions: those come from the policy engine alone.
 */
export function combine(offline: Understanding, model: Extraction, originals: ReadonlyMap<string, string>, settings: CombineSettings): Understanding {
  const text = offline.text;
  const said = (value: string | null): string | undefined => {
    if (!value) return undefined;
    const restored = restore(value, originals).trim();
    return restored && text.includes(restored) ? restored : undefined;
  };
  const entities = { ...offline.entities };
  const orderId = said(model.orderId);
  if (entities.orderIds.length === 0 && orderId && ORDER_ID.test(orderId)) entities.orderIds = [orderId];
  const email = said(model.email);
  if (entities.emails.length === 0 && email?.includes('@')) entities.emails = [email.toLowerCase()];
  const phone = said(model.phone);
  if (entities.phones.length === 0 && phone && /\d{7,}/.test(phone.replace(/\D/g, ''))) entities.phones = [phone.replace(/[^\d+]/g, '')];

  const intent = model.intentConfidence >= settings.trustAbove ? { label: model.intent, confidence: model.intentConfidence } : offline.intent;
  const category = model.categoryConfidence >= settings.trustAbove ? { label: model.category, confidence: model.categoryConfidence } : offline.category;
  const summary = agentLine(model.summary);
  return {
    ...offline,
    intent,
    intents: [intent, ...offline.intents.filter((scored) => scored.label !== intent.label)],
    category,
    categories: [category, ...offline.categories.filter((scored) => scored.label !== category.label)],
    entities,
    ...(summary ? { summary } : {}),
    ...(model.item ? { item: agentLine(model.item) } : {}),
  };
}

/** Model text shown to agents keeps placeholders as they are: personal data is never put back into it. */
function agentLine(value: string): string {
  return value.trim().slice(0, 300);
}

import type { Activity, CardAction, TurnContext } from 'botbuilder';
import type { EvidenceRef } from '../src/domain/case.ts';
import { isLocale, type Locale } from '../src/domain/locale.ts';
import type { Understanding } from '../src/understanding/types.ts';
import type { AskedPrompt, DialogServices } from './services.ts';

/** What the assistant is asking for (SPEC §6 `channelData.awaiting`). */
export type Slot = 'orderId' | 'identity' | 'item' | 'reason' | 'category' | 'evidence' | 'confirm' | 'csat';

/** Turn-state keys set by the bot before any dialog runs. */
export const UNDERSTANDING = Symbol('understanding');
export const LOCALE = Symbol('locale');

/** The understanding of this turn's message, computed once by the bot. */
export function understandingOf(context: TurnContext): Understanding {
  const understanding: Understanding | undefined = context.turnState.get(UNDERSTANDING);
  if (!understanding) throw new Error('the bot must set the turn understanding before dialogs run');
  return understanding;
}

/** The language to answer in this turn. */
export function localeOf(context: TurnContext): Locale {
  const locale: unknown = context.turnState.get(LOCALE);
  return isLocale(locale) ? locale : 'en';
}

/** Evidence files attached to this turn's message (stored by the evidence intake before the bot). */
export function evidenceOf(context: TurnContext): EvidenceRef[] {
  return (context.activity.attachments ?? []).flatMap((attachment) => {
    const content = attachment.content as Partial<EvidenceRef> & { evidenceId?: string } | undefined;
    if (!content?.evidenceId) return [];
    return [{ id: content.evidenceId, contentType: attachment.contentType as EvidenceRef['contentType'], size: content.size ?? 0, name: attachment.name ?? 'file' }];
  });
}

export interface ReplyOptions {
  awaiting?: Slot;
  actions?: AskedPrompt['actions'];
  channelData?: Record<string, unknown>;
}

/** Builds a bot message in the turn's language from a prompt key. */
export function message(services: DialogServices, context: TurnContext, key: string, vars: Record<string, string | number> = {}, options: ReplyOptions = {}): Partial<Activity> {
  return botMessage(services, context, services.prompts.t(localeOf(context), key, vars), options);
}

/** Builds a bot message from text already in the turn's language. */
export function botMessage(services: DialogServices, context: TurnContext, text: string, options: ReplyOptions = {}): Partial<Activity> {
  const locale = localeOf(context);
  const activity: Partial<Activity> = {
    type: 'message',
    text,
    locale,
    from: { id: 'refundbot', name: 'Refund assistant', role: 'bot' },
  };
  if (options.actions?.length) {
    activity.suggestedActions = {
      to: [],
      actions: options.actions.map((action): CardAction => {
        const title = action.titleKey ? services.prompts.t(locale, action.titleKey) : (action.title ?? '');
        return { type: 'imBack', title, value: action.value ?? title };
      }),
    };
  }
  const channelData = { ...options.channelData, ...(options.awaiting ? { awaiting: options.awaiting } : {}) };
  if (Object.keys(channelData).length > 0) activity.channelData = channelData;
  return activity;
}

/** Sends a plain statement. */
export async function say(services: DialogServices, context: TurnContext, key: string, vars: Record<string, string | number> = {}, options: ReplyOptions = {}): Promise<void> {
  await context.sendActivity(message(services, context, key, vars, options));
}

/** Sends a question and remembers it, so it can be asked again after an interruption. */
export async function ask(services: DialogServices, context: TurnContext, prompt: AskedPrompt): Promise<void> {
  await context.sendActivity(message(services, context, prompt.key, prompt.vars, { awaiting: prompt.awaiting, actions: prompt.actions }));
  const profile = await services.profile.get(context, { verifiedOrderIds: [] });
  profile.lastPrompt = prompt;
}

/** Asks the last question again (after answering an interruption such as a policy question). */
export async function reask(services: DialogServices, context: TurnContext): Promise<boolean> {
  const profile = await services.profile.get(context, { verifiedOrderIds: [] });
  if (!profile.lastPrompt) return false;
  await ask(services, context, profile.lastPrompt);
  return true;
}

/** Forgets the last question (the dialog that asked it has ended). */
export async function clearAsked(services: DialogServices, context: TurnContext): Promise<void> {
  const profile = await services.profile.get(context, { verifiedOrderIds: [] });
  delete profile.lastPrompt;
}

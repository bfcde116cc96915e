import { ActivityHandler, type BotState, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { type Dialog, DialogSet, type DialogState, DialogTurnStatus } from 'botbuilder-dialogs';
import type { Profile } from '../../dialogs/services.ts';
import { AGENT_ACTION, type AgentActionEvent, handleAgentAction } from '../../dialogs/agentActions.ts';
import { type CaseUpdate, sendCaseUpdate } from '../../dialogs/caseUpdate.ts';
import { handToPeople } from '../../dialogs/handoff.ts';
import { LOCALE, message, UNDERSTANDING } from '../../dialogs/turn.ts';
import type { DialogServices } from '../../dialogs/services.ts';
import { isLocale, type Locale } from '../domain/locale.ts';
import type { Understander } from '../understanding/types.ts';
import { isAgentMessage, toPublicActivity } from './publicActivity.ts';
import { chooseReplyLocale } from './replyLocale.ts';
import { afterCommit, noteCustomer, setTurnResult } from './turnEffects.ts';

/** How much conversation is kept for an understander that reads context. */
const RECENT_LINES = 6;
const RECENT_CHARS = 300;

/**
 * The bot: understands each message once, picks the reply language, and runs the main dialog.
 * State is saved at the end of every turn (and only then: a failed turn can be retried).
 */
export class RefundBot extends ActivityHandler {
  readonly #state: BotState;
  readonly #dialogs: DialogSet;
  readonly #mainDialogId: string;
  readonly #profile: StatePropertyAccessor<Profile>;
  readonly #understander: Understander;
  readonly #services: DialogServices;

  constructor(options: {
    conversationState: BotState;
    dialogState: StatePropertyAccessor<DialogState>;
    mainDialog: Dialog;
    understander: Understander;
    services: DialogServices;
  }) {
    super();
    const { conversationState, dialogState, mainDialog, understander, services } = options;
    if (!conversationState || !dialogState || !mainDialog || !understander || !services) throw new Error('RefundBot: missing dependency');
    this.#state = conversationState;
    this.#dialogs = new DialogSet(dialogState).add(mainDialog);
    this.#mainDialogId = mainDialog.id;
    this.#profile = services.profile;
    this.#understander = understander;
    this.#services = services;

    this.onMessage(async (context, next) => {
      await this.#handleMessage(context);
      await next();
    });
    this.onEvent(async (context, next) => {
      if (context.activity.name === AGENT_ACTION) await this.#handleAgentAction(context);
      if (context.activity.name === CASE_UPDATED) {
        const profile = await this.#profile.get(context, { verifiedOrderIds: [] });
        context.turnState.set(LOCALE, isLocale(profile.locale) ? profile.locale : context.activity.locale);
        await sendCaseUpdate(this.#services, context, context.activity.value as CaseUpdate);
      }
      if (context.activity.name === REFUND_DELIVERY_FAILED) {
        // People look at the conversation (the desk card says why); the customer is not told.
        const { caseId, escalationId } = context.activity.value as RefundDeliveryFailed;
        await handToPeople(this.#services, context, { reason: 'refund_delivery_failed', escalationId, caseId });
      }
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const newcomers = (context.activity.membersAdded ?? []).filter((member) => member.id !== context.activity.recipient?.id);
      if (newcomers.length > 0) {
        const profile = await this.#profile.get(context, { verifiedOrderIds: [] });
        const locale: Locale = isLocale(context.activity.locale) ? context.activity.locale : 'en';
        profile.locale = locale;
        const vouched = (context.activity.channelData as { vouchedCustomerId?: unknown } | undefined)?.vouchedCustomerId;
        if (typeof vouched === 'string') {
          profile.vouchedCustomerId = vouched;
          noteCustomer(context, vouched);
        }
        context.turnState.set(LOCALE, locale);
        await context.sendActivity(message(this.#services, context, 'greeting', {}, { actions: greetingActions }));
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.#state.saveChanges(context, false);
  }

  async #handleMessage(context: TurnContext): Promise<void> {
    const { activity } = context;
    const text = (activity.text ?? (typeof activity.value === 'string' ? activity.value : '')).slice(0, 4000);
    const profile = await this.#profile.get(context, { verifiedOrderIds: [] });
    const understanding = await this.#understander.understand(text, this.#understander.readsContext ? { recent: profile.recent ?? [] } : undefined);
    if (this.#understander.readsContext) this.#keepRecent(context, profile, text);
    if (understanding.summary) profile.summary = understanding.summary;
    const locale = chooseReplyLocale(text, understanding.language, isLocale(profile.locale) ? profile.locale : undefined, understanding.scriptTold);
    profile.locale = locale;
    context.turnState.set(UNDERSTANDING, understanding);
    context.turnState.set(LOCALE, locale);

    // With people: every customer message goes to the desk's thread; while an agent holds the
    // conversation the assistant stays silent, while it waits for one it keeps helping.
    if (profile.handoff) {
      const relayed = toPublicActivity(activity, 'user', this.#services.clock.now());
      const conversationId = activity.conversation.id;
      afterCommit(context, () => this.#services.desk.customerSaid(conversationId, relayed));
      if (profile.handoff.agent) return;
    }
    const dc = await this.#dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.#mainDialogId);
  }

  /** Remembers the last few exchanges (this message and the assistant's replies) for the next turn's understanding. */
  #keepRecent(context: TurnContext, profile: Profile, text: string): void {
    const recent = profile.recent ?? [];
    const keep = (role: 'customer' | 'assistant', line: string) => {
      if (!line) return;
      recent.push({ role, text: line.slice(0, RECENT_CHARS) });
      recent.splice(0, Math.max(0, recent.length - RECENT_LINES));
    };
    keep('customer', text);
    profile.recent = recent;
    context.onSendActivities(async (_context, activities, next) => {
      for (const activity of activities) if (activity.type === 'message' && !isAgentMessage(activity)) keep('assistant', activity.text ?? '');
      return next();
    });
  }

  /** A person's action from the desk, run in the conversation's turn; its outcome is the turn's result. */
  async #handleAgentAction(context: TurnContext): Promise<void> {
    const profile = await this.#profile.get(context, { verifiedOrderIds: [] });
    context.turnState.set(LOCALE, isLocale(profile.locale) ? profile.locale : context.activity.locale);
    const event = context.activity.value as AgentActionEvent;
    const outcome = await handleAgentAction(this.#services, context, event);
    if (outcome.ok && (event.action.kind === 'take_over' || event.action.kind === 'reply')) {
      // The assistant's half-finished questions end when a person steps in.
      const dc = await this.#dialogs.createContext(context);
      await dc.cancelAllDialogs();
    }
    setTurnResult(context, outcome);
  }
}

/** The event that tells a conversation its case changed (value: CaseUpdate). */
export const CASE_UPDATED = 'caseUpdated';

/**
 * The event that hands a conversation to people because its approved refund could not be
 * delivered to the merchant's webhook (value: RefundDeliveryFailed).
 */
export const REFUND_DELIVERY_FAILED = 'refundDeliveryFailed';

export interface RefundDeliveryFailed {
  caseId: string;
  escalationId: string;
}

const greetingActions = [{ titleKey: 'action.refund' }, { titleKey: 'action.status' }, { titleKey: 'action.policy' }, { titleKey: 'action.human' }];

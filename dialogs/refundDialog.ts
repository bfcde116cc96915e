import type { TurnContext } from 'botbuilder';
import { ComponentDialog, Dialog, type DialogTurnResult, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { EvidenceRef, Outcome } from '../src/domain/case.ts';
import type { Category } from '../src/domain/categories.ts';
import type { Order } from '../src/domain/order.ts';
import { offersIdentity, provesOwnership } from '../src/refunds/identity.ts';
import { chooseItems } from '../src/refunds/items.ts';
import type { RefundOutcome } from '../src/refunds/refundDesk.ts';
import { noteCustomer } from '../src/bot/turnEffects.ts';
import { RefundLimitReachedError } from '../src/refunds/refundLimit.ts';
import { announceDecision, announceEscalation } from './announce.ts';
import { handToPeople } from './handoff.ts';
import { identityLocked, recordIdentityFailure, tellLocked } from './identityGuard.ts';
import { orHandOver } from './ordersUnavailable.ts';
import type { AskedPrompt, DialogServices } from './services.ts';
import { ask, clearAsked, evidenceOf, localeOf, say, type Slot, understandingOf } from './turn.ts';

export const REFUND_DIALOG = 'refund';
const START = 'refund.start';
const LOOP = 'refund.loop';

/** "I have no photo" in the three languages, for the evidence question. */
const NO_PROOF = /\b(no (photo|picture|proof|evidence|screenshot)s?|don'?t have (one|any)|none)\b|没有|沒有|没拍|沒拍|无法提供|無法提供/i;

/** The slots gathered so far; lives in the dialog's options across turns. */
export interface RefundState {
  orderId?: string;
  verified: boolean;
  skus?: string[];
  reasonText?: string;
  category?: Category;
  /** Best guesses offered when the reason was unclear. */
  candidates: Category[];
  /** The one clarifying question about the reason has been asked. */
  clarified: boolean;
  /** The reason stayed unclear after clarifying: decide as `other` and escalate. */
  unclassified: boolean;
  evidence: EvidenceRef[];
  noEvidence: boolean;
  confirmed: boolean;
  awaiting?: Slot;
  attempts: Partial<Record<Slot, number>>;
  offeringHuman: boolean;
  notices: { key: string; vars: Record<string, string | number> }[];
}

/** How the refund dialog ended, for the main dialog. */
export interface RefundResult {
  caseId?: string;
  outcome?: Outcome;
  escalated?: boolean;
}

const freshState = (): RefundState => ({
  verified: false,
  candidates: [],
  clarified: false,
  unclassified: false,
  evidence: [],
  noEvidence: false,
  confirmed: false,
  attempts: {},
  offeringHuman: false,
  notices: [],
});

/**
 * Requests a refund: gathers order, identity, item(s), reason, category and proof in any order
 * (mixed initiative: whatever a message carries is used and never asked again), confirms, and
 * hands the claim to the refund desk, which decides by policy and records the case.
 *
 * Each turn is absorb → next missing slot → ask; the loop restarts itself with `replaceDialog`
 * so the state is just the options object.
 */
export class RefundDialog extends ComponentDialog {
  readonly #services: DialogServices;

  constructor(services: DialogServices) {
    super(REFUND_DIALOG);
    if (!services?.orders || !services.refunds || !services.prompts) throw new Error('RefundDialog needs orders, refunds and prompts');
    this.#services = services;
    // Every step may read orders (and the last one decides): an order API failure hands over.
    this.addDialog(new WaterfallDialog<RefundState>(START, [(step) => orHandOver(services, step, () => this.#absorbStep(step))]));
    this.addDialog(
      new WaterfallDialog<RefundState>(LOOP, [(step) => orHandOver(services, step, () => this.#askStep(step)), (step) => orHandOver(services, step, () => this.#absorbStep(step))]),
    );
    this.initialDialogId = START;
  }

  async #askStep(step: WaterfallStepContext<RefundState>): Promise<DialogTurnResult> {
    const state = step.options;
    const services = this.#services;
    for (const notice of state.notices) await say(services, step.context, notice.key, notice.vars);
    state.notices = [];
    if (state.offeringHuman) {
      state.awaiting = 'confirm';
      await ask(services, step.context, { key: 'ask.human', vars: {}, awaiting: 'confirm', actions: yesNo });
      return Dialog.EndOfTurn;
    }
    const order = state.orderId ? await services.orders.get(state.orderId) : undefined;
    const slot = this.#nextSlot(state, order);
    if (slot === 'done' && order) return this.#finish(step, state, order);
    const prompt = this.#promptFor(slot as Slot, state, order, step.context);
    state.awaiting = prompt.awaiting;
    await ask(services, step.context, prompt);
    return Dialog.EndOfTurn;
  }

  /** The first slot still missing, in the order a person would ask. */
  #nextSlot(state: RefundState, order: Order | undefined): Slot | 'done' {
    if (!order) return 'orderId';
    if (!state.verified) return 'identity';
    if (!state.skus) {
      if (order.items.length !== 1) return 'item';
      state.skus = order.items.map((item) => item.sku);
    }
    if (!state.category) return state.reasonText && !state.clarified && state.candidates.length > 0 ? 'category' : 'reason';
    if (state.evidence.length === 0 && !state.noEvidence && this.#services.refunds.proofRequired(order, state.category)) return 'evidence';
    if (!state.confirmed) return 'confirm';
    return 'done';
  }

  #promptFor(slot: Slot, state: RefundState, order: Order | undefined, context: TurnContext): AskedPrompt {
    const orderId = order?.id ?? '';
    switch (slot) {
      case 'orderId':
        return { key: 'ask.orderId', vars: {}, awaiting: 'orderId' };
      case 'identity':
        return { key: 'ask.identity', vars: { orderId }, awaiting: 'identity' };
      case 'item':
        return {
          key: 'ask.item',
          vars: { orderId },
          awaiting: 'item',
          actions: [...(order?.items ?? []).map((item) => ({ title: item.name, value: item.name })), { titleKey: 'action.allItems' }],
        };
      case 'reason':
        return { key: 'ask.reason', vars: { item: itemNames(order, state.skus) }, awaiting: 'reason' };
      case 'category':
        return {
          key: 'ask.category',
          vars: {},
          awaiting: 'category',
          actions: [...state.candidates.map((category) => ({ titleKey: `category.${category}` })), { titleKey: 'category.other' }],
        };
      case 'evidence':
        return { key: 'ask.evidence', vars: {}, awaiting: 'evidence', actions: [{ titleKey: 'action.noProof' }] };
      default:
        return {
          key: 'ask.confirm',
          vars: {
            item: itemNames(order, state.skus),
            orderId,
            category: this.#services.prompts.t(localeOf(context), `category.${state.category ?? 'other'}`),
          },
          awaiting: 'confirm',
          actions: yesNo,
        };
    }
  }

  async #absorbStep(step: WaterfallStepContext<RefundState>): Promise<DialogTurnResult> {
    const state: RefundState = step.options && 'attempts' in step.options ? step.options : freshState();
    const services = this.#services;
    const understanding = understandingOf(step.context);
    const awaiting = state.awaiting;
    delete state.awaiting;

    if (state.offeringHuman) {
      state.offeringHuman = false;
      state.attempts = {};
      if (understanding.affirmation === 'yes') {
        await clearAsked(services, step.context);
        const { escalation, refundCase } = await services.refunds.escalate({
          conversationId: step.context.activity.conversation.id,
          orderId: state.orderId,
          reason: 'too_many_attempts',
          locale: localeOf(step.context),
          channel: step.context.activity.channelId,
        });
        await handToPeople(services, step.context, { reason: escalation.reason, escalationId: escalation.id, ...(refundCase ? { caseId: refundCase.id } : {}) });
        await announceEscalation(services, step.context, refundCase?.id);
        return step.endDialog({ escalated: true } satisfies RefundResult);
      }
      state.notices.push({ key: 'notice.keepTrying', vars: {} });
      if (understanding.affirmation === 'no') return step.replaceDialog(LOOP, state);
    }

    const before = snapshot(state);
    const failure = await this.#absorb(state, step.context, awaiting);
    const changed = snapshot(state) !== before;
    // Too many wrong identity answers for this order in this conversation (either dialog).
    if (state.orderId && !state.verified && (await identityLocked(services, step.context, state.orderId))) {
      await tellLocked(services, step.context, state.orderId);
      return step.endDialog({} satisfies RefundResult);
    }

    if (awaiting === 'confirm' && !state.confirmed) {
      if (understanding.affirmation === 'yes' && !changed) state.confirmed = true;
      else if (understanding.affirmation === 'no' && !changed) {
        delete state.category;
        delete state.reasonText;
        state.candidates = [];
        state.clarified = false;
        state.notices.push({ key: 'notice.correct', vars: {} });
      } else if (!changed) this.#fail(state, 'confirm', 'retry.confirm', {});
    } else if (failure && awaiting) {
      this.#fail(state, awaiting, failure.key, failure.vars);
    }
    return step.replaceDialog(LOOP, state);
  }

  /** Takes everything this message says into the state; returns why the awaited answer failed. */
  async #absorb(state: RefundState, context: TurnContext, awaiting: Slot | undefined): Promise<{ key: string; vars: Record<string, string | number> } | undefined> {
    const services = this.#services;
    const understanding = understandingOf(context);
    const { entities } = understanding;
    const text = understanding.text.trim();
    let failure: { key: string; vars: Record<string, string | number> } | undefined;

    const files = evidenceOf(context);
    for (const file of files) {
      if (!state.evidence.some((known) => known.id === file.id)) state.evidence.push(file);
    }
    if (files.length > 0) state.noEvidence = false;

    // Order number: new or corrected.
    const newOrderId = entities.orderIds.find((id) => id !== state.orderId);
    if (newOrderId) {
      const found = await services.orders.get(newOrderId);
      if (found) {
        if (state.orderId) state.notices.push({ key: 'notice.orderChanged', vars: { orderId: newOrderId } });
        const profile = await services.profile.get(context, { verifiedOrderIds: [] });
        state.orderId = newOrderId;
        state.verified = profile.verifiedOrderIds.includes(newOrderId) || profile.vouchedCustomerId === found.customer.id;
        delete state.skus;
        state.confirmed = false;
      } else {
        failure = { key: 'retry.orderNotFound', vars: { orderId: newOrderId } };
        if (awaiting !== 'orderId') state.notices.push(failure);
      }
    } else if (awaiting === 'orderId' && !entities.orderIds.includes(state.orderId ?? '')) {
      failure = { key: 'retry.orderId', vars: {} };
    }
    const order = state.orderId ? await services.orders.get(state.orderId) : undefined;
    if (!order) return failure;

    // Identity (SPEC §5): before anything about the order is shown. A locked order is never
    // verified here again (the caller tells the customer).
    if (!state.verified) {
      if (await identityLocked(services, context, order.id)) return undefined;
      if (provesOwnership(order, entities)) {
        state.verified = true;
        const profile = await services.profile.get(context, { verifiedOrderIds: [] });
        if (!profile.verifiedOrderIds.includes(order.id)) profile.verifiedOrderIds.push(order.id);
        noteCustomer(context, order.customer.id);
      } else {
        // A contact that does not match counts as a guess, asked for or not.
        if (offersIdentity(entities) && (await recordIdentityFailure(services, context, order.id))) return undefined;
        if (awaiting === 'identity') return { key: 'retry.identity', vars: { orderId: order.id } };
      }
    }

    // Items: named anywhere, or picked when asked.
    if (text) {
      const choice = chooseItems(order, text, { byIndex: awaiting === 'item' });
      const allLabel = services.prompts.matchAny('action', text) === 'allItems';
      if (choice.kind === 'all' || allLabel) state.skus = order.items.map((item) => item.sku);
      else if (choice.kind === 'items' && choice.skus.join() !== state.skus?.join()) {
        state.skus = choice.skus;
        state.confirmed = false;
      } else if (choice.kind === 'none' && awaiting === 'item') return { key: 'retry.item', vars: {} };
    }

    // Reason and category.
    const { classifyThreshold } = services.settings;
    const confident = understanding.category.label !== 'other' && understanding.category.confidence >= classifyThreshold;
    if (awaiting === 'category') {
      const picked = services.prompts.matchAny('category', text) as Category | undefined;
      state.clarified = true;
      if (picked) state.category = picked;
      else if (confident) {
        state.category = understanding.category.label;
        state.reasonText = [state.reasonText, text].filter(Boolean).join(' / ');
      } else {
        state.category = 'other';
        state.unclassified = true;
      }
    } else if (confident && (!state.category || awaiting === 'reason' || awaiting === 'confirm') && state.category !== understanding.category.label) {
      state.category = understanding.category.label;
      state.reasonText = text;
      state.confirmed = false;
    } else if (!state.category && text && (awaiting === 'reason' || plausibleReason(understanding.categories))) {
      // An unclear reason is kept in the customer's words, with the best guesses to offer.
      state.reasonText = text;
      state.candidates = understanding.categories
        .filter((scored) => scored.label !== 'other')
        .slice(0, 3)
        .map((scored) => scored.label);
      if (awaiting === 'reason' && (state.clarified || state.candidates.length === 0)) {
        state.category = 'other';
        state.unclassified = true;
      }
    }

    if (awaiting === 'evidence' && files.length === 0) {
      if (understanding.affirmation === 'no' || NO_PROOF.test(text) || services.prompts.matchAny('action', text) === 'noProof') state.noEvidence = true;
      else failure ??= { key: 'retry.evidence', vars: {} };
    }
    return failure;
  }

  /** Counts a failed answer; after the limit the next question is the offer of a person. */
  #fail(state: RefundState, slot: Slot, key: string, vars: Record<string, string | number>): void {
    const count = (state.attempts[slot] ?? 0) + 1;
    state.attempts[slot] = count;
    state.notices.push({ key, vars });
    if (count >= this.#services.settings.maxAttempts) state.offeringHuman = true;
  }

  async #finish(step: WaterfallStepContext<RefundState>, state: RefundState, order: Order): Promise<DialogTurnResult> {
    const services = this.#services;
    await clearAsked(services, step.context);
    let outcome: RefundOutcome;
    try {
      outcome = await services.refunds.submit({
        order,
        skus: state.skus ?? order.items.map((item) => item.sku),
        category: state.category ?? 'other',
        reasonText: state.reasonText ?? '',
        evidence: state.evidence,
        conversationId: step.context.activity.conversation.id,
        channel: step.context.activity.channelId ?? 'api',
        locale: localeOf(step.context),
      });
    } catch (error) {
      if (!(error instanceof RefundLimitReachedError)) throw error;
      // Over the customer's daily limit: no case. Everything gathered stays in this dialog's
      // state (kept with the conversation), and "yes" after the time submits it again.
      state.confirmed = false;
      state.awaiting = 'confirm';
      await ask(services, step.context, { key: 'refund.limited', vars: { time: utcMinute(error.retryAt) }, awaiting: 'confirm', actions: yesNo });
      return Dialog.EndOfTurn;
    }
    await announceDecision(services, step.context, outcome, order);
    const caseId = outcome.refundCase.id;
    if (state.unclassified) {
      const { escalation } = await services.refunds.escalate({
        conversationId: step.context.activity.conversation.id,
        caseId,
        orderId: order.id,
        reason: 'not_understood',
        locale: localeOf(step.context),
        channel: step.context.activity.channelId,
      });
      await handToPeople(services, step.context, { reason: escalation.reason, escalationId: escalation.id, caseId });
      await announceEscalation(services, step.context, caseId);
      return step.endDialog({ caseId: outcome.refundCase.id, outcome: outcome.decision.outcome, escalated: true } satisfies RefundResult);
    }
    // A decision a person must review goes to the agent desk; the customer was told above.
    if (outcome.refundCase.status === 'pending_review') {
      await handToPeople(services, step.context, { reason: 'needs_review', escalationId: `review:${caseId}`, caseId });
    }
    return step.endDialog({ caseId, outcome: outcome.decision.outcome } satisfies RefundResult);
  }
}

/** Below the ask-threshold but worth offering: a reason the message likely gives. */
const PLAUSIBLE = 0.2;

function plausibleReason(categories: readonly { label: Category; confidence: number }[]): boolean {
  return categories.some((scored) => scored.label !== 'other' && scored.confidence >= PLAUSIBLE);
}

const yesNo = [{ titleKey: 'action.yes' }, { titleKey: 'action.no' }];

function itemNames(order: Order | undefined, skus: string[] | undefined): string {
  if (!order) return '';
  const chosen = order.items.filter((item) => !skus || skus.includes(item.sku));
  return chosen.map((item) => item.name).join(', ');
}

/** A time every customer reads the same way: `2026-11-21 00:00 UTC`. */
function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function snapshot(state: RefundState): string {
  return JSON.stringify([state.orderId, state.verified, state.skus, state.category, state.evidence.length, state.noEvidence]);
}

import type { TurnContext } from 'botbuilder';
import { ComponentDialog, Dialog, type DialogTurnResult, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { RefundCase } from '../src/domain/case.ts';
import { formatMoney } from '../src/domain/money.ts';
import { caseSummary } from '../src/refunds/caseSummary.ts';
import { offersIdentity, provesOwnership } from '../src/refunds/identity.ts';
import { noteCustomer } from '../src/bot/turnEffects.ts';
import { identityLocked, recordIdentityFailure, tellLocked } from './identityGuard.ts';
import { orHandOver, paymentText } from './ordersUnavailable.ts';
import type { DialogServices } from './services.ts';
import { ask, clearAsked, localeOf, message, say, type Slot, understandingOf } from './turn.ts';

export const STATUS_DIALOG = 'status';
const START = 'status.start';
const LOOP = 'status.loop';

interface StatusState {
  caseId?: string;
  orderId?: string;
  verified: boolean;
  awaiting?: Slot;
  attempts: number;
  notice?: { key: string; vars: Record<string, string | number> };
}

/**
 * Checks a refund's status by case number or order number. Like the refund itself, the case is
 * shown only to whoever opened it in this conversation or proves they own the order.
 */
export class StatusDialog extends ComponentDialog {
  readonly #services: DialogServices;

  constructor(services: DialogServices) {
    super(STATUS_DIALOG);
    if (!services?.refunds || !services.orders) throw new Error('StatusDialog needs refunds and orders');
    this.#services = services;
    // Looking the order up may fail (the order API): then the customer is handed to people.
    this.addDialog(new WaterfallDialog<StatusState>(START, [(step) => orHandOver(services, step, () => this.#absorbStep(step))]));
    this.addDialog(
      new WaterfallDialog<StatusState>(LOOP, [(step) => orHandOver(services, step, () => this.#askStep(step)), (step) => orHandOver(services, step, () => this.#absorbStep(step))]),
    );
    this.initialDialogId = START;
  }

  async #askStep(step: WaterfallStepContext<StatusState>): Promise<DialogTurnResult> {
    const state = step.options;
    const services = this.#services;
    if (state.notice) await say(services, step.context, state.notice.key, state.notice.vars);
    delete state.notice;
    if (state.attempts >= services.settings.maxAttempts) {
      await clearAsked(services, step.context);
      await say(services, step.context, 'status.giveUp', {}, { actions: [{ titleKey: 'action.human' }] });
      return step.endDialog();
    }
    if (!state.orderId) {
      state.awaiting = 'orderId';
      await ask(services, step.context, { key: 'ask.statusRef', vars: {}, awaiting: 'orderId' });
      return Dialog.EndOfTurn;
    }
    if (!state.verified) {
      state.awaiting = 'identity';
      await ask(services, step.context, { key: 'ask.identity', vars: { orderId: state.orderId }, awaiting: 'identity' });
      return Dialog.EndOfTurn;
    }
    await clearAsked(services, step.context);
    const cases = state.caseId
      ? [await services.refunds.caseById(state.caseId)].filter((found): found is RefundCase => found !== undefined)
      : await services.refunds.casesForOrder(state.orderId);
    if (cases.length === 0) {
      await say(services, step.context, 'status.none', { orderId: state.orderId }, { actions: [{ titleKey: 'action.refund' }] });
    }
    for (const refundCase of cases) await this.#tell(step.context, refundCase);
    return step.endDialog();
  }

  /**
   * The case's status in the customer's words; for a refund on its way, where it is: approved and
   * waiting, handed to the shop for payment (the refund webhook accepted it), or paid on a date.
   */
  async #tell(context: TurnContext, refundCase: RefundCase): Promise<void> {
    const services = this.#services;
    const locale = localeOf(context);
    const { decision } = refundCase;
    const progress = refundCase.status === 'approved' || refundCase.status === 'refunded' ? await services.refunds.progress(refundCase) : {};
    const day = (date: Date | undefined) => (date ?? refundCase.updatedAt).toISOString().slice(0, 10);
    const sent = refundCase.status === 'approved' && progress.sentAt !== undefined;
    const vars = {
      caseId: refundCase.id,
      orderId: refundCase.orderId,
      amount: formatMoney(decision.amount, decision.currency, locale),
      date: day(refundCase.status === 'refunded' ? progress.refundedAt : progress.approvedAt),
      ...(sent ? { sentDate: day(progress.sentAt), payment: await paymentText(services, locale, refundCase.orderId) } : {}),
    };
    await context.sendActivity(message(services, context, sent ? 'status.sent' : `status.${refundCase.status}`, vars, { channelData: { case: caseSummary(refundCase) } }));
  }

  async #absorbStep(step: WaterfallStepContext<StatusState>): Promise<DialogTurnResult> {
    const state: StatusState = step.options && 'attempts' in step.options ? step.options : { verified: false, attempts: 0 };
    const services = this.#services;
    const { entities } = understandingOf(step.context);
    const awaiting = state.awaiting;
    delete state.awaiting;
    const profile = await services.profile.get(step.context, { verifiedOrderIds: [] });
    const conversationId = step.context.activity.conversation.id;

    const caseId = entities.caseIds[0];
    const orderId = entities.orderIds[0];
    if (caseId) {
      const found = await services.refunds.caseById(caseId);
      if (found) {
        state.caseId = found.id;
        state.orderId = found.orderId;
        state.verified = found.conversationId === conversationId || profile.verifiedOrderIds.includes(found.orderId) || profile.vouchedCustomerId === found.customerId;
      } else {
        state.notice = { key: 'status.unknownCase', vars: { caseId } };
      }
    } else if (orderId && orderId !== state.orderId) {
      const order = await services.orders.get(orderId);
      if (order) {
        state.orderId = orderId;
        delete state.caseId;
        state.verified = profile.verifiedOrderIds.includes(orderId) || profile.vouchedCustomerId === order.customer.id;
      } else {
        state.notice = { key: 'retry.orderNotFound', vars: { orderId } };
      }
    }
    if (state.orderId && !state.verified) {
      // Wrong identity answers lock the order for the conversation, in this dialog or the refund one.
      const lockedOrderId = state.orderId;
      const locked = async () => {
        await tellLocked(services, step.context, lockedOrderId);
        return step.endDialog();
      };
      if (await identityLocked(services, step.context, lockedOrderId)) return locked();
      const order = await services.orders.get(state.orderId);
      if (order && provesOwnership(order, entities)) {
        state.verified = true;
        if (!profile.verifiedOrderIds.includes(order.id)) profile.verifiedOrderIds.push(order.id);
        noteCustomer(step.context, order.customer.id);
      } else {
        if (order && offersIdentity(entities) && (await recordIdentityFailure(services, step.context, order.id))) return locked();
        if (awaiting === 'identity') state.notice = { key: 'retry.identity', vars: { orderId: state.orderId } };
      }
    }
    if (awaiting && (state.notice || (awaiting === 'orderId' && !state.orderId))) {
      state.attempts += 1;
      state.notice ??= { key: 'retry.statusRef', vars: {} };
    }
    return step.replaceDialog(LOOP, state);
  }
}

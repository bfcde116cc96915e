import {
  ComponentDialog,
  type DialogContext,
  type DialogTurnResult,
  DialogTurnStatus,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { CSAT_DIALOG, CsatDialog, type CsatResult } from './csatDialog.ts';
import { handoffOf } from './handoff.ts';
import { HUMAN_DIALOG, HumanDialog } from './humanDialog.ts';
import { sendPolicyAnswer, POLICY_DIALOG, PolicyDialog } from './policyDialog.ts';
import { REFUND_DIALOG, RefundDialog, type RefundResult } from './refundDialog.ts';
import type { DialogServices } from './services.ts';
import { clearAsked, evidenceOf, reask, say, understandingOf } from './turn.ts';
import { STATUS_DIALOG, StatusDialog } from './statusDialog.ts';

export const MAIN_DIALOG = 'main';
const FLOW = 'main.flow';

/** Confidence above which an intent interrupts a dialog that is waiting for an answer. */
const INTERRUPT_CONFIDENCE = 0.75;

/**
 * Routes each new request to its dialog (refund, status, policy, person) and handles what may
 * interrupt any of them: cancel, start over, asking for a person, a policy question.
 */
export class MainDialog extends ComponentDialog {
  readonly #services: DialogServices;

  constructor(services: DialogServices) {
    super(MAIN_DIALOG);
    this.#services = services;
    this.addDialog(new RefundDialog(services));
    this.addDialog(new StatusDialog(services));
    this.addDialog(new PolicyDialog(services));
    this.addDialog(new HumanDialog(services));
    this.addDialog(new CsatDialog(services));
    this.addDialog(
      new WaterfallDialog(FLOW, [(step) => this.#route(step), (step) => this.#afterTopic(step), (step) => this.#afterCsat(step)]),
    );
    this.initialDialogId = FLOW;
  }

  async #route(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const understanding = understandingOf(step.context);
    const { intent, entities, command } = understanding;
    // A tapped button of the greeting arrives as its title, in whichever language it was shown.
    const button = this.#services.prompts.matchAny('action', understanding.text);
    if (button === 'refund') return step.beginDialog(REFUND_DIALOG);
    if (button === 'status') return step.beginDialog(STATUS_DIALOG);
    if (button === 'policy') {
      await say(this.#services, step.context, 'policy.overview', {}, { actions: topActions });
      return step.endDialog();
    }
    if (button === 'human' || command === 'human' || intent.label === 'human_agent') return step.beginDialog(HUMAN_DIALOG);
    // A message that gives a refund reason ("my phone won't turn on, order 100118") is a refund
    // request whatever else it says; a status question names no reason.
    const givesReason = understanding.category.label !== 'other' && understanding.category.confidence >= this.#services.settings.classifyThreshold;
    if (entities.caseIds.length > 0 || (intent.label === 'refund_status' && !givesReason)) return step.beginDialog(STATUS_DIALOG);
    if (intent.label === 'request_refund' || givesReason || entities.orderIds.length > 0 || evidenceOf(step.context).length > 0) {
      return step.beginDialog(REFUND_DIALOG);
    }
    if (intent.label === 'policy_question') return step.beginDialog(POLICY_DIALOG);
    // Waiting for a person: say so rather than "I didn't get that".
    const waiting = command !== 'help' && (await handoffOf(this.#services, step.context)) !== undefined;
    await say(this.#services, step.context, command === 'help' ? 'help' : waiting ? 'handoff.pending' : 'fallback', {}, { actions: topActions });
    return step.endDialog();
  }

  async #afterTopic(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as RefundResult | undefined;
    if (result?.caseId && !result.escalated && result.outcome) {
      return step.beginDialog(CSAT_DIALOG, { caseId: result.caseId, outcome: result.outcome });
    }
    return step.endDialog();
  }

  async #afterCsat(step: WaterfallStepContext): Promise<DialogTurnResult> {
    // The customer moved on instead of rating: handle that message as a new request.
    if ((step.result as CsatResult | undefined)?.reroute) return step.replaceDialog(FLOW);
    return step.endDialog();
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const services = this.#services;
    const understanding = understandingOf(innerDc.context);
    const active = innerDc.activeDialog?.id;
    const { command, intent } = understanding;
    if (command === 'cancel' || command === 'restart') {
      await innerDc.cancelAllDialogs();
      await clearAsked(services, innerDc.context);
      await say(services, innerDc.context, command === 'cancel' ? 'cancelled' : 'greeting', {}, { actions: topActions });
      return { status: DialogTurnStatus.complete };
    }
    const inCsat = active === CSAT_DIALOG;
    if (!inCsat && (command === 'human' || (intent.label === 'human_agent' && intent.confidence >= INTERRUPT_CONFIDENCE))) {
      await innerDc.cancelAllDialogs();
      return innerDc.beginDialog(HUMAN_DIALOG);
    }
    const profile = await services.profile.get(innerDc.context, { verifiedOrderIds: [] });
    const awaiting = profile.lastPrompt?.awaiting;
    const plainQuestion =
      intent.label === 'policy_question' &&
      intent.confidence >= INTERRUPT_CONFIDENCE &&
      understanding.entities.orderIds.length === 0 &&
      evidenceOf(innerDc.context).length === 0 &&
      awaiting !== 'reason' &&
      awaiting !== 'category';
    if (active && plainQuestion && !inCsat) {
      await sendPolicyAnswer(services, innerDc);
      await reask(services, innerDc.context);
      return { status: DialogTurnStatus.waiting };
    }
    return super.onContinueDialog(innerDc);
  }
}

const topActions = [{ titleKey: 'action.refund' }, { titleKey: 'action.status' }, { titleKey: 'action.policy' }, { titleKey: 'action.human' }];

import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { DialogServices } from './services.ts';
import { localeOf, say, understandingOf } from './turn.ts';

export const POLICY_DIALOG = 'policy';

/** Answers a policy question from the readable policy in `knowledge/`, citing the clause. */
export class PolicyDialog extends Dialog {
  readonly #services: DialogServices;

  constructor(services: DialogServices) {
    super(POLICY_DIALOG);
    if (!services?.policyAnswers) throw new Error('PolicyDialog needs policyAnswers');
    this.#services = services;
  }

  override async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    await sendPolicyAnswer(this.#services, dc);
    return dc.endDialog();
  }
}

/** Sends the best clause for the question (also used when a question interrupts a refund). */
export async function sendPolicyAnswer(services: DialogServices, dc: DialogContext): Promise<boolean> {
  const locale = localeOf(dc.context);
  const question = understandingOf(dc.context).text;
  // With a language model: its answer, if every fact in it comes from the clauses it cites.
  const grounded = await services.groundedAnswers?.answer(question, locale);
  if (grounded) {
    await say(services, dc.context, 'policy.grounded', { text: grounded.text, clauses: grounded.clauses.join(', ') }, { channelData: { clauses: grounded.clauses } });
    return true;
  }
  const [best] = services.policyAnswers.answer(question, locale);
  if (!best) {
    await say(services, dc.context, 'policy.unknown', {}, { actions: [{ titleKey: 'action.human' }, { titleKey: 'action.refund' }] });
    return false;
  }
  await say(services, dc.context, 'policy.answer', { clause: best.id, title: best.title, text: best.text }, { channelData: { clauses: [best.id] } });
  return true;
}

import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { Outcome } from '../src/domain/case.ts';
import { HUMAN_DIALOG, type HumanOptions } from './humanDialog.ts';
import type { AskedPrompt, DialogServices } from './services.ts';
import { ask, clearAsked, say, understandingOf } from './turn.ts';

export const CSAT_DIALOG = 'csat';

export interface CsatOptions {
  caseId: string;
  outcome: Outcome;
}

/** Result telling the main dialog the message was about something else and should be routed. */
export interface CsatResult {
  reroute?: boolean;
}

const STARS = /^[⭐★☆*]{1,5}$/u;

/**
 * After a decision: asks for a 1–5 rating, and lets a customer who disagrees with the decision
 * say so (SPEC §4: a dispute goes to a person). Anything else ends the question and is handled
 * as a new request.
 */
export class CsatDialog extends Dialog<CsatOptions> {
  readonly #services: DialogServices;

  constructor(services: DialogServices) {
    super(CSAT_DIALOG);
    if (!services?.refunds) throw new Error('CsatDialog needs refunds');
    this.#services = services;
  }

  override async beginDialog(dc: DialogContext, options?: CsatOptions): Promise<DialogTurnResult> {
    if (!options?.caseId) return dc.endDialog();
    dc.activeDialog!.state.options = options;
    const actions: NonNullable<AskedPrompt['actions']> = [1, 2, 3, 4, 5].map((stars) => ({ title: '⭐'.repeat(stars), value: String(stars) }));
    if (options.outcome !== 'full') actions.push({ titleKey: 'action.disagree' });
    await ask(this.#services, dc.context, { key: 'ask.csat', vars: {}, awaiting: 'csat', actions });
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const services = this.#services;
    const options = dc.activeDialog!.state.options as CsatOptions;
    const understanding = understandingOf(dc.context);
    const text = understanding.text.trim();
    const rating = /^[1-5]$/.test(text) ? Number(text) : STARS.test(text) ? [...text].length : undefined;
    if (rating !== undefined) {
      await services.refunds.recordCsat(options.caseId, rating);
      await clearAsked(services, dc.context);
      await say(services, dc.context, 'csat.thanks');
      return dc.endDialog();
    }
    const disagrees =
      services.prompts.matchAny('action', text) === 'disagree' ||
      (options.outcome !== 'full' && (understanding.affirmation === 'no' || understanding.intent.label === 'human_agent'));
    if (disagrees) {
      return dc.replaceDialog(HUMAN_DIALOG, { reason: 'dispute', caseId: options.caseId } satisfies HumanOptions);
    }
    await clearAsked(services, dc.context);
    return dc.endDialog({ reroute: true } satisfies CsatResult);
  }
}

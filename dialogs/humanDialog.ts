import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { Escalation } from '../src/domain/case.ts';
import { announceEscalation } from './announce.ts';
import { handToPeople } from './handoff.ts';
import type { DialogServices } from './services.ts';
import { clearAsked, localeOf } from './turn.ts';

export const HUMAN_DIALOG = 'human';

export interface HumanOptions {
  reason?: Escalation['reason'];
  caseId?: string;
  orderId?: string;
}

/**
 * Hands the conversation to a person: records the escalation (on the case, when there is one)
 * and tells the customer what happens next and how long it usually takes. The Slack agent desk
 * that picks escalations up is a later piece; the record is what it will read.
 */
export class HumanDialog extends Dialog<HumanOptions> {
  readonly #services: DialogServices;

  constructor(services: DialogServices) {
    super(HUMAN_DIALOG);
    if (!services?.refunds) throw new Error('HumanDialog needs refunds');
    this.#services = services;
  }

  override async beginDialog(dc: DialogContext, options?: HumanOptions): Promise<DialogTurnResult> {
    const services = this.#services;
    const conversationId = dc.context.activity.conversation.id;
    const cases = options?.caseId ? [] : await services.refunds.casesForConversation(conversationId);
    const caseId = options?.caseId ?? cases.find((candidate) => candidate.status !== 'refunded' && candidate.status !== 'cancelled')?.id;
    const { escalation, refundCase } = await services.refunds.escalate({
      conversationId,
      caseId,
      orderId: options?.orderId,
      reason: options?.reason ?? 'customer_request',
      locale: localeOf(dc.context),
      channel: dc.context.activity.channelId,
    });
    await handToPeople(services, dc.context, { reason: escalation.reason, escalationId: escalation.id, ...(refundCase ? { caseId: refundCase.id } : {}) });
    await clearAsked(services, dc.context);
    await announceEscalation(services, dc.context, refundCase?.id);
    return dc.endDialog({ escalated: true });
  }
}

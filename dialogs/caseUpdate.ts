import type { TurnContext } from 'botbuilder';
import { formatMoney } from '../src/domain/money.ts';
import { caseSummary } from '../src/refunds/caseSummary.ts';
import { paymentText } from './ordersUnavailable.ts';
import type { DialogServices } from './services.ts';
import { botMessage, localeOf } from './turn.ts';

/** The value of a `caseUpdated` event activity. */
export interface CaseUpdate {
  caseId: string;
  /** A person's note for the customer (e.g. why a refund was denied). */
  note?: string;
}

/**
 * Tells the customer, in their language, that their case changed (approved, denied, refunded…)
 * — a proactive message outside any question, so nothing is awaited.
 */
export async function sendCaseUpdate(services: DialogServices, context: TurnContext, update: CaseUpdate): Promise<void> {
  const refundCase = await services.refunds.caseById(update.caseId);
  if (!refundCase) return;
  const locale = localeOf(context);
  const { decision } = refundCase;
  const text = services.prompts.t(locale, `notify.${refundCase.status}`, {
    caseId: refundCase.id,
    orderId: refundCase.orderId,
    amount: formatMoney(decision.amount, decision.currency, locale),
    payment: await paymentText(services, locale, refundCase.orderId),
  });
  const note = update.note?.trim();
  const said = note ? services.prompts.t(locale, 'notify.withNote', { text, note }) : text;
  await context.sendActivity(botMessage(services, context, said, { channelData: { case: caseSummary(refundCase) } }));
}

import type { TurnContext } from 'botbuilder';
import { formatMoney } from '../src/domain/money.ts';
import type { Order } from '../src/domain/order.ts';
import { caseSummary } from '../src/refunds/caseSummary.ts';
import type { RefundOutcome } from '../src/refunds/refundDesk.ts';
import type { DialogServices } from './services.ts';
import { localeOf, message, say } from './turn.ts';

/**
 * Tells the customer a case's decision: why (the policy's reason, with its clause), the case
 * number and what happens next, in one message carrying `channelData.case`.
 */
export async function announceDecision(services: DialogServices, context: TurnContext, outcome: RefundOutcome, order: Order): Promise<void> {
  const locale = localeOf(context);
  const { decision, refundCase } = outcome;
  const vars = {
    amount: formatMoney(decision.amount, decision.currency, locale),
    clause: decision.clauses.join(locale === 'en' ? ', ' : '、'),
    days: services.refunds.windowDays(order, refundCase.category) ?? '',
    caseId: refundCase.id,
    payment: services.prompts.t(locale, `payment.${order.paymentMethod}`),
    minutes: services.settings.handoffWaitMinutes,
  };
  const why = services.prompts.t(locale, `decision.${decision.reason}`, vars);
  const next = services.prompts.t(locale, `case.${refundCase.status}`, vars);
  const reply = message(services, context, 'case.announce', { why, next }, { channelData: { case: caseSummary(refundCase) } });
  await context.sendActivity(reply);
}

/** Tells the customer a person will take over, when, and (if any) under which case number. */
export async function announceEscalation(services: DialogServices, context: TurnContext, caseId: string | undefined): Promise<void> {
  const minutes = services.settings.handoffWaitMinutes;
  await say(services, context, caseId ? 'escalated.withCase' : 'escalated', { minutes, caseId: caseId ?? '' });
}

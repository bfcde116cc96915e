import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { Locale } from '../src/domain/locale.ts';
import { OrdersUnavailableError } from '../src/errors.ts';
import { handToPeople } from './handoff.ts';
import type { DialogServices } from './services.ts';
import { clearAsked, localeOf, say } from './turn.ts';

/**
 * When the order API fails mid-conversation (src/orders/httpDirectory.ts), the assistant knows
 * nothing about the order: it must not say "no such order", ask for proof it cannot check, or
 * decide. It records an escalation (`orders_unavailable`), hands the conversation to people and
 * tells the customer so — one way, for every dialog that reads orders.
 */
export async function handOverOrdersUnavailable(services: DialogServices, context: TurnContext, orderId: string | undefined): Promise<void> {
  const conversationId = context.activity.conversation.id;
  const { escalation } = await services.refunds.escalate({
    conversationId,
    ...(orderId ? { orderId } : {}),
    reason: 'orders_unavailable',
    locale: localeOf(context),
    channel: context.activity.channelId,
  });
  services.logger.info({ conversationId, orderId, escalationId: escalation.id }, 'order API unavailable: conversation handed to people');
  await handToPeople(services, context, { reason: escalation.reason, escalationId: escalation.id });
  await clearAsked(services, context);
  await say(services, context, 'escalated.ordersUnavailable', { minutes: services.settings.handoffWaitMinutes });
}

/**
 * Runs a dialog step that reads orders. If the order API fails, the step's partial work is
 * dropped, the customer is handed to people (above) and the dialog ends with `{ escalated: true }`
 * (so no satisfaction question follows). Any other error goes on as before.
 */
export async function orHandOver<S extends { orderId?: string }>(
  services: DialogServices,
  step: WaterfallStepContext<S>,
  run: () => Promise<DialogTurnResult>,
): Promise<DialogTurnResult> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof OrdersUnavailableError)) throw error;
    // The first step of a dialog may run without options: `?.` is needed at run time.
    await handOverOrdersUnavailable(services, step.context, error.orderId ?? (step.options as S | undefined)?.orderId);
    return step.endDialog({ escalated: true });
  }
}

/**
 * How the customer's refund goes back to them, for messages about a case: the order's payment
 * method, or "your original payment method" while the order API cannot say which it was (a case
 * update must still reach the customer). Unknown orders keep the old wording.
 */
export async function paymentText(services: DialogServices, locale: Locale, orderId: string): Promise<string> {
  try {
    const order = await services.orders.get(orderId);
    return services.prompts.t(locale, `payment.${order?.paymentMethod ?? 'card'}`);
  } catch (error) {
    if (!(error instanceof OrdersUnavailableError)) throw error;
    return services.prompts.t(locale, 'payment.original');
  }
}

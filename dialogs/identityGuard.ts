import type { TurnContext } from 'botbuilder';
import type { DialogServices } from './services.ts';
import { clearAsked, say } from './turn.ts';

/**
 * The order-number guessing defence (issue 10): wrong identity answers are counted per order in
 * the conversation's profile, shared by the refund and status dialogs and kept across turns,
 * "cancel" and restarts. At `settings.identityAttempts` the order is locked for the conversation:
 * no more questions about it, whatever is said next (even the right contact).
 *
 * Someone who knows a customer's email and tries order numbers fails once per order, never
 * three times on one: so after CONVERSATION_BUDGET times the limit in all, over any orders, every
 * order not yet verified is locked in the conversation too.
 */
const CONVERSATION_BUDGET = 3;

/** Whether `orderId` is locked in this conversation. */
export async function identityLocked(services: DialogServices, context: TurnContext, orderId: string): Promise<boolean> {
  const limit = services.settings.identityAttempts;
  if (limit <= 0) return false;
  const profile = await services.profile.get(context, { verifiedOrderIds: [] });
  return (profile.identityFailures?.[orderId] ?? 0) >= limit || totalFailures(profile.identityFailures) >= limit * CONVERSATION_BUDGET;
}

function totalFailures(failures: Record<string, number> | undefined): number {
  return Object.values(failures ?? {}).reduce((sum, count) => sum + count, 0);
}

/**
 * Counts a wrong identity answer for `orderId` and logs it — the conversation and the order,
 * never what was given. Returns true when this answer locks the order.
 */
export async function recordIdentityFailure(services: DialogServices, context: TurnContext, orderId: string): Promise<boolean> {
  const profile = await services.profile.get(context, { verifiedOrderIds: [] });
  const failures = (profile.identityFailures?.[orderId] ?? 0) + 1;
  profile.identityFailures = { ...profile.identityFailures, [orderId]: failures };
  const conversationId = context.activity.conversation.id;
  const limit = services.settings.identityAttempts;
  services.logger.info({ conversationId, orderId, failures, limit }, 'identity check failed');
  if (limit <= 0) return false;
  const total = totalFailures(profile.identityFailures);
  if (total === limit * CONVERSATION_BUDGET) services.logger.warn({ conversationId, orderId, total }, 'identity checks locked in this conversation after failed identity checks on several orders');
  if (failures === limit) services.logger.warn({ conversationId, orderId, failures }, 'order locked in this conversation after failed identity checks');
  return failures >= limit || total >= limit * CONVERSATION_BUDGET;
}

/**
 * Tells the customer the order can't be verified here, offering a person (one tap) rather than
 * handing over by itself: a guessing script must not fill the agents' queue, and a real customer
 * who forgot which email they used is one tap from someone who can check by other means. Says
 * nothing about how close the answers were.
 */
export async function tellLocked(services: DialogServices, context: TurnContext, orderId: string): Promise<void> {
  await clearAsked(services, context);
  await say(services, context, 'identity.locked', { orderId }, { actions: [{ titleKey: 'action.human' }] });
}

import type { TurnContext } from 'botbuilder';
import { afterCommit, noteTurn } from '../src/bot/turnEffects.ts';
import type { Handoff } from '../src/handoff/types.ts';
import type { DialogServices, Profile } from './services.ts';

const NO_PROFILE: Profile = { verifiedOrderIds: [] };

/** The conversation's hand-over to people, if any. */
export async function handoffOf(services: DialogServices, context: TurnContext): Promise<Handoff | undefined> {
  return (await services.profile.get(context, { ...NO_PROFILE })).handoff;
}

/**
 * Hands the conversation to people (or adds to an existing hand-over): recorded in the
 * conversation's state in this turn, and told to the agent desk once the turn has committed.
 * A new escalation while people already handle it keeps the same hand-over (and desk thread).
 */
export async function handToPeople(services: DialogServices, context: TurnContext, input: { reason: Handoff['reason']; escalationId: string; caseId?: string }): Promise<void> {
  const profile = await services.profile.get(context, { ...NO_PROFILE });
  const current = profile.handoff;
  const summary = profile.summary ? { summary: profile.summary } : {};
  profile.handoff = current
    ? { ...current, caseId: input.caseId ?? current.caseId, reason: input.reason, ...summary }
    : { escalationId: input.escalationId, reason: input.reason, since: services.clock.now().toISOString(), ...(input.caseId ? { caseId: input.caseId } : {}), ...summary };
  // For the merchant's escalation rate (the conversation's summary, written with this turn).
  noteTurn(context, { handedToPeople: true });
  announce(services, context, profile.handoff);
}

/** Sets (or clears) the hand-over and tells the desk after the commit. */
export async function setHandoff(services: DialogServices, context: TurnContext, handoff: Handoff | undefined): Promise<void> {
  const profile = await services.profile.get(context, { ...NO_PROFILE });
  if (handoff) profile.handoff = handoff;
  else delete profile.handoff;
  announce(services, context, handoff);
}

function announce(services: DialogServices, context: TurnContext, handoff: Handoff | undefined): void {
  const conversationId = context.activity.conversation.id;
  const snapshot = handoff ? structuredClone(handoff) : undefined;
  afterCommit(context, () => services.desk.handoffChanged(conversationId, snapshot));
}

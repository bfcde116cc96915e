import type { TurnContext } from 'botbuilder';
import type { RefundCase } from '../src/domain/case.ts';
import { formatMoney, toMinor } from '../src/domain/money.ts';
import { CodedError, InputError, OrdersUnavailableError } from '../src/errors.ts';
import { agentMessage } from '../src/bot/publicActivity.ts';
import { afterCommit } from '../src/bot/turnEffects.ts';
import type { ActionRefusal, Agent, AgentAction } from '../src/handoff/types.ts';
import { caseSummary } from '../src/refunds/caseSummary.ts';
import { handoffOf, setHandoff } from './handoff.ts';
import { paymentText } from './ordersUnavailable.ts';
import type { DialogServices } from './services.ts';
import { botMessage, clearAsked, localeOf, say } from './turn.ts';

/** The event a person's action on the desk arrives as (value: AgentActionEvent). */
export const AGENT_ACTION = 'agentAction';

export interface AgentActionEvent {
  agent: Agent;
  action: AgentAction;
}

/** What the action came to, answered to the desk. */
export type AgentActionOutcome = { ok: true } | { ok: false; refusal: ActionRefusal; message: string };

const refuse = (refusal: ActionRefusal, text: string): AgentActionOutcome => ({ ok: false, refusal, message: text });

/**
 * Carries out a person's action as a turn of the conversation, so it is serialised with the
 * customer's own messages and checked against the conversation as it is now (a stale card or a
 * double click finds the case already decided and is refused, never applied twice).
 */
export async function handleAgentAction(services: DialogServices, context: TurnContext, event: AgentActionEvent): Promise<AgentActionOutcome> {
  const { agent, action } = event;
  const handoff = await handoffOf(services, context);
  const holder = handoff?.agent;
  if (holder && holder.id !== agent.id && action.kind !== 'approve' && action.kind !== 'deny') {
    return refuse('held_by_other', `${holder.name} is handling this conversation`);
  }

  switch (action.kind) {
    case 'take_over': {
      if (!handoff) return refuse('stale', 'this conversation is back with the assistant');
      if (holder?.id === agent.id) return { ok: true };
      await takeOver(services, context, agent);
      return { ok: true };
    }
    case 'reply': {
      if (!handoff) return refuse('stale', 'this conversation is back with the assistant; take it over first');
      const files = action.files ?? [];
      // The desks check this before acting; an empty message must never reach the customer.
      if (!action.text.trim() && files.length === 0) throw new InputError('empty_reply', 'a reply needs text or files');
      if (!holder) await takeOver(services, context, agent);
      const attachments = files.map((file) => ({ contentType: file.contentType, name: file.name, content: { evidenceId: file.evidenceId } }));
      await context.sendActivity(agentMessage(agent, action.text, localeOf(context), attachments));
      return { ok: true };
    }
    case 'hand_back': {
      if (!handoff) return refuse('stale', 'this conversation is already with the assistant');
      if (handoff.caseId) await services.refunds.note(handoff.caseId, { kind: 'agent', id: agent.id }, { handedBack: true });
      await setHandoff(services, context, undefined);
      await say(services, context, 'agent.handedBack', { name: agent.name });
      return { ok: true };
    }
    case 'approve':
    case 'deny': {
      if (!handoff) return refuse('stale', 'this conversation is back with the assistant; nothing waits for a decision');
      const refundCase = await openCase(services, context, handoff.caseId);
      if (!refundCase) return refuse(handoff.caseId ? 'stale' : 'no_case', handoff.caseId ? 'the case was already decided' : 'there is no refund case to decide');
      let decided: RefundCase;
      try {
        if (action.kind === 'deny') {
          decided = await services.refunds.decideByAgent(refundCase.id, agent, { status: 'denied', reason: action.reason });
        } else {
          const order = await services.orders.get(refundCase.orderId);
          const proposed = refundCase.decision.amount > 0 ? refundCase.decision.amount : order ? services.refunds.maxRefund(order, refundCase.items) : 0;
          const amount = action.amount === undefined ? proposed : toMinor(action.amount, refundCase.decision.currency);
          decided = await services.refunds.decideByAgent(refundCase.id, agent, { status: 'approved', amount });
        }
      } catch (error) {
        if (error instanceof RangeError) return refuse('amount_too_high', 'that is not a valid amount');
        // Approving needs the order (the most that may be refunded): nothing is decided without it.
        if (error instanceof OrdersUnavailableError) return refuse('orders_unavailable', 'the order API is not answering; try again in a moment');
        if (error instanceof CodedError && error.code === 'invalid_amount') return refuse('amount_too_high', error.message);
        if (error instanceof CodedError && (error.code === 'case_decided' || error.code === 'case_status_changed' || error.code === 'invalid_transition')) {
          return refuse('stale', 'the case was already decided');
        }
        throw error;
      }
      await tellDecision(services, context, decided, agent, action.kind === 'deny' ? action.reason : undefined);
      // The person has decided: the assistant takes the conversation back.
      await setHandoff(services, context, undefined);
      await say(services, context, 'agent.resumed');
      return { ok: true };
    }
  }
}

async function takeOver(services: DialogServices, context: TurnContext, agent: Agent): Promise<void> {
  const handoff = await handoffOf(services, context);
  if (!handoff) return;
  await setHandoff(services, context, { ...handoff, agent });
  // Whatever the assistant was asking is moot while a person talks.
  await clearAsked(services, context);
  if (handoff.caseId) {
    const caseId = handoff.caseId;
    afterCommit(context, () => services.refunds.note(caseId, { kind: 'agent', id: agent.id }, { tookOver: agent.name }));
  }
  await say(services, context, 'agent.joined', { name: agent.name });
}

/** The case people are asked to decide: the hand-over's, if it is still waiting for a decision. */
async function openCase(services: DialogServices, context: TurnContext, caseId: string | undefined): Promise<RefundCase | undefined> {
  const candidates = caseId ? [await services.refunds.caseById(caseId)] : await services.refunds.casesForConversation(context.activity.conversation.id);
  return candidates.find((refundCase): refundCase is RefundCase => refundCase !== undefined && (refundCase.status === 'pending_review' || refundCase.status === 'escalated'));
}

async function tellDecision(services: DialogServices, context: TurnContext, refundCase: RefundCase, agent: Agent, reason: string | undefined): Promise<void> {
  const locale = localeOf(context);
  const vars = {
    name: agent.name,
    caseId: refundCase.id,
    amount: formatMoney(refundCase.decision.amount, refundCase.decision.currency, locale),
    payment: await paymentText(services, locale, refundCase.orderId),
    reason: reason ?? '',
  };
  const key = refundCase.status === 'approved' ? 'agent.approved' : 'agent.denied';
  await context.sendActivity(botMessage(services, context, services.prompts.t(locale, key, vars), { channelData: { case: caseSummary(refundCase) } }));
}

import type { TurnContext } from 'botbuilder';

const EFFECTS = Symbol('afterCommit');
const RESULT = Symbol('turnResult');
const NOTES = Symbol('turnNotes');

/** Work to do once the turn has committed (e.g. tell the agent desk); never before, never twice. */
export type AfterCommit = () => Promise<void>;

/**
 * Schedules `effect` to run after this turn commits. Side effects outside the conversation
 * (posting to Slack) wait for the commit, so a turn that fails or is retried never announces
 * something that did not happen.
 */
export function afterCommit(context: TurnContext, effect: AfterCommit): void {
  const effects: AfterCommit[] = context.turnState.get(EFFECTS) ?? [];
  effects.push(effect);
  context.turnState.set(EFFECTS, effects);
}

/** Sets what this turn answers its caller (e.g. whether an agent's action was carried out). */
export function setTurnResult(context: TurnContext, result: unknown): void {
  context.turnState.set(RESULT, result);
}

/**
 * Facts about a turn that its conversation's summary records (domain/conversationSummary.ts),
 * which the transcript alone does not show, and the customers the privacy index links the
 * conversation to — both written with the turn's commit.
 */
export interface TurnNotes {
  /** The turn handed the conversation to people. */
  handedToPeople?: boolean;
  /** Customers (order-file ids) who proved, or were vouched, to be this conversation's customer in this turn. */
  customers?: string[];
}

/** Notes a fact about this turn, for the conversation's summary written with its commit. */
export function noteTurn(context: TurnContext, notes: TurnNotes): void {
  context.turnState.set(NOTES, { ...(context.turnState.get(NOTES) as TurnNotes | undefined), ...notes });
}

/**
 * Notes that this conversation belongs to `customerId` (identity verified, or vouched by the
 * channel): the turn's commit adds it to the customer's index, so that `refundbot privacy`
 * finds the conversation even when it opened no case.
 */
export function noteCustomer(context: TurnContext, customerId: string): void {
  const notes = (context.turnState.get(NOTES) as TurnNotes | undefined) ?? {};
  const customers = notes.customers ?? [];
  if (!customers.includes(customerId)) customers.push(customerId);
  context.turnState.set(NOTES, { ...notes, customers });
}

/** What a turn left behind: effects to run after commit, its result, and its notes. */
export function turnOutput(context: TurnContext): { effects: AfterCommit[]; result: unknown; notes: TurnNotes } {
  return { effects: context.turnState.get(EFFECTS) ?? [], result: context.turnState.get(RESULT), notes: context.turnState.get(NOTES) ?? {} };
}

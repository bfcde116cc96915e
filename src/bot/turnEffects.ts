import type { TurnContext } from 'botbuilder';

const EFFECTS = Symbol('afterCommit');
const RESULT = Symbol('turnResult');

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

/** What a turn left behind: effects to run after commit, and its result. */
export function turnOutput(context: TurnContext): { effects: AfterCommit[]; result: unknown } {
  return { effects: context.turnState.get(EFFECTS) ?? [], result: context.turnState.get(RESULT) };
}

import { CodedError } from '../errors.ts';

/**
 * A conversation's durable summary, for the merchant's figures (issue 9). Conversations and
 * their transcripts expire `CONVERSATION_TTL_DAYS` after their last message, so figures about
 * conversations (turns per conversation, abandonment, escalation rate) cannot be read back from
 * them later: each turn's commit keeps this small record up to date instead, in the same atomic
 * write as the turn, and it is kept far longer (`INSIGHT_RETENTION_DAYS`).
 *
 * A summary is named by its conversation id and when that conversation started: a channel whose
 * conversation ids are derived from the customer (WeChat, Slack, Bot Framework) opens a new
 * conversation under the same id once the old one expired, and that is a new summary.
 */
export interface ConversationSummary {
  conversationId: string;
  channel: string;
  /** The language of the assistant's latest reply (the conversation's at its start until then). */
  locale: string;
  /** When the conversation was opened (its record's `createdAt`). */
  startedAt: Date;
  /** When its latest turn ran. */
  lastActiveAt: Date;
  /** Messages the customer sent. */
  customerTurns: number;
  /** What the assistant's latest reply asked for (`channelData.awaiting`); null when it asked nothing. */
  awaiting: string | null;
  /** Whether the conversation was ever handed to people. */
  handedToPeople: boolean;
  /** Whether any reply carried a refund case (`channelData.case`): a decision, or a case's status. */
  hasCase: boolean;
}

/** What one turn adds to its conversation's summary; stores merge it with `applyTurn`'s rules. */
export interface TurnSummary {
  channel: string;
  locale: string;
  /** When the conversation started: with the conversation id, names the summary. */
  startedAt: Date;
  /** When this turn ran. */
  at: Date;
  /** Customer messages in this turn (0 for event turns: an agent's action, a case update). */
  customerTurns: number;
  /**
   * What the assistant's last reply of this turn asked for; null: it asked nothing; absent: the
   * assistant did not reply in this turn (the summary keeps what it had).
   */
  awaiting?: string | null;
  handedToPeople: boolean;
  hasCase: boolean;
}

/** The largest value a summary field may hold as text (a slot name, a channel). */
const MAX_FIELD = 64;

/**
 * The merge every store applies (in SQL, in Lua): the first turn creates the summary; later
 * turns add their customer messages, move `lastActiveAt` forward (never back), replace
 * `awaiting` when the assistant replied, and set the flags, which never go back to false. Here
 * as the reference the stores are tested against.
 */
export function applyTurn(previous: ConversationSummary | undefined, conversationId: string, turn: TurnSummary): ConversationSummary {
  const base: ConversationSummary = previous ?? {
    conversationId,
    channel: turn.channel,
    locale: turn.locale,
    startedAt: new Date(turn.startedAt),
    lastActiveAt: new Date(turn.at),
    customerTurns: 0,
    awaiting: null,
    handedToPeople: false,
    hasCase: false,
  };
  return {
    ...base,
    locale: turn.locale,
    lastActiveAt: new Date(Math.max(base.lastActiveAt.getTime(), turn.at.getTime())),
    customerTurns: base.customerTurns + turn.customerTurns,
    awaiting: turn.awaiting === undefined ? base.awaiting : turn.awaiting,
    handedToPeople: base.handedToPeople || turn.handedToPeople,
    hasCase: base.hasCase || turn.hasCase,
  };
}

/** Refuses a malformed summary (`CodedError` bug `invalid_turn_summary`) before a store writes anything. */
export function assertTurnSummary(conversationId: string, turn: TurnSummary): void {
  const problem = typeof conversationId === 'string' && conversationId !== '' ? checkTurnSummary(turn) : 'a summary needs a conversation id';
  if (problem) throw new CodedError('bug', 'invalid_turn_summary', `The summary of conversation ${conversationId}: ${problem}`, 500);
}

/**
 * Checks a turn summary before a store writes it: a bad value is a bug in the caller, and must
 * fail the commit before anything is written rather than corrupt the figures.
 */
export function checkTurnSummary(turn: TurnSummary): string | undefined {
  if (typeof turn !== 'object' || turn === null) return 'the summary must be an object';
  for (const field of ['channel', 'locale'] as const) {
    const value = turn[field];
    if (typeof value !== 'string' || value === '' || value.length > MAX_FIELD) return `${field} must be a non-empty text of at most ${MAX_FIELD} characters`;
  }
  for (const field of ['startedAt', 'at'] as const) {
    if (!(turn[field] instanceof Date) || !Number.isSafeInteger(turn[field].getTime())) return `${field} must be a valid date`;
  }
  if (!Number.isSafeInteger(turn.customerTurns) || turn.customerTurns < 0) return 'customerTurns must be a whole number ≥ 0';
  if (turn.awaiting !== undefined && turn.awaiting !== null && (typeof turn.awaiting !== 'string' || turn.awaiting === '' || turn.awaiting.length > MAX_FIELD)) {
    return `awaiting must be null or a non-empty text of at most ${MAX_FIELD} characters`;
  }
  if (typeof turn.handedToPeople !== 'boolean' || typeof turn.hasCase !== 'boolean') return 'handedToPeople and hasCase must be booleans';
  return undefined;
}

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { assertTurnSummary as checkSummary, type ConversationSummary, type TurnSummary } from '../../domain/conversationSummary.ts';
import { checkPage, checkPeriod } from '../pages.ts';
import type { ConversationSummaryStore } from '../ports.ts';
import { date, integer, optionalText, text, type Row } from './rows.ts';
import { inTransaction } from './transaction.ts';

/**
 * Conversation summaries in sqlite (table `conversation_summaries`, migration 7). The turn store
 * calls `mergeSync` inside each turn's transaction; the expiry sweep deletes summaries whose
 * conversation started more than the retention ago.
 */
export class SqliteSummaryStore implements ConversationSummaryStore {
  readonly #db: DatabaseSync;
  readonly #merge: StatementSync;
  readonly #first: StatementSync;
  readonly #next: StatementSync;

  constructor(options: { db: DatabaseSync }) {
    this.#db = options.db;
    // The merge of domain/conversationSummary.ts `applyTurn`, as one upsert.
    this.#merge = options.db.prepare(
      `INSERT INTO conversation_summaries
         (conversation_id, started_at, channel, locale, last_active_at, customer_turns, awaiting, handed_to_people, has_case)
       VALUES (:id, :startedAt, :channel, :locale, :at, :turns, :awaiting, :handed, :hasCase)
       ON CONFLICT (conversation_id, started_at) DO UPDATE SET
         locale = excluded.locale,
         last_active_at = max(last_active_at, excluded.last_active_at),
         customer_turns = customer_turns + excluded.customer_turns,
         awaiting = CASE WHEN :replied THEN excluded.awaiting ELSE awaiting END,
         handed_to_people = handed_to_people | excluded.handed_to_people,
         has_case = has_case | excluded.has_case`,
    );
    // The next page starts right after the cursor, as the index's lower bound (never re-walking
    // the pages before it).
    const page = (where: string) => options.db.prepare(`SELECT * FROM conversation_summaries WHERE ${where} ORDER BY started_at, conversation_id LIMIT :limit`);
    this.#first = page('started_at >= :from AND started_at < :to');
    this.#next = page('(started_at, conversation_id) > (:afterStart, :afterId) AND started_at < :to');
  }

  /** Merges a turn (synchronous, to join the turn's transaction). Check it first with `assertTurnSummary`. */
  mergeSync(conversationId: string, turn: TurnSummary): void {
    this.#merge.run({
      id: conversationId,
      startedAt: turn.startedAt.getTime(),
      channel: turn.channel,
      locale: turn.locale,
      at: turn.at.getTime(),
      turns: turn.customerTurns,
      awaiting: turn.awaiting ?? null,
      replied: turn.awaiting === undefined ? 0 : 1,
      handed: turn.handedToPeople ? 1 : 0,
      hasCase: turn.hasCase ? 1 : 0,
    });
  }

  async record(conversationId: string, turn: TurnSummary): Promise<void> {
    checkSummary(conversationId, turn);
    inTransaction(this.#db, () => this.mergeSync(conversationId, turn));
  }

  async listStarted(from: Date, to: Date, page: { after?: { startedAt: Date; conversationId: string }; limit: number }): Promise<ConversationSummary[]> {
    checkPeriod(from, to);
    const limit = checkPage(page);
    const after = page.after;
    const rows = after
      ? this.#next.all({ afterStart: after.startedAt.getTime(), afterId: after.conversationId, to: to.getTime(), limit })
      : this.#first.all({ from: from.getTime(), to: to.getTime(), limit });
    return rows.map(rowToSummary);
  }
}

/** A summary from its row. */
export function rowToSummary(row: Row): ConversationSummary {
  return {
    conversationId: text(row, 'conversation_id'),
    channel: text(row, 'channel'),
    locale: text(row, 'locale'),
    startedAt: date(row, 'started_at'),
    lastActiveAt: date(row, 'last_active_at'),
    customerTurns: integer(row, 'customer_turns'),
    awaiting: optionalText(row, 'awaiting') ?? null,
    handedToPeople: integer(row, 'handed_to_people') === 1,
    hasCase: integer(row, 'has_case') === 1,
  };
}

import { type AuditEvent, CASE_STATUSES, ESCALATION_REASONS, type Escalation, OUTCOMES, type Outcome, type RefundCase } from '../domain/case.ts';
import { CATEGORIES, type Category } from '../domain/categories.ts';
import type { Clock } from '../domain/clock.ts';
import type { ConversationSummary } from '../domain/conversationSummary.ts';
import type { CaseStore, CaseWithAudit, ConversationSummaryStore } from '../stores/ports.ts';
import { Distribution } from './distribution.ts';
import type { CountAndAmount, Stats, StatsQuery } from './types.ts';

/** The store reads the figures come from (every backend has them: ports.ts). */
export interface InsightSource {
  cases: Pick<CaseStore, 'listCreatedWithAudit' | 'withAudit' | 'listAudit' | 'listEscalations'>;
  summaries: Pick<ConversationSummaryStore, 'listStarted'>;
}

export interface StatsOptions {
  /** "Now", for abandonment (a conversation still within its window is not abandoned yet). */
  clock: Clock;
  /** A conversation idle longer than this while the assistant waits for an answer is abandoned. 24 h by default. */
  abandonedAfterMs?: number;
  /** Items per store read (at most the stores' MAX_PAGE). 1000 by default. */
  pageSize?: number;
  /** How many SKUs `topSkus` lists. 10 by default. */
  topSkus?: number;
  /**
   * The product name of a top SKU, looked up in an order of the period that claims it (the order
   * directory knows names; cases keep only SKUs). Absent, failing or undefined: `name` is null.
   */
  productName?: (sku: string, orderId: string) => Promise<string | undefined>;
}

export const DEFAULT_ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;
// The stores' largest page: fewer round trips, and a page of 1,000 cases with their trails is
// still only a few MB.
const DEFAULT_PAGE_SIZE = 1000;
const DEFAULT_TOP_SKUS = 10;
/** A SKU's most frequent reasons: this many. */
const TOP_CATEGORIES = 3;
const DAY_MS = 24 * 60 * 60 * 1000;
const DECIDED = new Set(['approved', 'denied']);
/** Statuses that mean a case waits for (or is with) people. */
const WITH_PEOPLE = new Set(['pending_review', 'escalated']);
/** Statuses that end a hand-over, whoever moved the case there. */
const CLOSING = new Set(['approved', 'denied', 'refunded', 'cancelled']);

/**
 * The merchant's figures for one period (types.ts), read from the stores in pages: cases created
 * in the period with their trails, escalations in the period, the audit events of the period
 * (ratings, people's decisions and hand-backs), and the summaries of conversations started in
 * it. Four independent streams, read side by side; memory is bounded by a page plus the tallies
 * (per category, channel, SKU, distinct durations), never by the number of cases.
 *
 * Every figure is defined where it is tallied, in `StatsTally`, which does no I/O.
 */
export async function computeStats(source: InsightSource, query: StatsQuery, options: StatsOptions): Promise<Stats> {
  const limit = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const { from, to } = query;
  const channel = query.channel;
  const tally = new StatsTally(query, options);
  const inChannel = (value: string | undefined) => channel === undefined || value === channel;

  const cases = async () => {
    for await (const page of pages<CaseWithAudit>((after) => source.cases.listCreatedWithAudit(from, to, { ...(after ? { afterId: after.refundCase.id } : {}), limit }), limit)) {
      for (const entry of page) if (inChannel(entry.refundCase.channel)) tally.addCase(entry.refundCase, entry.audit);
    }
  };
  const escalations = async () => {
    for await (const page of pages<Escalation>((after) => source.cases.listEscalations(from, to, { ...(after ? { afterId: after.id } : {}), limit }), limit)) {
      // Escalations recorded before their channel was kept count only without a channel filter.
      for (const escalation of page) if (inChannel(escalation.channel)) tally.addEscalation(escalation);
    }
  };
  const events = async () => {
    for await (const page of pages<AuditEvent>((after) => source.cases.listAudit(from, to, { ...(after ? { after: { at: after.at, caseId: after.caseId, seq: after.seq ?? 0 } } : {}), limit }), limit)) {
      // The cases of the events that need theirs (a person's, for the hand-over's start; any,
      // for a channel filter), in one read per page.
      const ids = [...new Set(page.filter((event) => isHandled(event) || (channel !== undefined && csatOf(event) !== undefined)).map((event) => event.caseId))];
      const found = ids.length === 0 ? [] : await source.cases.withAudit(ids);
      const byId = new Map(found.map((entry) => [entry.refundCase.id, entry]));
      for (const event of page) {
        const owner = byId.get(event.caseId);
        if (channel !== undefined && !inChannel(owner?.refundCase.channel)) continue;
        tally.addEvent(event, owner);
      }
    }
  };
  const conversations = async () => {
    for await (const page of pages<ConversationSummary>((after) => source.summaries.listStarted(from, to, { ...(after ? { after: { startedAt: after.startedAt, conversationId: after.conversationId } } : {}), limit }), limit)) {
      for (const summary of page) if (inChannel(summary.channel)) tally.addConversation(summary);
    }
  };
  await Promise.all([cases(), escalations(), events(), conversations()]);
  const stats = tally.finish();
  const productName = options.productName;
  if (productName) {
    // A name is a nicety: a lookup that fails (the order API is down) leaves it null.
    await Promise.all(
      stats.topSkus.map(async (top) => {
        const orderId = tally.orderOf(top.sku);
        top.name = orderId === undefined ? null : ((await productName(top.sku, orderId).catch(() => undefined)) ?? null);
      }),
    );
  }
  return stats;
}

/** Reads pages until one comes back short; `read` gets the last item of the previous page. */
async function* pages<T>(read: (after: T | undefined) => Promise<T[]>, limit: number): AsyncGenerator<T[]> {
  let after: T | undefined;
  for (;;) {
    const page = await read(after);
    if (page.length > 0) yield page;
    if (page.length < limit) return;
    after = page.at(-1);
  }
}

/**
 * The tallies of one period, fed item by item (pure: the unit tests feed it by hand too). The
 * definitions of the figures:
 *
 * cases — the cases created in the period (of the channel, with a filter):
 *  - `total`; `byCategory`, `byChannel`, `byLocale` and `byOutcome` count them, and their
 *    `amounts` sum, per currency, the amount each case was opened with (the assistant's
 *    decision: `full`/`partial` amounts, 0 for `none` and `review`), so the four breakdowns add
 *    up to the same totals. `byOutcome` is the outcome the case was opened with, even when a
 *    person later decided otherwise. Currencies whose sum is 0 are left out.
 *  - `byStatus`: their current status (every status present, 0 when none).
 *  - `byDay`: per UTC day from the day of `from` to the last day before `to`, cases created
 *    that day, by category (categories with none left out).
 *  - `approvedAmounts`: of them, those now `approved` or `refunded`, at their current amount
 *    (a person's when they approved another), per currency.
 * topSkus — the SKUs claimed by the period's cases: `cases` claiming each (a case claiming two
 *   SKUs counts for both), `amounts` their opening amounts (a case's whole amount for each SKU it
 *   claims), `topCategories` the three most frequent reasons; most cases first, then by SKU.
 * automation —
 *  - `automationRate`: of the period's cases, those opened `approved` or `denied` whose trail has
 *    no `escalated` event (to this day) ÷ the period's cases.
 *  - `escalationRate`: conversations started in the period ever handed to people ÷
 *    conversations started in the period.
 *  - `escalationsByReason`: escalations recorded in the period, by reason, plus `needs_review`
 *    for each case of the period opened `pending_review` (the policy sends those to people
 *    without an escalation record). Every known reason present, 0 when none.
 *  - `timeToDecision`: for each case of the period that has been decided, from its creation to
 *    its first decision (`approved` or `denied`, at opening or later), whole seconds rounded
 *    down; the nearest-rank median and 90th percentile (always observed values).
 * conversations — the conversations started in the period (their summaries):
 *  - `total`; `turnsPerConversation`: customer messages per conversation, mean and the usual
 *    median (the mean of the two middle values when even).
 *  - `abandoned`: those whose assistant's latest reply asks something (`awaiting`), that never
 *    showed a case, and whose last turn is more than the abandonment window before now;
 *    `abandonedAt`: by that question.
 * satisfaction — ratings given in the period (a case note with `csat` 1–5): `responses`, their
 *   mean, and the count per rating.
 * agents — hand-overs ended in the period by a person: a case moved to `approved` or `denied` by
 *   an agent (the desk or the case API), or an agent's hand-back (a note `handedBack`).
 *   `handlingTime`: from the hand-over's start (the case opened waiting for review, or its first
 *   `escalated` event since the previous hand-over ended) to that end, whole seconds rounded down,
 *   nearest-rank median and 90th percentile. A hand-back of a conversation without a case is not
 *   recorded on any trail, so it is not counted.
 */
export class StatsTally {
  readonly #query: StatsQuery;
  readonly #now: number;
  readonly #abandonedAfterMs: number;
  readonly #topSkus: number;
  readonly #firstDay: number;

  #total = 0;
  readonly #byCategory = new Map<Category, Counter>();
  readonly #byChannel = new Map<string, Counter>();
  readonly #byLocale = new Map<string, Counter>();
  readonly #byOutcome = new Map<Outcome, Counter>();
  readonly #byStatus = new Map<string, number>();
  readonly #byDay: { total: number; byCategory: Map<Category, number> }[];
  readonly #approved = new Amounts();
  readonly #skus = new Map<string, { counter: Counter; categories: Map<Category, number>; orderId: string }>();
  #automated = 0;
  readonly #reasons = new Map<string, number>();
  readonly #toDecision = new Distribution();
  #conversations = 0;
  #handedConversations = 0;
  readonly #turns = new Distribution();
  #abandoned = 0;
  readonly #abandonedAt = new Map<string, number>();
  readonly #ratings = new Distribution();
  readonly #handling = new Distribution();
  #handled = 0;

  constructor(query: StatsQuery, options: StatsOptions) {
    this.#query = query;
    this.#now = options.clock.now().getTime();
    this.#abandonedAfterMs = options.abandonedAfterMs ?? DEFAULT_ABANDONED_AFTER_MS;
    this.#topSkus = options.topSkus ?? DEFAULT_TOP_SKUS;
    this.#firstDay = Math.floor(query.from.getTime() / DAY_MS) * DAY_MS;
    const days = Math.max(0, Math.ceil((query.to.getTime() - this.#firstDay) / DAY_MS));
    this.#byDay = Array.from({ length: days }, () => ({ total: 0, byCategory: new Map() }));
  }

  /** A case created in the period, with its audit trail. */
  addCase(refundCase: RefundCase, audit: AuditEvent[]): void {
    const opened = openedWith(refundCase, audit);
    this.#total += 1;
    counter(this.#byCategory, refundCase.category).add(opened.amount, opened.currency);
    counter(this.#byChannel, refundCase.channel).add(opened.amount, opened.currency);
    counter(this.#byLocale, refundCase.locale).add(opened.amount, opened.currency);
    counter(this.#byOutcome, opened.outcome).add(opened.amount, opened.currency);
    increment(this.#byStatus, refundCase.status);
    const day = this.#byDay[Math.floor((refundCase.createdAt.getTime() - this.#firstDay) / DAY_MS)];
    if (day) {
      day.total += 1;
      increment(day.byCategory, refundCase.category);
    }
    if (refundCase.status === 'approved' || refundCase.status === 'refunded') this.#approved.add(refundCase.decision.amount, refundCase.decision.currency);
    for (const sku of new Set(refundCase.items)) {
      let entry = this.#skus.get(sku);
      if (!entry) {
        entry = { counter: new Counter(), categories: new Map(), orderId: refundCase.orderId };
        this.#skus.set(sku, entry);
      }
      entry.counter.add(opened.amount, opened.currency);
      increment(entry.categories, refundCase.category);
    }
    if (DECIDED.has(opened.status) && !audit.some((event) => event.type === 'escalated')) this.#automated += 1;
    if (opened.status === 'pending_review') increment(this.#reasons, 'needs_review');
    const decidedAt = firstDecision(audit);
    if (decidedAt !== undefined) this.#toDecision.add(seconds(decidedAt - refundCase.createdAt.getTime()));
  }

  /** An escalation recorded in the period. */
  addEscalation(escalation: Escalation): void {
    increment(this.#reasons, escalation.reason);
  }

  /**
   * An audit event of the period (PERIOD_AUDIT_TYPES); `owner` is its case with the whole trail,
   * needed for the events a person ended a hand-over with.
   */
  addEvent(event: AuditEvent, owner: CaseWithAudit | undefined): void {
    const rating = csatOf(event);
    if (rating !== undefined) this.#ratings.add(rating);
    if (!isHandled(event)) return;
    this.#handled += 1;
    const start = owner ? handoverStart(owner.audit, event) : undefined;
    if (start !== undefined) this.#handling.add(seconds(event.at.getTime() - start));
  }

  /** The summary of a conversation started in the period. */
  addConversation(summary: ConversationSummary): void {
    this.#conversations += 1;
    this.#turns.add(summary.customerTurns);
    if (summary.handedToPeople) this.#handedConversations += 1;
    if (summary.awaiting !== null && !summary.hasCase && this.#now - summary.lastActiveAt.getTime() > this.#abandonedAfterMs) {
      this.#abandoned += 1;
      increment(this.#abandonedAt, summary.awaiting);
    }
  }

  /** An order of the period that claims this SKU (the first seen), to look its name up. */
  orderOf(sku: string): string | undefined {
    return this.#skus.get(sku)?.orderId;
  }

  /** The figures (SKU names null: `computeStats` looks them up). */
  finish(): Stats {
    const query = this.#query;
    const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
    const topSkus = [...this.#skus.entries()]
      .sort(([skuA, a], [skuB, b]) => b.counter.count - a.counter.count || (skuA < skuB ? -1 : skuA > skuB ? 1 : 0))
      .slice(0, this.#topSkus)
      .map(([sku, entry]) => ({
        sku,
        name: null,
        cases: entry.counter.count,
        amounts: entry.counter.amounts.toJSON(),
        topCategories: [...entry.categories.entries()]
          .sort(([categoryA, a], [categoryB, b]) => b - a || CATEGORIES.indexOf(categoryA) - CATEGORIES.indexOf(categoryB))
          .slice(0, TOP_CATEGORIES)
          .map(([category, count]) => ({ category, count })),
      }));
    const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
    for (const rating of [1, 2, 3, 4, 5] as const) distribution[`${rating}`] = this.#ratings.countOf(rating);
    return {
      period: { from: query.from.toISOString(), to: query.to.toISOString(), channel: query.channel ?? null },
      cases: {
        total: this.#total,
        byCategory: fixedKeys(CATEGORIES, this.#byCategory),
        byChannel: sortedCounters(this.#byChannel),
        byLocale: sortedCounters(this.#byLocale),
        byOutcome: fixedKeys(OUTCOMES, this.#byOutcome),
        byStatus: Object.fromEntries(CASE_STATUSES.map((status) => [status, this.#byStatus.get(status) ?? 0])),
        byDay: this.#byDay.map((day, index) => ({
          day: new Date(this.#firstDay + index * DAY_MS).toISOString().slice(0, 10),
          total: day.total,
          byCategory: Object.fromEntries(CATEGORIES.filter((category) => day.byCategory.has(category)).map((category) => [category, day.byCategory.get(category) ?? 0])),
        })),
        approvedAmounts: this.#approved.toJSON(),
      },
      topSkus,
      automation: {
        automationRate: ratio(this.#automated, this.#total),
        escalationRate: ratio(this.#handedConversations, this.#conversations),
        escalationsByReason: {
          ...Object.fromEntries(ESCALATION_REASONS.map((reason) => [reason, this.#reasons.get(reason) ?? 0])),
          ...Object.fromEntries([...this.#reasons.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
        },
        timeToDecision: { medianSeconds: this.#toDecision.percentile(0.5), p90Seconds: this.#toDecision.percentile(0.9) },
      },
      conversations: {
        total: this.#conversations,
        turnsPerConversation: { mean: this.#turns.mean(), median: this.#turns.median() },
        abandoned: this.#abandoned,
        abandonedAt: Object.fromEntries([...this.#abandonedAt.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
      },
      satisfaction: { responses: this.#ratings.count, average: this.#ratings.mean(), distribution },
      agents: { handled: this.#handled, handlingTime: { medianSeconds: this.#handling.percentile(0.5), p90Seconds: this.#handling.percentile(0.9) } },
    };
  }
}

/** Money per currency (minor units). */
class Amounts {
  readonly #sums = new Map<string, number>();

  add(amount: number, currency: string): void {
    if (amount === 0) return;
    this.#sums.set(currency, (this.#sums.get(currency) ?? 0) + amount);
  }

  /** Currencies in alphabetical order, those whose sum is 0 left out. */
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.#sums.entries()].filter(([, sum]) => sum !== 0).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

class Counter {
  count = 0;
  readonly amounts = new Amounts();

  add(amount: number, currency: string): void {
    this.count += 1;
    this.amounts.add(amount, currency);
  }

  toJSON(): CountAndAmount {
    return { count: this.count, amounts: this.amounts.toJSON() };
  }
}

function counter<K>(map: Map<K, Counter>, key: K): Counter {
  let found = map.get(key);
  if (!found) {
    found = new Counter();
    map.set(key, found);
  }
  return found;
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function fixedKeys<K extends string>(keys: readonly K[], counters: Map<K, Counter>): Record<K, CountAndAmount> {
  return Object.fromEntries(keys.map((key) => [key, counters.get(key)?.toJSON() ?? { count: 0, amounts: {} }])) as Record<K, CountAndAmount>;
}

function sortedCounters(counters: Map<string, Counter>): Record<string, CountAndAmount> {
  return Object.fromEntries([...counters.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => [key, value.toJSON()]));
}

/** Whole seconds, rounded down (never negative: clocks of two instances may disagree a little). */
function seconds(ms: number): number {
  return Math.max(0, Math.floor(ms / 1000));
}

/**
 * The decision a case was opened with, from its `created` audit event (the case's own decision
 * is replaced when a person approves another amount); the case's fields when the trail lacks it.
 */
function openedWith(refundCase: RefundCase, audit: AuditEvent[]): { outcome: Outcome; amount: number; currency: string; status: string } {
  const created = audit.find((event) => event.type === 'created')?.data;
  const outcome = created?.outcome;
  const amount = created?.amount;
  const currency = created?.currency;
  const status = created?.status;
  if ((OUTCOMES as readonly unknown[]).includes(outcome) && Number.isSafeInteger(amount) && typeof currency === 'string' && typeof status === 'string') {
    return { outcome: outcome as Outcome, amount: amount as number, currency, status };
  }
  return { outcome: refundCase.decision.outcome, amount: refundCase.decision.amount, currency: refundCase.decision.currency, status: refundCase.status };
}

/** The status an audit event put the case in, if it is one that records a status. */
function statusSetBy(event: AuditEvent): string | undefined {
  const value = event.type === 'created' || event.type === 'decided' ? event.data.status : event.type === 'status_changed' ? event.data.to : event.type === 'escalated' ? event.data.to : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** When the case was first approved or denied (ms), if it was. */
function firstDecision(audit: AuditEvent[]): number | undefined {
  const event = audit.find((candidate) => DECIDED.has(statusSetBy(candidate) ?? ''));
  return event?.at.getTime();
}

/** A customer's 1–5 rating recorded by this event, if it is one. */
function csatOf(event: AuditEvent): number | undefined {
  const rating = event.type === 'note' ? event.data.csat : undefined;
  return typeof rating === 'number' && Number.isInteger(rating) && rating >= 1 && rating <= 5 ? rating : undefined;
}

/** Whether a person ended a hand-over with this event: their decision, or their hand-back. */
function isHandled(event: AuditEvent): boolean {
  if (event.actor.kind !== 'agent') return false;
  if (event.type === 'status_changed') return DECIDED.has(String(event.data.to));
  return event.type === 'note' && event.data.handedBack === true;
}

/**
 * When the hand-over that `end` closes began (ms): walking the trail before it, a hand-over opens
 * when the case is opened waiting for people or is escalated, and closes when a person decides,
 * hands back, or the case is otherwise settled (refunded, cancelled). Undefined when no hand-over
 * was open.
 */
function handoverStart(audit: AuditEvent[], end: AuditEvent): number | undefined {
  let open: number | undefined;
  for (const event of audit) {
    if (event.seq !== undefined && end.seq !== undefined && event.seq >= end.seq) break;
    if (isHandled(event)) {
      open = undefined;
      continue;
    }
    const status = statusSetBy(event);
    if (event.type === 'escalated' || (status !== undefined && WITH_PEOPLE.has(status))) open ??= event.at.getTime();
    else if (status !== undefined && CLOSING.has(status)) open = undefined;
  }
  return open;
}

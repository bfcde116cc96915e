import type { AgentActionEvent, AgentActionOutcome } from '../../dialogs/agentActions.ts';
import { AGENT_ACTION } from '../../dialogs/agentActions.ts';
import type { DeskNotifier } from '../../dialogs/services.ts';
import type { ConversationGateway } from '../bot/conversationGateway.ts';
import type { PublicActivity } from '../bot/publicActivity.ts';
import type { Order, OrderDirectory } from '../domain/order.ts';
import { OrdersUnavailableError } from '../errors.ts';
import { maskPii } from '../log/mask.ts';
import type { Logger } from '../log/logger.ts';
import type { RefundDesk } from '../refunds/refundDesk.ts';
import type { CaseStore, DeskStore, TranscriptStore } from '../stores/ports.ts';
import type { ActionResult, Agent, AgentAction, AgentDesk, DeskView, Handoff } from './types.ts';

/** How much of the conversation a desk view carries. */
const TRANSCRIPT_TAIL = 50;

/**
 * The agent desk's side of a hand-over, channel-neutral: runs people's actions as turns of the
 * conversation, keeps the desk index in step, and builds what a desk shows (Slack cards, the
 * `/agent` console). Desk outages never fail a customer's turn: publishing is retried with
 * backoff, and every open hand-over is published again at start-up.
 */
export class HandoffService implements DeskNotifier {
  readonly #gateway: ConversationGateway;
  readonly #cases: CaseStore;
  readonly #orders: OrderDirectory;
  readonly #transcripts: TranscriptStore;
  readonly #deskStore: DeskStore;
  readonly #refunds: RefundDesk;
  readonly #logger: Logger;
  readonly #evidenceUrl: (evidenceId: string) => string;
  #desk: AgentDesk;
  readonly #retries = new Map<string, NodeJS.Timeout>();

  constructor(options: {
    gateway: ConversationGateway;
    cases: CaseStore;
    orders: OrderDirectory;
    transcripts: TranscriptStore;
    deskStore: DeskStore;
    refunds: RefundDesk;
    desk: AgentDesk;
    /** A signed, expiring link to a proof file. */
    evidenceUrl: (evidenceId: string) => string;
    logger: Logger;
  }) {
    const { gateway, cases, orders, transcripts, deskStore, refunds, desk, evidenceUrl, logger } = options;
    if (!gateway || !cases || !orders || !transcripts || !deskStore || !refunds || !desk || !evidenceUrl || !logger) throw new Error('HandoffService: missing dependency');
    this.#evidenceUrl = evidenceUrl;
    this.#gateway = gateway;
    this.#cases = cases;
    this.#orders = orders;
    this.#transcripts = transcripts;
    this.#deskStore = deskStore;
    this.#refunds = refunds;
    this.#desk = desk;
    this.#logger = logger;
  }

  /** Replaces the desk (the composition root builds Slack's after this service exists). */
  useDesk(desk: AgentDesk): void {
    this.#desk = desk;
  }

  /** A person's action, carried out in the conversation's own turn; refusals say why. */
  async act(conversationId: string, agent: Agent, action: AgentAction): Promise<ActionResult> {
    const delivered = await this.#gateway.deliver(conversationId, { name: AGENT_ACTION, value: { agent, action } satisfies AgentActionEvent });
    if (!delivered) return { ok: false, refusal: 'not_found', message: 'this conversation no longer exists' };
    const outcome = delivered.result as AgentActionOutcome | undefined;
    const view = await this.view(conversationId);
    if (!view) return { ok: false, refusal: 'not_found', message: 'this conversation no longer exists' };
    if (!outcome?.ok) return { ok: false, refusal: outcome?.refusal ?? 'stale', message: outcome?.message ?? 'nothing to do', view };
    this.#logger.info({ conversationId, caseId: view.refundCase?.id, agent: agent.id, via: agent.via, action: action.kind }, 'agent action');
    return { ok: true, view };
  }

  async handoffChanged(conversationId: string, handoff: Handoff | undefined): Promise<void> {
    if (handoff) await this.#deskStore.putOpen(conversationId, handoff as unknown as Record<string, unknown>);
    else await this.#deskStore.close(conversationId);
    await this.#publish(conversationId);
  }

  async customerSaid(conversationId: string, activity: PublicActivity): Promise<void> {
    const view = await this.view(conversationId);
    if (!view) return;
    try {
      await this.#desk.customerSaid(view, activity);
    } catch (error) {
      this.#logger.warn({ err: error, conversationId }, 'could not relay a customer message to the desk');
    }
  }

  /** Everything a desk shows about one conversation (also after it was handed back). */
  async view(conversationId: string): Promise<DeskView | undefined> {
    const record = await this.#gateway.record(conversationId);
    if (!record) return undefined;
    const handoff = (await this.#deskStore.getOpen(conversationId)) as unknown as Handoff | undefined;
    const cases = await this.#cases.byConversation(conversationId);
    const refundCase = (handoff?.caseId ? cases.find((candidate) => candidate.id === handoff.caseId) : undefined) ?? cases[0];
    const { order, orderUnavailable } = refundCase ? await this.#order(refundCase.orderId) : { order: undefined, orderUnavailable: false };
    // Desks (Slack is a third party) see the customer's words with contact details masked.
    const transcript = (await this.#transcripts.list(conversationId, 0))
      .slice(-TRANSCRIPT_TAIL)
      .map((entry) => entry.activity as PublicActivity)
      .map((activity) => (activity.text ? { ...activity, text: maskPii(activity.text) } : activity));
    return {
      conversationId,
      channel: record.channel,
      locale: record.locale,
      handoff,
      refundCase: refundCase && { ...refundCase, reasonText: maskPii(refundCase.reasonText) },
      order,
      ...(orderUnavailable ? { orderUnavailable } : {}),
      contact: order ? maskedContact(order) : undefined,
      maxRefund: order && refundCase ? this.#refunds.maxRefund(order, refundCase.items) : undefined,
      evidence: (refundCase?.evidence ?? []).map((file) => ({ id: file.id, name: file.name, contentType: file.contentType, url: this.#evidenceUrl(file.id) })),
      transcript,
    };
  }

  /**
   * The case's order for the desk. The order API being down must not stop people from seeing the
   * conversation (it may be why it is with them): the card then says the order is unavailable.
   */
  async #order(orderId: string): Promise<{ order: Order | undefined; orderUnavailable: boolean }> {
    try {
      return { order: await this.#orders.get(orderId), orderUnavailable: false };
    } catch (error) {
      if (!(error instanceof OrdersUnavailableError)) throw error;
      return { order: undefined, orderUnavailable: true };
    }
  }

  /** Conversations with people, oldest first. */
  async open(): Promise<DeskView[]> {
    const entries = await this.#deskStore.listOpen();
    const views = await Promise.all(entries.map((entry) => this.view(entry.conversationId)));
    return views.filter((view): view is DeskView => view !== undefined);
  }

  /** Publishes every open hand-over again (at start-up: nothing queued before a restart is lost). */
  async republishOpen(): Promise<void> {
    for (const { conversationId } of await this.#deskStore.listOpen()) await this.#publish(conversationId);
  }

  /** Stops pending retries (on shutdown). */
  close(): void {
    for (const timer of this.#retries.values()) clearTimeout(timer);
    this.#retries.clear();
  }

  async #publish(conversationId: string, attempt = 0): Promise<void> {
    clearTimeout(this.#retries.get(conversationId));
    this.#retries.delete(conversationId);
    try {
      const view = await this.view(conversationId);
      if (view) await this.#desk.publish(view);
    } catch (error) {
      // The desk (Slack) is down: the hand-over is stored; try again later, a newer publish of
      // the same conversation replacing this one.
      const delayMs = Math.min(60_000, 1000 * 2 ** attempt);
      this.#logger.warn({ err: error, conversationId, attempt, delayMs }, 'could not publish to the agent desk; will retry');
      const timer = setTimeout(() => void this.#publish(conversationId, attempt + 1), delayMs);
      timer.unref();
      this.#retries.set(conversationId, timer);
    }
  }
}

/** The customer's contact for agents, masked: enough to recognise (`l***@example.com`, `***1001`), not to copy. */
function maskedContact(order: Order): string | undefined {
  const { email, phone } = order.customer;
  const parts: string[] = [];
  if (email) {
    const at = email.indexOf('@');
    parts.push(at > 0 ? `${email.slice(0, 1)}***${email.slice(at)}` : '***');
  }
  if (phone) parts.push(`***${phone.replace(/\D/g, '').slice(-4)}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

import type { PublicActivity } from '../bot/publicActivity.ts';
import type { Escalation, RefundCase } from '../domain/case.ts';
import type { Order } from '../domain/order.ts';

/** A person acting on the desk: a Slack user or someone at the built-in `/agent` console. */
export interface Agent {
  /** Stable id (Slack user id, or `console:<name>`), recorded in audit trails. */
  id: string;
  /** Display name the customer sees on the agent's messages. */
  name: string;
  via: 'slack' | 'console';
}

/**
 * A file an agent sends with a reply. Only ids of files already in the evidence store (so their
 * type and size were checked from the bytes): the customer downloads them from their own
 * conversation, never from the desk's (Slack's) private links.
 */
export interface AgentFile {
  evidenceId: string;
  name: string;
  contentType: string;
}

/** What an agent can do to a conversation handed to people. */
export type AgentAction =
  | { kind: 'take_over' }
  | { kind: 'reply'; /** May be empty when `files` carries something. */ text: string; files?: AgentFile[] }
  | { kind: 'approve'; /** Decimal amount in the order's currency; absent: the amount the policy proposed. */ amount?: number }
  | { kind: 'deny'; /** Told to the customer. */ reason: string }
  | { kind: 'hand_back' };

/** Why an action was not carried out (the desk shows it to the agent, e.g. as an ephemeral message). */
export type ActionRefusal =
  | 'stale' // the case was already decided, or nothing is handed over any more
  | 'held_by_other' // another agent holds the conversation
  | 'amount_too_high' // more than the customer paid for what is claimed
  | 'no_case' // approve/deny with no case in the conversation
  | 'not_found' // unknown conversation
  | 'orders_unavailable'; // the order API failed: the most refundable amount cannot be checked now

export type ActionResult = { ok: true; view: DeskView } | { ok: false; refusal: ActionRefusal; message: string; view?: DeskView };

/** Who holds a conversation that was handed to people. */
export interface Handoff {
  escalationId: string;
  reason: Escalation['reason'];
  caseId?: string;
  /** ISO time of the escalation. */
  since: string;
  /** The agent holding the conversation; absent while it waits for one. */
  agent?: Agent;
  /** What the customer wants in one line, written by the language model (when it is on); the transcript stays the source of truth. */
  summary?: string;
}

/** Everything a desk shows about one handed-over conversation. */
export interface DeskView {
  conversationId: string;
  channel: string;
  locale: string;
  handoff: Handoff | undefined;
  refundCase: RefundCase | undefined;
  order: Order | undefined;
  /** The order API failed when this view was built: `order` is missing, not unknown — say so, try again later. */
  orderUnavailable?: boolean;
  /** Customer contact, masked (`l***@example.com`, `+86 *** 1001`). */
  contact: string | undefined;
  /** The most the customer can be refunded for the case's items (minor units), for partial approvals. */
  maxRefund: number | undefined;
  /** The case's proof files with signed, expiring links for agents. */
  evidence: { id: string; name: string; contentType: string; url: string }[];
  transcript: PublicActivity[];
}

/**
 * Port: where handed-over conversations go to people — Slack (a card per conversation, updated
 * in place, with a thread for the conversation) or the built-in `/agent` console (nothing to
 * push: it reads the stores). Both calls must be safe to repeat.
 */
export interface AgentDesk {
  /** Posts the conversation's card, or updates it in place if it exists (first call opens its thread). */
  publish(view: DeskView): Promise<void>;
  /** Shows a customer's message in the conversation's thread while people handle it. */
  customerSaid(view: DeskView, activity: PublicActivity): Promise<void>;
}

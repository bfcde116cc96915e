import type { Button, KnownBlock, SectionBlock } from '@slack/types';
import type { PublicActivity } from '../../bot/publicActivity.ts';
import type { CaseStatus } from '../../domain/case.ts';
import { formatMoney } from '../../domain/money.ts';
import type { DeskView, Handoff } from '../../handoff/types.ts';
import { maskPii } from '../../log/mask.ts';
import { DESK_ACTIONS, type DeskActionId, encodeButtonValue } from './actions.ts';
import { escapeMrkdwn, mrkdwnLink, truncate } from './mrkdwn.ts';

/**
 * The case card: one Slack message per handed-over conversation, updated in place, whose thread
 * is the conversation with the customer. Pure functions of the DeskView.
 *
 * Slack's limits shape the text: a section's text is at most 3,000 characters, a field 2,000, a
 * header 150, a button label 75, a message 50 blocks.
 * https://docs.slack.dev/reference/block-kit/blocks
 *
 * Customers' own words pass through `maskPii` (Slack keeps messages outside our stores), and
 * through `escapeMrkdwn` so they cannot mention `@channel` or forge links.
 */

export interface CardOptions {
  /**
   * A link agents can open for a proof file (signed, expiring), for files in the transcript that
   * are not among the view's own `evidence` (which carries its links).
   */
  evidenceUrl(evidenceId: string): string;
  /** How many of the latest transcript lines the card shows; 10 by default. */
  transcriptLines?: number;
}

/** A message as `chat.postMessage` / `chat.update` take it: `text` is the notification fallback. */
export interface CardMessage {
  text: string;
  blocks: KnownBlock[];
}

const MONEY_LOCALE = 'en';
const SECTION_MAX = 3000;
const LINE_MAX = 400;
const DEFAULT_TRANSCRIPT_LINES = 10;

/** Case statuses after which nothing is left for an agent to decide. */
const DECIDED: ReadonlySet<CaseStatus> = new Set(['approved', 'denied', 'refunded', 'cancelled']);
/** Case statuses an agent can still approve or deny. */
const OPEN: ReadonlySet<CaseStatus> = new Set(['pending_review', 'escalated']);

const REASONS: Record<Handoff['reason'], string> = {
  customer_request: 'asked for a person',
  dispute: 'disputes the decision',
  needs_review: 'needs human review',
  not_understood: 'not understood by the assistant',
  too_many_attempts: 'too many failed attempts',
  refund_delivery_failed: "the shop's refund webhook keeps failing (the refund is approved but not paid yet)",
  orders_unavailable: "the shop's order API failed: the order could not be looked up",
};

const ROLES: Record<PublicActivity['from']['role'], string> = { user: 'Customer', bot: 'Assistant', agent: 'Agent' };

export function caseCard(view: DeskView, options: CardOptions): CardMessage {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title(view), 150), emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(statusLine(view), SECTION_MAX) }] },
    factsSection(view),
    ...optionalSections(view, options),
    { type: 'divider' },
    transcriptSection(view, options),
  ];
  const actions = actionButtons(view);
  if (actions.length > 0) blocks.push({ type: 'actions', elements: actions });
  return { text: truncate(`${title(view)} — ${plainStatus(view)}`, 3000), blocks };
}

/** The buttons that still apply to the conversation's current state, in display order. */
export function availableActions(view: DeskView): DeskActionId[] {
  if (!view.handoff) return [];
  const actions: DeskActionId[] = [];
  if (!view.handoff.agent) actions.push(DESK_ACTIONS.takeOver);
  const refundCase = view.refundCase;
  if (refundCase && OPEN.has(refundCase.status)) {
    if (refundCase.decision.amount > 0) actions.push(DESK_ACTIONS.approve);
    if ((view.maxRefund ?? 0) > 0) actions.push(DESK_ACTIONS.approvePartial);
    actions.push(DESK_ACTIONS.deny);
  }
  actions.push(DESK_ACTIONS.handBack);
  return actions;
}

/** A customer's message in the card's thread: text, and proof files as links. */
export function customerMessage(activity: PublicActivity, options: Pick<CardOptions, 'evidenceUrl'>): { text: string } {
  const lines: string[] = [];
  const text = activity.text?.trim();
  lines.push(`*Customer:* ${text ? escapeMrkdwn(maskPii(truncate(text, SECTION_MAX))) : '_(no text)_'}`);
  for (const file of activity.attachments ?? []) lines.push(`:paperclip: ${attachmentLink(file, options)}`);
  return { text: truncate(lines.join('\n'), 40_000) };
}

function title(view: DeskView): string {
  const refundCase = view.refundCase;
  if (refundCase) return `Refund case ${refundCase.id} · order ${refundCase.orderId}`;
  if (view.order) return `Customer asks for a person · order ${view.order.id}`;
  return 'Customer asks for a person';
}

function holder(handoff: Handoff): string {
  return handoff.agent ? `held by ${handoff.agent.name}` : 'waiting for an agent';
}

/** Where the conversation stands, for the notification text (no markup). */
function plainStatus(view: DeskView): string {
  const decided = decision(view);
  if (decided) return decided.plain;
  return view.handoff ? holder(view.handoff) : 'back with the assistant';
}

function statusLine(view: DeskView): string {
  const parts: string[] = [];
  const decided = decision(view);
  if (decided) parts.push(decided.mrkdwn);
  const handoff = view.handoff;
  if (!handoff) parts.push(':robot_face: Back with the assistant');
  else {
    parts.push(handoff.agent ? `:bust_in_silhouette: Held by *${escapeMrkdwn(handoff.agent.name)}*` : ':hourglass_flowing_sand: *Waiting for an agent*');
    parts.push(`handed over ${slackDate(handoff.since)} — ${REASONS[handoff.reason] ?? handoff.reason}`);
  }
  return parts.join(' · ');
}

function decision(view: DeskView): { plain: string; mrkdwn: string } | undefined {
  const refundCase = view.refundCase;
  if (!refundCase || !DECIDED.has(refundCase.status)) return undefined;
  const { amount, currency } = refundCase.decision;
  const money = amount > 0 && refundCase.status !== 'denied' && refundCase.status !== 'cancelled' ? ` ${formatMoney(amount, currency, MONEY_LOCALE)}` : '';
  const icon = refundCase.status === 'denied' || refundCase.status === 'cancelled' ? ':no_entry_sign:' : ':white_check_mark:';
  return { plain: `${refundCase.status}${money}`, mrkdwn: `${icon} *${capitalise(refundCase.status)}*${money}` };
}

function factsSection(view: DeskView): SectionBlock {
  const { order, refundCase } = view;
  const fields: [string, string][] = [
    ['Customer', view.contact ? escapeMrkdwn(view.contact) : '_unknown_'],
    ['Channel', escapeMrkdwn(view.channel)],
    ['Order', escapeMrkdwn(refundCase?.orderId ?? order?.id ?? '—')],
    ['Paid', order ? formatMoney(order.paid, order.currency, MONEY_LOCALE) : view.orderUnavailable ? '_unavailable_' : '—'],
  ];
  if (refundCase) fields.push(['Category', refundCase.category.replace(/_/g, ' ')]);
  fields.push(['Language', escapeMrkdwn(view.locale)]);
  return { type: 'section', fields: fields.map(([label, value]) => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, 2000) })) };
}

function optionalSections(view: DeskView, options: CardOptions): KnownBlock[] {
  const sections: string[] = [];
  const { order, refundCase } = view;
  const summary = view.handoff?.summary?.trim();
  // The language model's reading of the conversation, labelled as such: the transcript below is the record.
  if (summary) sections.push(`*Summary* _(by the language model)_\n${quote(escapeMrkdwn(maskPii(truncate(summary, 300))))}`);
  if (view.orderUnavailable) sections.push(":warning: *Order details unavailable*\nThe shop's order API is not answering; they show again when it is back.");
  if (order) {
    const claimed = refundCase ? order.items.filter((item) => refundCase.items.includes(item.sku)) : order.items;
    const lines = claimed.map(
      (item) => `• ${escapeMrkdwn(item.name)} (${escapeMrkdwn(item.sku)}) ×${item.quantity} — ${formatMoney(item.unitPrice * item.quantity, order.currency, MONEY_LOCALE)}`,
    );
    if (lines.length > 0) sections.push(`*${refundCase ? 'Claimed items' : 'Items'}*\n${lines.join('\n')}`);
  }
  if (refundCase) {
    const words = refundCase.reasonText.trim();
    if (words) sections.push(`*In the customer's words*\n${quote(escapeMrkdwn(maskPii(truncate(words, 1000))))}`);
    const evidence = view.evidence.map((file) => `:paperclip: ${mrkdwnLink(file.url, file.name)}`);
    sections.push(`*Evidence*\n${evidence.length > 0 ? evidence.join('\n') : '_none_'}`);
    const { outcome, amount, currency, clauses, guardrails } = refundCase.decision;
    const label = DECIDED.has(refundCase.status) ? 'Decision' : 'Assistant proposes';
    const money = outcome === 'none' ? '' : ` — ${outcome === 'review' && amount === 0 ? 'amount to decide' : formatMoney(amount, currency, MONEY_LOCALE)}`;
    const max = view.maxRefund !== undefined ? ` (at most ${formatMoney(view.maxRefund, currency, MONEY_LOCALE)})` : '';
    sections.push(`*${label}*\n${outcomeText(outcome)}${money}${max}\nClauses: ${clauses.length > 0 ? clauses.map(escapeMrkdwn).join(', ') : '—'}`);
    const flags = guardrails.map((id) => `:warning: ${escapeMrkdwn(id.replace(/_/g, ' '))}`);
    sections.push(`*Risk flags*\n${flags.length > 0 ? flags.join('\n') : '_none_'}`);
  }
  return sections.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) } }));
}

function outcomeText(outcome: string): string {
  switch (outcome) {
    case 'full':
      return 'Full refund';
    case 'partial':
      return 'Partial refund';
    case 'none':
      return 'No refund';
    default:
      return 'Human review';
  }
}

/** The latest transcript lines, trimmed from the oldest so the section stays under Slack's limit. */
function transcriptSection(view: DeskView, options: CardOptions): SectionBlock {
  const count = options.transcriptLines ?? DEFAULT_TRANSCRIPT_LINES;
  // Proof files the view already signed links for; others (not on the case) get one here.
  const signed = new Map(view.evidence.map((file) => [file.id, file.url]));
  const linkOptions = { evidenceUrl: (id: string) => signed.get(id) ?? options.evidenceUrl(id) };
  const lines = view.transcript.slice(-count).map((activity) => transcriptLine(activity, linkOptions));
  const header = `*Conversation* (last ${lines.length})`;
  while (lines.length > 0 && [header, ...lines].join('\n').length > SECTION_MAX) lines.shift();
  const body = lines.length > 0 ? lines.join('\n') : '_no messages yet_';
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(`${header}\n${body}`, SECTION_MAX) } };
}

function transcriptLine(activity: PublicActivity, options: Pick<CardOptions, 'evidenceUrl'>): string {
  const who = activity.from.role === 'agent' && activity.from.name ? `Agent ${activity.from.name}` : ROLES[activity.from.role];
  const when = activity.timestamp ? ` ${slackDate(activity.timestamp, '{time}')}` : '';
  const text = activity.text ? escapeMrkdwn(maskPii(truncate(activity.text.replace(/\s+/g, ' ').trim(), LINE_MAX))) : '';
  const files = (activity.attachments ?? []).map((file) => `:paperclip: ${attachmentLink(file, options)}`);
  return `*${escapeMrkdwn(who)}*${when}: ${[text, ...files].filter(Boolean).join(' ')}`;
}

function attachmentLink(file: NonNullable<PublicActivity['attachments']>[number], options: Pick<CardOptions, 'evidenceUrl'>): string {
  return file.evidenceId ? mrkdwnLink(options.evidenceUrl(file.evidenceId), file.name) : escapeMrkdwn(file.name);
}

function actionButtons(view: DeskView): Button[] {
  const conversationId = view.conversationId;
  // Approve and Approve partial only appear with an open case (availableActions), so its decision is there.
  const decision = view.refundCase?.decision;
  const currency = decision?.currency ?? view.order?.currency ?? 'USD';
  return availableActions(view).map((actionId): Button => {
    switch (actionId) {
      case DESK_ACTIONS.takeOver:
        return button(actionId, 'Take over', encodeButtonValue({ conversationId }), 'primary');
      case DESK_ACTIONS.approve: {
        const amount = formatMoney(decision?.amount ?? 0, currency, MONEY_LOCALE);
        return {
          ...button(actionId, truncate(`Approve ${amount}`, 75), encodeButtonValue({ conversationId })),
          // A refund is money out of the door: one more click, on purpose.
          confirm: {
            title: { type: 'plain_text', text: 'Approve the refund?' },
            text: { type: 'mrkdwn', text: truncate(`Refund ${amount} to the customer now.`, 300) },
            confirm: { type: 'plain_text', text: 'Approve' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        };
      }
      case DESK_ACTIONS.approvePartial:
        return button(
          actionId,
          'Approve partial…',
          encodeButtonValue({ conversationId, currency, max: view.maxRefund ?? 0, ...(decision ? { proposed: decision.amount } : {}) }),
        );
      case DESK_ACTIONS.deny:
        return button(actionId, 'Deny…', encodeButtonValue({ conversationId }), 'danger');
      case DESK_ACTIONS.handBack:
        return button(actionId, 'Hand back to assistant', encodeButtonValue({ conversationId }));
    }
  });
}

function button(actionId: DeskActionId, text: string, value: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text, emoji: true }, value, ...(style ? { style } : {}) };
}

/** A date Slack shows in each reader's own time zone, with the ISO time as the fallback. https://docs.slack.dev/messaging/formatting-message-text#date-formatting */
function slackDate(iso: string, format = '{date_short_pretty} {time}'): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  return `<!date^${Math.floor(ms / 1000)}^${format}|${new Date(ms).toISOString()}>`;
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1).replace(/_/g, ' ');
}


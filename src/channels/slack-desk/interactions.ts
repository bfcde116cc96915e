import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ModalView } from '@slack/types';
import { type Clock, systemClock } from '../../domain/clock.ts';
import type { AgentAction } from '../../handoff/types.ts';
import type { Logger } from '../../log/logger.ts';
import type { DeskStore, EvidenceStore, IdempotencyStore } from '../../stores/ports.ts';
import { DeskAccess } from './access.ts';
import { ButtonValue, DESK_ACTIONS, DESK_VIEWS, decodeButtonValue, PartialButtonValue } from './actions.ts';
import { SlackFileIntake } from './agentFiles.ts';
import { type ActFn, AgentGate, type Where } from './agentGate.ts';
import { dedupeDeliveries } from './dedupe.ts';
import { DisplayNames } from './displayNames.ts';
import { AMOUNT_BLOCK, denyModal, type ModalMetadata, partialApprovalModal, REASON_BLOCK, readDenyReason, readModalMetadata, readPartialAmount, type Submission } from './modals.ts';
import { ButtonClick, userFallbackName, ViewSubmission } from './payloads.ts';
import { DESK_TEXTS } from './texts.ts';
import { ThreadReplies } from './threadReplies.ts';

export type { ActFn } from './agentGate.ts';

/** What the Slack interactions need, whatever the transport (HTTP route or Socket Mode). */
export interface DeskInteractionOptions {
  /** Runs an agent's action as a turn of the conversation: `HandoffService.act`. */
  act: ActFn;
  deskStore: DeskStore;
  idempotency: IdempotencyStore;
  /** Web API client with the bot token (`createSlackWebClient`). */
  client: WebClient;
  /** The agent channel's id: its members may act. */
  agentChannel: string;
  /** A user group id (`S…`) whose members may act too. */
  agentUsergroup?: string;
  logger: Logger;
  clock?: Clock;
  /**
   * Where files agents attach to thread replies are stored for the customer to download
   * (`stores.evidence`); without it those files are not relayed and the agent is told so.
   */
  evidence?: EvidenceStore;
}

/** Two clicks on one button by one agent within this window are one click. */
const DOUBLE_CLICK_MS = 5000;
/** A modal is submitted once; remembered as long as a delivery. */
const SUBMISSION_TTL_MS = 60 * 60 * 1000;

/**
 * Registers the desk's listeners on a Bolt app: the card's buttons, the two modals and replies in
 * a card's thread. Every path acknowledges Slack first (within its 3-second limit) and then
 * checks the user, deduplicates and runs `act`; refusals come back to the agent as ephemeral
 * messages. https://docs.slack.dev/tools/bolt-js/concepts/acknowledge
 */
export function registerDeskListeners(app: App, options: DeskInteractionOptions): void {
  for (const name of ['act', 'deskStore', 'idempotency', 'client', 'agentChannel', 'logger'] as const) {
    if (!options?.[name]) throw new TypeError(`registerDeskListeners: options.${name} is required`);
  }
  const { client, idempotency, logger } = options;
  const clock = options.clock ?? systemClock;
  const access = new DeskAccess({ client, channel: options.agentChannel, clock, logger, ...(options.agentUsergroup ? { usergroup: options.agentUsergroup } : {}) });
  const gate = new AgentGate({ act: options.act, access, names: new DisplayNames({ client, clock, logger }), client, logger });
  // Files are fetched from the host the client calls (SLACK_API_URL) or Slack's file server, with its token.
  const files = options.evidence ? new SlackFileIntake({ evidence: options.evidence, token: client.token, slackApiUrl: client.slackApiUrl, logger }) : undefined;
  const replies = new ThreadReplies({ gate, deskStore: options.deskStore, files, logger });

  app.use(dedupeDeliveries({ idempotency, logger }));

  /** A click on a card button, checked, deduplicated and parsed; undefined when there is nothing to do. */
  const admitClick = async <T extends typeof ButtonValue>(body: unknown, schema: T) => {
    const parsed = ButtonClick.safeParse(body);
    const action = parsed.success ? parsed.data.actions[0] : undefined;
    const value = action ? decodeButtonValue(schema, action.value) : undefined;
    if (!parsed.success || !action || !value) {
      logger.warn({ actionId: action?.action_id }, 'slack desk: unreadable button click ignored');
      return undefined;
    }
    const click = parsed.data;
    const where: Where = { channel: click.channel?.id ?? click.container.channel_id ?? options.agentChannel };
    if (!(await gate.admit({ id: click.user.id, teamId: click.user.team_id }, where))) return undefined;
    // A double click sends two payloads with different action_ts: the second is dropped here.
    if (!(await idempotency.claim(`slack:click:${value.conversationId}:${action.action_id}:${click.user.id}`, DOUBLE_CLICK_MS))) return undefined;
    return { click, value, where };
  };

  const onButton = (actionId: string, agentAction: AgentAction) => {
    app.action(actionId, async ({ ack, body }) => {
      await ack();
      const admitted = await admitClick(body, ButtonValue);
      if (!admitted) return;
      const agent = await gate.agent({ id: admitted.click.user.id, fallbackName: userFallbackName(admitted.click.user) });
      await gate.act(admitted.value.conversationId, agent, agentAction, admitted.where);
    });
  };
  onButton(DESK_ACTIONS.takeOver, { kind: 'take_over' });
  onButton(DESK_ACTIONS.approve, { kind: 'approve' });
  onButton(DESK_ACTIONS.handBack, { kind: 'hand_back' });

  /** Opens a modal; its trigger_id is valid for 3 seconds, so no other Slack call comes first but the access check. */
  const openModal = async (triggerId: string, view: ModalView, userId: string, where: Where) => {
    try {
      await client.views.open({ trigger_id: triggerId, view });
    } catch (error) {
      logger.warn({ err: error, userId }, 'slack desk: could not open a modal');
      await gate.tell(where, userId, DESK_TEXTS.modalFailed);
    }
  };

  app.action(DESK_ACTIONS.approvePartial, async ({ ack, body }) => {
    await ack();
    const admitted = await admitClick(body, PartialButtonValue);
    if (!admitted) return;
    const { click, value, where } = admitted;
    const modal = partialApprovalModal({ conversationId: value.conversationId, channel: where.channel, currency: value.currency, max: value.max, ...(value.proposed !== undefined ? { proposed: value.proposed } : {}) });
    await openModal(click.trigger_id, modal, click.user.id, where);
  });

  app.action(DESK_ACTIONS.deny, async ({ ack, body }) => {
    await ack();
    const admitted = await admitClick(body, ButtonValue);
    if (!admitted) return;
    await openModal(admitted.click.trigger_id, denyModal({ conversationId: admitted.value.conversationId, channel: admitted.where.channel }), admitted.click.user.id, admitted.where);
  });

  /**
   * A modal submission: invalid input or a user who may not act keeps the modal open with the
   * reason under the field; a valid one closes it (ack) and then runs the action once.
   */
  const onSubmit = (callbackId: string, field: string, read: (submission: ViewSubmission, metadata: ModalMetadata) => Submission<AgentAction>) => {
    app.view(callbackId, async ({ ack, body }) => {
      const parsed = ViewSubmission.safeParse(body);
      const metadata = parsed.success ? readModalMetadata(parsed.data.view.private_metadata) : undefined;
      if (!parsed.success || !metadata) {
        logger.warn({ callbackId }, 'slack desk: unreadable modal submission ignored');
        await ack();
        return;
      }
      const submission = parsed.data;
      const verdict = await access.check({ id: submission.user.id, teamId: submission.user.team_id });
      if (verdict !== 'allowed') {
        await ack({ response_action: 'errors', errors: { [field]: verdict === 'unknown' ? DESK_TEXTS.accessUnknown : DESK_TEXTS.notAuthorised } });
        return;
      }
      const result = read(submission, metadata);
      if (!result.ok) {
        await ack({ response_action: 'errors', errors: result.errors });
        return;
      }
      await ack();
      if (!(await idempotency.claim(`slack:view:${submission.view.id}`, SUBMISSION_TTL_MS))) return;
      const agent = await gate.agent({ id: submission.user.id, fallbackName: userFallbackName(submission.user) });
      await gate.act(metadata.conversationId, agent, result.value, { channel: metadata.channel });
    });
  };

  onSubmit(DESK_VIEWS.approvePartial, AMOUNT_BLOCK, (submission, metadata) => {
    const amount = readPartialAmount(submission.view.state.values, metadata);
    return amount.ok ? { ok: true, value: { kind: 'approve', amount: amount.value } } : amount;
  });
  onSubmit(DESK_VIEWS.deny, REASON_BLOCK, (submission) => {
    const reason = readDenyReason(submission.view.state.values);
    return reason.ok ? { ok: true, value: { kind: 'deny', reason: reason.value } } : reason;
  });

  app.event('message', async ({ event }) => {
    await replies.handle(event);
  });

  app.error(async (error) => {
    logger.error({ err: error }, 'slack desk: unhandled error in a listener');
  });
}

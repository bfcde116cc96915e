import type { WebClient } from '@slack/web-api';
import type { ActionResult, Agent, AgentAction } from '../../handoff/types.ts';
import type { Logger } from '../../log/logger.ts';
import type { DeskAccess, SlackActor } from './access.ts';
import type { DisplayNames } from './displayNames.ts';
import { DESK_TEXTS, refusalText } from './texts.ts';

/** Runs an agent's action as a turn of the conversation (HandoffService.act). */
export type ActFn = (conversationId: string, agent: Agent, action: AgentAction) => Promise<ActionResult>;

/** Where to answer an agent privately: the card's channel, and its thread for thread replies. */
export interface Where {
  channel: string;
  threadTs?: string;
}

/**
 * The desk's door for one Slack user: checks they may act, names them, runs their action and
 * answers them privately (ephemeral messages) when it was refused or failed. Never throws:
 * whatever goes wrong is logged and told to the agent, not to Bolt's error handler.
 */
export class AgentGate {
  readonly #act: ActFn;
  readonly #access: DeskAccess;
  readonly #names: DisplayNames;
  readonly #client: WebClient;
  readonly #logger: Logger;

  constructor(options: { act: ActFn; access: DeskAccess; names: DisplayNames; client: WebClient; logger: Logger }) {
    this.#act = options.act;
    this.#access = options.access;
    this.#names = options.names;
    this.#client = options.client;
    this.#logger = options.logger;
  }

  /** True when the user may act; otherwise tells them why not (with `suffix`, e.g. "not sent"). */
  async admit(actor: SlackActor, where: Where, suffix?: string): Promise<boolean> {
    const verdict = await this.#access.check(actor);
    if (verdict === 'allowed') return true;
    this.#logger.warn({ userId: actor.id, verdict }, 'slack desk: action refused: not an agent');
    await this.tell(where, actor.id, [verdict === 'unknown' ? DESK_TEXTS.accessUnknown : DESK_TEXTS.notAuthorised, suffix].filter(Boolean).join(' '));
    return false;
  }

  /** The acting agent as the audit trail and the customer see them. */
  async agent(user: { id: string; fallbackName?: string | undefined }): Promise<Agent> {
    return { id: user.id, name: await this.#names.of(user.id, user.fallbackName), via: 'slack' };
  }

  /** Runs the action; a refusal or failure is told to the agent. Resolves with the result (undefined: it failed). */
  async act(conversationId: string, agent: Agent, action: AgentAction, where: Where, refusedSuffix?: string): Promise<ActionResult | undefined> {
    try {
      const result = await this.#act(conversationId, agent, action);
      if (!result.ok) {
        this.#logger.info({ conversationId, agentId: agent.id, action: action.kind, refusal: result.refusal }, 'slack desk: action refused');
        await this.tell(where, agent.id, [refusalText(result.refusal, result.message), refusedSuffix].filter(Boolean).join(' '));
      }
      return result;
    } catch (error) {
      this.#logger.error({ err: error, conversationId, agentId: agent.id, action: action.kind }, 'slack desk: action failed');
      await this.tell(where, agent.id, [DESK_TEXTS.failed, refusedSuffix].filter(Boolean).join(' '));
      return undefined;
    }
  }

  /** An ephemeral message only `userId` sees. https://docs.slack.dev/reference/methods/chat.postEphemeral */
  async tell(where: Where, userId: string, text: string): Promise<void> {
    try {
      await this.#client.chat.postEphemeral({ channel: where.channel, user: userId, text, ...(where.threadTs ? { thread_ts: where.threadTs } : {}) });
    } catch (error) {
      this.#logger.warn({ err: error, userId }, 'slack desk: could not answer the agent');
    }
  }
}

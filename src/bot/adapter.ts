import { randomUUID } from 'node:crypto';
import {
  type Activity,
  ActivityTypes,
  BotAdapter,
  type ConversationReference,
  type ResourceResponse,
  TurnContext,
} from 'botbuilder';
import { turnOutput } from './turnEffects.ts';

const REPLIES = Symbol('replies');

export type BotLogic = (context: TurnContext) => Promise<void>;

/**
 * A Bot Framework adapter for our own channels (the conversation API now; WeChat and Slack
 * customers later): runs a turn through the middleware and the bot, and returns what the bot
 * sent instead of posting it to a Bot Framework connector. Keeping the SDK behind this class
 * and `src/bot/` means a later move off the archived SDK stays contained.
 */
export class ChannelAdapter extends BotAdapter {
  /** Runs one inbound activity and resolves with the bot's replies, in order. */
  async processActivity(activity: Partial<Activity>, logic: BotLogic): Promise<Partial<Activity>[]> {
    return (await this.runTurn(activity, logic)).replies;
  }

  /** Runs one inbound activity; resolves with the replies, the after-commit effects and the result. */
  async runTurn(activity: Partial<Activity>, logic: BotLogic): Promise<{ replies: Partial<Activity>[] } & ReturnType<typeof turnOutput>> {
    const context = new TurnContext(this, activity);
    const replies: Partial<Activity>[] = [];
    context.turnState.set(REPLIES, replies);
    await this.runMiddleware(context, logic);
    return { replies, ...turnOutput(context) };
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const replies: Partial<Activity>[] | undefined = context.turnState.get(REPLIES);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      const id = activity.id ?? randomUUID();
      if (activity.type !== 'delay' && activity.type !== ActivityTypes.Trace) {
        replies?.push({ ...activity, id });
      }
      responses.push({ id });
    }
    return responses;
  }

  override async updateActivity(): Promise<void> {
    throw new Error('updateActivity is not supported on this channel');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('deleteActivity is not supported on this channel');
  }

  /**
   * Proactive messages (agent replies, status changes): runs `logic` in a turn built from the
   * conversation reference; what it sends goes through the same middleware (and so into the
   * transcript) and is returned.
   */
  override async continueConversation(reference: Partial<ConversationReference>, logic: BotLogic): Promise<void> {
    await this.processActivity(TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true), logic);
  }
}

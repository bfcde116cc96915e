import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import type { Clock } from '../domain/clock.ts';
import type { TranscriptStore } from '../stores/ports.ts';
import { toPublicActivity } from './publicActivity.ts';

/**
 * Records both sides of every conversation in the transcript store: the customer's message
 * before the bot runs (so it is never lost, even if the turn fails) and each bot message as it
 * is sent (so proactive messages are recorded too).
 */
export class TranscriptMiddleware implements Middleware {
  readonly #transcripts: TranscriptStore;
  readonly #clock: Clock;

  constructor(options: { transcripts: TranscriptStore; clock: Clock }) {
    if (!options.transcripts || !options.clock) throw new Error('TranscriptMiddleware needs transcripts and clock');
    this.#transcripts = options.transcripts;
    this.#clock = options.clock;
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const conversationId = context.activity.conversation?.id;
    if (!conversationId) return next();
    if (context.activity.type === ActivityTypes.Message) {
      const role = context.activity.from?.role === 'agent' ? 'agent' : 'user';
      await this.#transcripts.append(conversationId, [toPublicActivity(context.activity, role, this.#clock.now())]);
    }
    context.onSendActivities(async (_ctx, activities, sendNext) => {
      const now = this.#clock.now();
      for (const activity of activities) activity.timestamp ??= now;
      const responses = await sendNext();
      const messages = activities
        .map((activity, index) => ({ ...activity, id: responses[index]?.id ?? activity.id }))
        .filter((activity) => activity.type === ActivityTypes.Message)
        .map((activity) => toPublicActivity(activity, activity.from?.role === 'agent' ? 'agent' : 'bot', now));
      if (messages.length > 0) await this.#transcripts.append(conversationId, messages);
      return responses;
    });
    await next();
  }
}

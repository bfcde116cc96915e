import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import type { Clock } from '../domain/clock.ts';
import type { TranscriptStore } from '../stores/ports.ts';
import { type PublicActivity, toPublicActivity } from './publicActivity.ts';

/**
 * Records both sides of every conversation in the transcript store. A turn's messages (the
 * customer's and the bot's replies) are written in one append when the turn ends, whether it
 * succeeded or failed: one write per turn instead of one per message. Anything sent after that
 * (the apology of a failed turn, proactive messages) is written as it is sent.
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
    const pending: PublicActivity[] = [];
    let flushed = false;
    if (context.activity.type === ActivityTypes.Message) {
      pending.push(toPublicActivity(context.activity, roleOf(context.activity.from?.role, 'user'), this.#clock.now()));
    }
    context.onSendActivities(async (_ctx, activities, sendNext) => {
      const now = this.#clock.now();
      for (const activity of activities) activity.timestamp ??= now;
      const responses = await sendNext();
      const messages = activities
        .map((activity, index) => ({ ...activity, id: responses[index]?.id ?? activity.id }))
        .filter((activity) => activity.type === ActivityTypes.Message)
        .map((activity) => toPublicActivity(activity, roleOf(activity.from?.role, 'bot'), now));
      if (flushed) {
        if (messages.length > 0) await this.#transcripts.append(conversationId, messages);
      } else {
        pending.push(...messages);
      }
      return responses;
    });
    try {
      await next();
    } finally {
      flushed = true;
      if (pending.length > 0) await this.#transcripts.append(conversationId, pending);
    }
  }
}

function roleOf(role: string | undefined, fallback: 'user' | 'bot'): PublicActivity['from']['role'] {
  return role === 'agent' ? 'agent' : fallback;
}

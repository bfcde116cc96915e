import { setTimeout as sleep } from 'node:timers/promises';
import type { ConversationEvents, TurnCommit, TurnKey, TurnSnapshot } from '../../../src/stores/ports.ts';

/** The turn key of a conversation, with botbuilder's ConversationState key shape. */
export function turnKey(conversationId = 'conv-1'): TurnKey {
  return { conversationId, stateKey: `webchat/conversations/${conversationId}/` };
}

/** The `count` of a snapshot's state (0 for a new conversation). */
export function countOf(snapshot: TurnSnapshot): number {
  return typeof snapshot.state?.count === 'number' ? snapshot.state.count : 0;
}

/** A commit that adds one to the state's count (eTag-checked against the snapshot) and appends `activities`. */
export function incrementCommit(snapshot: TurnSnapshot, activities: Record<string, unknown>[]): TurnCommit {
  const eTag = snapshot.state?.eTag;
  return {
    state: { item: { count: countOf(snapshot) + 1 }, expectedETag: typeof eTag === 'string' ? eTag : null },
    transcript: activities,
  };
}

/** Rejects with a clear message when `promise` takes longer than `ms` (instead of the test timeout). */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise with its resolve function, to hold a turn's work until the test lets it go. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * Counts one conversation's notices. `whenActive` makes sure the subscription is live before a
 * test relies on it: on Redis, SUBSCRIBE travels on its own connection and a notice published
 * before Redis processed it is not delivered (pub/sub keeps nothing), so it publishes probes
 * until one is heard, then starts counting from zero.
 */
export function watchNotices(events: ConversationEvents, conversationId: string) {
  let count = 0;
  let waiter: (() => void) | undefined;
  const stop = events.subscribe(conversationId, () => {
    count++;
    waiter?.();
  });
  const next = (ms: number): Promise<void> =>
    within(
      ms,
      new Promise<void>((resolve) => {
        waiter = resolve;
      }),
      `a notice for ${conversationId}`,
    );
  return {
    get count() {
      return count;
    },
    next,
    stop,
    async whenActive(ms = 3_000): Promise<void> {
      const deadline = performance.now() + ms;
      for (let attempt = 0; count === 0; attempt++) {
        if (performance.now() > deadline) throw new Error(`the subscription to ${conversationId} was not active within ${ms} ms`);
        await events.publish(conversationId);
        await sleep(attempt === 0 ? 0 : 10);
      }
      count = 0;
    },
  };
}

import type { ConversationEvents } from '../ports.ts';

/**
 * "A conversation's transcript grew" within this process (the embedded store serves one
 * process): listeners per conversation id, dropped when the last one stops listening.
 */
export class InProcessConversationEvents implements ConversationEvents {
  readonly #listeners = new Map<string, Set<() => void>>();

  subscribe(conversationId: string, listener: () => void): () => void {
    let listeners = this.#listeners.get(conversationId);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(conversationId, listeners);
    }
    // A wrapper of its own, so one function subscribed twice is two independent subscriptions.
    const own = (): void => listener();
    listeners.add(own);
    const current = listeners;
    return () => {
      current.delete(own);
      if (current.size === 0 && this.#listeners.get(conversationId) === current) this.#listeners.delete(conversationId);
    };
  }

  async publish(conversationId: string): Promise<void> {
    for (const listener of [...(this.#listeners.get(conversationId) ?? [])]) {
      try {
        listener();
      } catch (error) {
        // A listener's bug must not fail the commit that published, nor starve the others.
        process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'ConversationListenerError');
      }
    }
  }

  /** Conversations with at least one listener (for tests and metrics). */
  get activeConversations(): number {
    return this.#listeners.size;
  }
}

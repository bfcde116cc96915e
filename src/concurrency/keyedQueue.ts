/**
 * Port: runs work for one key (a conversation) one at a time, in arrival order. The in-process
 * implementation below serves one instance; a Redis-backed one spans instances.
 */
export interface TurnSerializer {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/** In-process serializer: a promise chain per key, dropped when idle so memory stays bounded. */
export class InProcessTurnSerializer implements TurnSerializer {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Number of keys with queued or running work (for tests and metrics). */
  get activeKeys(): number {
    return this.#tails.size;
  }
}

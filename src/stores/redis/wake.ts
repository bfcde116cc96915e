/**
 * A one-waiter signal that remembers a notice given while nobody was waiting, so a wake-up that
 * arrives during a round trip is not lost: the next `wait` returns at once.
 */
export class Wake {
  #pending = false;
  #settle: (() => void) | undefined;

  notify(): void {
    if (this.#settle) this.#settle();
    else this.#pending = true;
  }

  /** Resolves on the next notice (or a pending one) or after `ms`, whichever comes first. */
  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    // Only one wait at a time: an earlier one still outstanding is settled now.
    this.#settle?.();
    return new Promise((resolve) => {
      const settle = (): void => {
        clearTimeout(timer);
        if (this.#settle === settle) this.#settle = undefined;
        resolve();
      };
      const timer = setTimeout(settle, ms);
      this.#settle = settle;
    });
  }
}

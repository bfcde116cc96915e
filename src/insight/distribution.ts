/**
 * Whole-number observations (seconds, message counts) counted by value, for exact medians and
 * percentiles in one pass: memory grows with the number of distinct values, not of observations
 * (100,000 conversations of at most a few dozen messages are a few dozen entries).
 */
export class Distribution {
  readonly #counts = new Map<number, number>();
  #count = 0;
  #sum = 0;

  add(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a whole number`);
    this.#counts.set(value, (this.#counts.get(value) ?? 0) + 1);
    this.#count += 1;
    this.#sum += value;
  }

  get count(): number {
    return this.#count;
  }

  /** How many observations had this value. */
  countOf(value: number): number {
    return this.#counts.get(value) ?? 0;
  }

  /** The arithmetic mean; null when empty. */
  mean(): number | null {
    return this.#count === 0 ? null : this.#sum / this.#count;
  }

  /**
   * The nearest-rank percentile (`p` in (0, 1]): the smallest observed value with at least
   * `p` of the observations at or below it — always one of the observations. Null when empty.
   */
  percentile(p: number): number | null {
    if (this.#count === 0) return null;
    return this.#valueAtRank(Math.max(1, Math.ceil(p * this.#count)));
  }

  /** The usual median: the middle value, or the mean of the two middle ones. Null when empty. */
  median(): number | null {
    const n = this.#count;
    if (n === 0) return null;
    const lower = this.#valueAtRank(Math.floor((n + 1) / 2));
    const upper = this.#valueAtRank(Math.floor(n / 2) + 1);
    return (lower + upper) / 2;
  }

  /** The value of the observation at `rank` (1-based) in ascending order. */
  #valueAtRank(rank: number): number {
    let seen = 0;
    for (const value of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += this.#counts.get(value) ?? 0;
      if (seen >= rank) return value;
    }
    throw new RangeError(`rank ${rank} beyond ${this.#count} observations`);
  }
}

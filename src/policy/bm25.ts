/**
 * Okapi BM25 over small document sets (a policy has a few dozen clauses), kept in memory.
 * Scores are unnormalised: compare them within one query only.
 */

const K1 = 1.2;
const B = 0.75;

interface IndexedDoc {
  id: string;
  length: number;
  tf: Map<string, number>;
}

/** An immutable BM25 index. */
export interface Bm25Index {
  readonly docs: readonly IndexedDoc[];
  readonly df: ReadonlyMap<string, number>;
  readonly avgLength: number;
}

/** A document's id and score for one query. */
export interface Bm25Hit {
  id: string;
  score: number;
}

/** Builds an index from already tokenized documents. */
export function buildBm25Index(docs: readonly { id: string; tokens: readonly string[] }[]): Bm25Index {
  const df = new Map<string, number>();
  const indexed = docs.map(({ id, tokens }) => {
    const tf = new Map<string, number>();
    for (const token of tokens) tf.set(token, (tf.get(token) ?? 0) + 1);
    for (const token of tf.keys()) df.set(token, (df.get(token) ?? 0) + 1);
    return { id, length: tokens.length, tf };
  });
  const total = indexed.reduce((sum, doc) => sum + doc.length, 0);
  return { docs: indexed, df, avgLength: indexed.length === 0 ? 0 : total / indexed.length };
}

/** BM25's idf with the +1 inside the log so that very common terms score low but never negative. */
function idf(index: Bm25Index, term: string): number {
  const n = index.docs.length;
  const df = index.df.get(term) ?? 0;
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/**
 * Documents scored against the query terms (each distinct term counted once), best first, ties
 * by index order; documents sharing no term with the query are left out.
 */
export function searchBm25(index: Bm25Index, queryTokens: readonly string[]): Bm25Hit[] {
  const terms = [...new Set(queryTokens)].filter((term) => index.df.has(term));
  const hits: Bm25Hit[] = [];
  for (const doc of index.docs) {
    let score = 0;
    for (const term of terms) {
      const f = doc.tf.get(term) ?? 0;
      if (f === 0) continue;
      const norm = K1 * (1 - B + (B * doc.length) / (index.avgLength || 1));
      score += idf(index, term) * ((f * (K1 + 1)) / (f + norm));
    }
    if (score > 0) hits.push({ id: doc.id, score });
  }
  return hits.sort((a, b) => b.score - a.score);
}

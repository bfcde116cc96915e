/**
 * Repairs misspellings of the few words that decide an intent ("refnud", "reimbursment",
 * "stauts"): a word one edit from one of them (two for words of 9+ letters) becomes that word.
 * Keep the keywords few and far from everyday words: "charged" would swallow "changed".
 */
export function createTypoFixer(keywords: readonly string[]): (word: string) => string {
  const byLength = new Map<number, string[]>();
  for (const keyword of keywords) byLength.set(keyword.length, [...(byLength.get(keyword.length) ?? []), keyword]);
  const known = new Set(keywords);
  const cache = new Map<string, string>();
  return (word) => {
    if (word.length < 4 || known.has(word)) return word;
    const cached = cache.get(word);
    if (cached !== undefined) return cached;
    const allowed = word.length >= 9 ? 2 : 1;
    let best = word;
    let bestDistance = allowed + 1;
    // A 4-letter word is only read as a 5-letter keyword missing a letter ("chek", "trak"):
    // short words are too often real words one edit from a keyword.
    const shortest = word.length === 4 ? 5 : word.length - allowed;
    for (let length = shortest; length <= word.length + allowed; length += 1) {
      for (const keyword of byLength.get(length) ?? []) {
        const distance = editDistance(word, keyword);
        if (distance < bestDistance) {
          best = keyword;
          bestDistance = distance;
        }
      }
    }
    if (cache.size < 10_000) cache.set(word, best);
    return best;
  };
}

/** Levenshtein distance where swapping two neighbours ("refnud") costs one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number) => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      d[i * cols + j] = value;
    }
  }
  return at(a.length, b.length);
}

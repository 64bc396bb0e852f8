// "Did you mean": the known names closest to a mistyped one (edit distance, at most 2 edits or a prefix).

/** Levenshtein distance between two short strings. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Up to three known names near `name`, closest first; empty when none is near. */
export function suggest(name: string, known: string[]): string[] {
  return known
    .map((k) => ({ k, d: k.startsWith(name) && name.length >= 2 ? 0.5 : editDistance(name, k) }))
    .filter((x) => x.d <= 2)
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
    .slice(0, 3)
    .map((x) => x.k);
}

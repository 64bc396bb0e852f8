// Reciprocal rank fusion: combine ranked lists without comparing their scores (Cormack et al. 2009).
// score(d) = sum over lists of 1 / (k + rank(d)), rank starting at 1; k = 60 by default.

export interface Ranked {
  ns: string;
  id: string;
}

export interface Fused {
  ns: string;
  id: string;
  score: number;
  /** 1-based rank of the item in each input list, undefined where absent. */
  ranks: (number | undefined)[];
}

export const RRF_K = 60;

export function reciprocalRankFusion(lists: readonly (readonly Ranked[])[], k = RRF_K): Fused[] {
  const byKey = new Map<string, Fused>();
  lists.forEach((list, li) => {
    list.forEach((hit, i) => {
      const key = `${hit.ns}\u0000${hit.id}`;
      let f = byKey.get(key);
      if (!f) byKey.set(key, (f = { ns: hit.ns, id: hit.id, score: 0, ranks: lists.map(() => undefined) }));
      if (f.ranks[li] !== undefined) return; // a list names each item once; keep its best rank
      f.ranks[li] = i + 1;
      f.score += 1 / (k + i + 1);
    });
  });
  // Ties: the item with the better best rank first, then by earliest list, for a stable order.
  const best = (f: Fused): number => Math.min(...f.ranks.map((r) => r ?? Infinity));
  return [...byKey.values()].sort((a, b) => b.score - a.score || best(a) - best(b));
}

// Timing by stamps: a stub gate (or any stamped function) writes performance.now() into a shared array on each
// call, so the gap between consecutive stamps is one full round. Shared by the boundary benches.

/** Microseconds between consecutive stamps among the first n (ms) stamps. */
export function stampGaps(stamps: Float64Array, n: number): Float64Array {
  const d = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) d[i - 1] = (stamps[i]! - stamps[i - 1]!) * 1000;
  return d;
}

/**
 * The host-loop baseline: the same stamped trivial function (17 -> 7) called `calls` times by host code; the
 * gaps between its stamps (us). Throws when a call was lost.
 */
export function directStampGaps(stamps: Float64Array, calls: number): Float64Array {
  let n = 0;
  const direct = (nr: number): number => {
    stamps[n++] = performance.now();
    return nr === 17 ? 7 : 0;
  };
  let sink = 0;
  for (let i = 0; i < calls; i++) sink += direct(17);
  if (sink !== calls * 7) throw new Error('baseline lost calls');
  return stampGaps(stamps, n);
}

/** The p-th percentile (0-100) of unsorted values (sorted in a copy; index floor(len * p / 100)). */
export function pctOf(xs: ArrayLike<number>, p: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
}

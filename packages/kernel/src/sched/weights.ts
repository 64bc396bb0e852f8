// Linux's nice-to-weight table (kernel/sched/core.c, sched_prio_to_weight):
// nice 0 is 1024 and each step is about 1.25x, so one nice level is ~10 % CPU.
const WEIGHTS = [
  88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
  9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
  1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
  110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
];

export const NICE_0_WEIGHT = 1024;

/** Weight of a nice value in -20..19 (callers validate the range). */
export function niceToWeight(nice: number): number {
  return WEIGHTS[nice + 20]!;
}

// Behavioural analysis: a profile per agent of syscall rates, denials and spawns
// in fixed windows; an anomaly score (how far the last window is from the agent's
// own baseline, in standard deviations, EWMA); a trust score that falls with each
// anomalous window and recovers slowly. Thresholds (policy) decide: throttle or quarantine.

export interface BehaviorThresholds {
  /** Window length in ms. */
  windowMs: number;
  /** Anomaly score at which the agent is throttled (its nice raised). */
  throttleScore: number;
  /** Anomaly score at which the agent is quarantined (suspended until an operator releases it). */
  quarantineScore: number;
  /** Denials in one window that count as a burst however short the history. */
  burstDenials: number;
  /** Spawns in one window that count as a burst however short the history. */
  burstSpawns: number;
}

export const DEFAULT_BEHAVIOR: BehaviorThresholds = {
  windowMs: 1_000, throttleScore: 6, quarantineScore: 12, burstDenials: 500, burstSpawns: 1_000,
};

const FEATURES = ['syscalls', 'denials', 'spawns'] as const;
type Feature = (typeof FEATURES)[number];
const ALPHA = 0.2;
/** Windows of history before a z-score is trusted (bursts apply from the start). */
const WARMUP = 3;

export class BehaviorProfile {
  windowStart = 0;
  readonly current: Record<Feature, number> = { syscalls: 0, denials: 0, spawns: 0 };
  private readonly mean: Record<Feature, number> = { syscalls: 0, denials: 0, spawns: 0 };
  private readonly variance: Record<Feature, number> = { syscalls: 0, denials: 0, spawns: 0 };
  windows = 0;
  anomaly = 0;
  trust = 1;
  /** Set when judge() moved trust (a window closed or a burst was scored); the caller clears it. */
  trustMoved = false;
  throttled = false;
  quarantined = false;

  /** Scores a closed window against the baseline, then folds it into the baseline. */
  private score(counts: Record<Feature, number>, t: BehaviorThresholds): number {
    let worst = 0;
    if (counts.denials >= t.burstDenials) worst = Math.max(worst, t.quarantineScore);
    if (counts.spawns >= t.burstSpawns) worst = Math.max(worst, t.quarantineScore);
    if (this.windows >= WARMUP) {
      for (const f of FEATURES) {
        // A floor on the deviation keeps a flat baseline from turning noise into alarms.
        const sd = Math.max(Math.sqrt(this.variance[f]), 1 + 0.1 * this.mean[f], f === 'syscalls' ? 50 : 2);
        const z = (counts[f] - this.mean[f]) / sd;
        if (z > worst) worst = z;
      }
    }
    return worst;
  }

  private fold(counts: Record<Feature, number>): void {
    for (const f of FEATURES) {
      const d = counts[f] - this.mean[f];
      this.mean[f] += ALPHA * d;
      this.variance[f] = (1 - ALPHA) * (this.variance[f] + ALPHA * d * d);
    }
    this.windows++;
  }

  /**
   * Called on each syscall with its outcome. Returns the verdict when a window
   * closes or a burst crosses a threshold mid-window: 'quarantine', 'throttle' or null.
   */
  observe(now: number, denied: boolean, spawn: boolean, t: BehaviorThresholds): 'quarantine' | 'throttle' | null {
    if (this.windowStart === 0) this.windowStart = now;
    let verdict: 'quarantine' | 'throttle' | null = null;
    if (now - this.windowStart >= t.windowMs) {
      verdict = this.close(t);
      this.windowStart = now;
    }
    this.current.syscalls++;
    if (denied) this.current.denials++;
    if (spawn) this.current.spawns++;
    if (this.current.denials === t.burstDenials || this.current.spawns === t.burstSpawns) {
      const s = this.score(this.current, t);
      this.anomaly = Math.max(this.anomaly, s);
      verdict = this.judge(s, t) ?? verdict;
    }
    return verdict;
  }

  private close(t: BehaviorThresholds): 'quarantine' | 'throttle' | null {
    const counts = { ...this.current };
    const s = this.score(counts, t);
    this.anomaly = s;
    this.fold(counts);
    for (const f of FEATURES) this.current[f] = 0;
    return this.judge(s, t);
  }

  private judge(s: number, t: BehaviorThresholds): 'quarantine' | 'throttle' | null {
    const before = this.trust;
    if (s >= t.throttleScore) this.trust = Math.max(0, this.trust - 0.2);
    else this.trust = Math.min(1, this.trust + 0.01);
    if (this.trust !== before) this.trustMoved = true;
    if (s >= t.quarantineScore && !this.quarantined) return 'quarantine';
    if (s >= t.throttleScore && !this.throttled) return 'throttle';
    return null;
  }

  reset(): void {
    for (const f of FEATURES) this.current[f] = 0;
    this.anomaly = 0;
    this.trust = Math.max(this.trust, 0.5);
    this.throttled = false;
    this.quarantined = false;
    this.windowStart = 0;
  }
}

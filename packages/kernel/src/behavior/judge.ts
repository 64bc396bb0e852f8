// Behaviour judgement: feeds each agent's profile (behavior/monitor.ts) from the dispatcher and acts on a
// verdict: throttle (nice +5), quarantine (suspended until an operator releases it), or, for a service, a
// notice only. Every decision leaves one audit record and one `security.*` event.

import { AiosError, Rights, limits, trustScore } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditLog } from '../audit/log.ts';
import type { EventBus } from '../event/bus.ts';
import { niceToWeight } from '../sched/weights.ts';
import type { BehaviorThresholds } from './monitor.ts';

/** What judgement needs from the kernel. */
export interface JudgeDeps {
  readonly audit: AuditLog;
  readonly events: EventBus;
  readonly root: Agent;
  now(): number;
  pushLog(a: Agent, line: string): void;
  suspend(a: Agent): void;
  resume(a: Agent): void;
}

export class Judge {
  /** Read once: observe runs on every syscall. */
  private readonly root: Agent;
  private readonly time: { auditTime(): number };

  /**
   * thresholds null: the monitor is off (observe is never called); quarantine and release still work.
   * `time` gives the audit time of the current step (the scheduler); deps.root must exist already.
   */
  constructor(private readonly deps: JudgeDeps, readonly thresholds: BehaviorThresholds | null, time: { auditTime(): number }) {
    this.root = deps.root;
    this.time = time;
  }

  /** Feeds the agent's behaviour profile with one syscall; acts on a verdict (throttle or quarantine). Only while on. */
  observe(a: Agent, denied: boolean, spawn: boolean): void {
    if (a === this.root) return;
    const b = a.behavior;
    const v = b.observe(this.time.auditTime(), denied, spawn, this.thresholds!);
    // The low-trust weight cap follows trust, which moves only when a window closes or a burst is scored.
    if (b.trustMoved) {
      b.trustMoved = false;
      if ((a.selfNode.rights & Rights.SERVICE) === 0) capLowTrust(a);
    }
    if (v === null) return;
    const d = this.deps;
    if ((a.selfNode.rights & Rights.SERVICE) !== 0) return this.serviceNotice(a, v);
    if (v === 'throttle') {
      a.behavior.throttled = true;
      a.nice = Math.min(19, a.nice + 5);
      a.weight = niceToWeight(a.nice);
      d.audit.append(d.now(), a.id, 'Throttle', a.label, 'ok', { anomaly: a.behavior.anomaly, trust: a.behavior.trust, nice: a.nice });
      d.events.publish('security.throttle', d.now(), { agent: a.id, anomaly: a.behavior.anomaly, trust: a.behavior.trust });
    } else if (v === 'quarantine') {
      this.quarantine(a);
    }
  }

  /**
   * A service crossed a threshold: its rate reflects the load its clients put on it, so it is neither throttled nor
   * quarantined (that would silence it for everyone). The operator gets an event and an audit record instead; the
   * clients are judged on their own syscalls (and services refuse floods with EAGAIN).
   */
  private serviceNotice(a: Agent, verdict: 'throttle' | 'quarantine'): void {
    const d = this.deps;
    const detail = { wouldHave: verdict, anomaly: a.behavior.anomaly, trust: a.behavior.trust, service: true };
    d.audit.append(d.now(), a.id, 'BehaviorNotice', a.label, 'waived', detail);
    d.events.publish('security.service-notice', d.now(), { agent: a.id, name: a.name, ...detail });
    d.pushLog(a, `behaviour monitor would have ${verdict === 'quarantine' ? 'quarantined' : 'throttled'} this service (anomaly ${a.behavior.anomaly.toFixed(1)}): not acted on`);
  }

  /** Suspends an agent whose behaviour crossed the quarantine threshold, until an operator releases it. */
  quarantine(a: Agent): void {
    const d = this.deps;
    a.behavior.quarantined = true;
    if (a.state !== 'suspended') d.suspend(a);
    d.audit.append(d.now(), a.id, 'Quarantine', a.label, 'ok', { anomaly: a.behavior.anomaly, trust: a.behavior.trust });
    d.events.publish('security.quarantine', d.now(), { agent: a.id, name: a.name, anomaly: a.behavior.anomaly, trust: a.behavior.trust });
    d.pushLog(a, `quarantined: anomaly score ${a.behavior.anomaly.toFixed(1)}, trust ${a.behavior.trust.toFixed(2)}`);
  }

  /** An operator's release of a quarantined (or throttled) agent: its profile restarts and it runs again. EINVAL when neither. */
  release(a: Agent): void {
    const d = this.deps;
    if (!a.behavior.quarantined && !a.behavior.throttled) throw new AiosError('EINVAL', `agent ${a.id} is neither quarantined nor throttled`, { agent: a.id });
    const wasQuarantined = a.behavior.quarantined;
    if (a.behavior.throttled) {
      a.nice = a.baseNice;
      a.weight = niceToWeight(a.nice);
    }
    a.behavior.reset();
    if (wasQuarantined && a.state === 'suspended') d.resume(a);
    d.audit.append(d.now(), a.id, 'Release', a.label, 'ok');
    d.events.publish('security.release', d.now(), { agent: a.id });
  }
}

/** A low-trust agent (trustScore < TRUST_LOW) runs at most at TRUST_LOW_WEIGHT_MAX; the cap lifts as trust recovers. */
function capLowTrust(a: Agent): void {
  const low = trustScore(a.behavior.trust, a.domain === 'native' ? 'system' : 'unsigned') < limits.TRUST_LOW;
  const w = low ? Math.min(niceToWeight(a.nice), limits.TRUST_LOW_WEIGHT_MAX) : niceToWeight(a.nice);
  if (w !== a.weight && (low || a.weight === limits.TRUST_LOW_WEIGHT_MAX)) a.weight = w;
}

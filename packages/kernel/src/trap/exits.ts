// The end of agents: traps (a fault becomes an audit record, an exit, and a notice to supervisors,
// or a rollback inside an upgrade's window), exits (children first, detached ones adopted by the
// root), embryos discarded without a trace, and zombie records reaped past ZOMBIE_RECORDS_KEPT.

import { isAiosError, limits, type ExitNotice, type Message, type TrapInfo } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { TicketTable } from '../async/tickets.ts';
import type { AuditLog } from '../audit/log.ts';
import type { AuditRateLimiter } from '../audit/rate.ts';
import type { CapNode } from '../cap/captree.ts';
import { TrapError } from '../domain/types.ts';
import type { EventBus } from '../event/bus.ts';
import type { ModelDevice } from '../llm/index.ts';
import { unmapEffects } from '../mem/effects.ts';
import { KernelPanic } from '../panic.ts';
import type { KernelPorts } from '../ports.ts';
import type { Scheduler } from '../sched/scheduler.ts';

const ENCODER = new TextEncoder();

/** What the end of an agent needs from the kernel. */
export interface ExitDeps {
  readonly ports: KernelPorts;
  readonly root: Agent;
  readonly agents: Map<number, Agent>;
  readonly audit: AuditLog;
  readonly auditRate: AuditRateLimiter;
  readonly events: EventBus;
  readonly tickets: TicketTable;
  readonly sched: Scheduler;
  readonly model: ModelDevice | null;
  now(): number;
  pushLog(a: Agent, line: string): void;
  deliver(to: Agent, msg: Message, notice?: boolean): void;
  releaseHandleObject(node: CapNode): void;
  llmTokens(id: number): number;
  /** The agent left a handler: run its next lifecycle step or message. */
  afterIdle(a: Agent): void;
}

export class Exits {
  private readonly zombies: Agent[] = [];

  constructor(private readonly deps: ExitDeps) {}

  /** Turns an agent fault into a trap record, an exit and a notice to its supervisors (or a rollback). */
  trap(a: Agent, err: unknown): void {
    const d = this.deps;
    const info: TrapInfo = err instanceof TrapError
      ? { kind: err.kind, message: err.message, stack: err.stack }
      : isAiosError(err)
        ? { kind: 'exception', message: `${err.code}: ${err.message}`, stack: err.stack, code: err.code } // the code survives the trap
        : { kind: 'exception', message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined };
    d.audit.append(d.now(), a.id, 'Trap', a.label, info.kind, { message: info.message });
    d.events.publish(`agent.${a.id}.trap`, d.now(), { id: a.id, kind: info.kind, message: info.message });
    d.pushLog(a, `trap (${info.kind}): ${info.message}`);
    if (a.upgrade !== null && d.now() < a.upgrade.until) return this.rollback(a, info);
    this.exitAgent(a, 1, `trap: ${info.kind}: ${info.message}`, info);
  }

  /** A trap inside an upgrade's window: back to the old instance (which still holds its state). */
  private rollback(a: Agent, info: TrapInfo): void {
    const d = this.deps;
    const up = a.upgrade!;
    a.upgrade = null;
    d.ports.timers.clearTimer(up.timer);
    const broken = a.instance;
    a.instance = up.oldInstance;
    a.image = up.oldImage;
    a.hasOnMessage = up.oldInstance.info.hasOnMessage;
    a.busy = false;
    try {
      broken?.dispose();
    } catch {
      /* already gone */
    }
    d.audit.append(d.now(), a.id, 'UpgradeRollback', a.label, 'ok', { trap: info.kind, message: info.message });
    d.events.publish(`agent.${a.id}.rollback`, d.now(), { id: a.id, trap: info.kind, message: info.message });
    d.pushLog(a, `upgrade rolled back after a ${info.kind} trap: ${info.message}`);
    d.afterIdle(a);
  }

  /**
   * Ends an agent: frees its memory, handles and mailbox, ends its descendants (unless they were
   * spawned detached, which needs DETACH: those go to the root), and notifies supervisors and parent.
   */
  exitAgent(a: Agent, code: number, reason: string, trap?: TrapInfo): void {
    const d = this.deps;
    if (!a.alive) return;
    if (a === d.root) throw new KernelPanic('the root agent cannot exit');
    a.state = 'zombie';
    a.exitCode = code;
    a.exitReason = reason;
    if (a.durableKey !== null && !trap) for (const seq of a.unacked.splice(0)) d.ports.journal?.ackMessage(a.durableKey, seq);
    this.releaseAgent(a);
    // Linked children die with their parent (a spawn bomb ends with its bomber); detached ones are adopted by the root.
    for (const c of [...a.children]) {
      if (!c.alive) continue;
      if (c.detached) {
        a.children.delete(c);
        c.parent = d.root;
        d.root.children.add(c);
      } else {
        this.exitAgent(c, 137, `killed: parent agent ${a.id} exited`);
      }
    }
    for (const c of a.children) c.parent = d.root;
    a.children.clear();
    const notice: ExitNotice = { agent: a.id, name: a.name, code, reason };
    if (trap) notice.trap = trap;
    const data = ENCODER.encode(JSON.stringify(notice));
    const tag = trap ? 'trap' : 'exit';
    const notify = new Set<Agent>(a.supervisors);
    if (a.parent) notify.add(a.parent);
    for (const s of notify) if (s.alive) d.deliver(s, { from: a.id, data, handles: [], tag }, true);
    d.auditRate.forget(a.id);
    d.audit.append(d.now(), a.id, 'AgentExit', a.label, 'ok', { code, reason });
    d.events.publish(`agent.${a.id}.exit`, d.now(), { id: a.id, name: a.name, code, reason });
    a.shrinkForZombie();
    this.zombies.push(a);
    while (this.zombies.length > limits.ZOMBIE_RECORDS_KEPT) this.reap(this.zombies.shift()!);
  }

  /**
   * Undoes a spawn that did not complete (refused after the embryo was built, image that did not
   * load, canceled): everything the embryo held is released and it leaves no trace: no entry in
   * ps, no zombie record, no notice, no spawn slot or reservation still charged.
   */
  discardEmbryo(a: Agent): void {
    const d = this.deps;
    if (!a.alive) return;
    a.state = 'dead';
    this.releaseAgent(a);
    for (const c of a.children) c.parent = d.root;
    a.children.clear();
    a.parent?.children.delete(a);
    d.agents.delete(a.id);
  }

  /** Releases what a live agent holds: queues, activations, instance, memory, handles, quotas, reservations. */
  private releaseAgent(a: Agent): void {
    const d = this.deps;
    d.sched.dequeue(a);
    a.pending.length = 0;
    for (const w of a.ipcWaiters.splice(0)) if (w.timer !== undefined) d.ports.timers.clearTimer(w.timer);
    a.mailbox.drain();
    try {
      a.instance?.dispose();
      if (a.upgrade) {
        d.ports.timers.clearTimer(a.upgrade.timer);
        a.upgrade.oldInstance.dispose();
        a.upgrade = null;
      }
    } catch {
      /* a broken instance must not stop the cleanup */
    }
    a.instance = null;
    a.idleWaiters.length = 0;
    for (const m of [...a.aspace.mappings]) {
      a.aspace.unmap(m.start, [m.kind]);
      if (m.kind === 'alloc' || m.kind === 'pool') a.quota.release('memBytes', m.size);
      if (m.kind === 'map') unmapEffects(m.backing);
    }
    for (const [h] of a.handles.entriesList()) {
      const node = a.handles.remove(h)!;
      node.detach();
      if (!node.revoked) d.releaseHandleObject(node);
    }
    d.tickets.dropOwner(a.id);
    if (d.model) {
      a.llmTokensAtExit = d.llmTokens(a.id);
      d.model.removeAgent(a.id);
    }
    a.quota.parent?.release('spawns', 1);
    if (a.deadline !== null) {
      d.sched.dlAdmission.swap(a.deadline, null);
      a.deadline = null;
    }
    for (let q = a.cpuQuota; q !== null; q = q.parent) q.parked.delete(a);
  }

  private reap(a: Agent): void {
    a.state = 'dead';
    a.parent?.children.delete(a);
    this.deps.agents.delete(a.id);
  }
}

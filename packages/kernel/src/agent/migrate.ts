// Moving a sandboxed agent to another executor (work stealing by migration). A QuickJS heap cannot leave its
// worker's WebAssembly memory, so the agent's state crosses through its own serialize and restore hooks (JSON),
// as upgrade and clone do: between activations, serialize on the old sandbox, load the same image on the target
// executor, restore, swap, dispose the old one. The kernel side of the agent (handles, mailbox, regions, quotas,
// queued messages) never moves: messages arriving meanwhile wait in its mailbox (delivery is held) in order.

import { AiosError } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AgentInstance } from '../domain/types.ts';
import type { EventBus } from '../event/bus.ts';
import type { LoadedImage } from '../ports.ts';
import type { HookKind } from './runner.ts';

/** What a migration needs from the kernel. */
export interface MigrateHost {
  readonly events: EventBus;
  now(): number;
  monotonic(): number;
  runHook(a: Agent, kind: HookKind, payload: unknown, inst?: AgentInstance | null): Promise<unknown>;
  instantiate(a: Agent, image: LoadedImage): AgentInstance;
  /** Loads on executor `index`: runs `make` while the pool places the agent's next sandbox there. */
  instantiateOn<T>(a: Agent, index: number, make: () => T): T;
  /** The agent's queues follow its sandbox to executor i (the scheduler's placed). */
  placed(a: Agent, i: number): void;
  /** The executor that hosts a sandbox (-1: unknown). */
  hostOf(inst: AgentInstance): number;
  pump(a: Agent): void;
}

/**
 * Why `a` cannot move now (an AiosError to throw), or null. Movable: a live sandboxed agent on an executor whose
 * definition has serialize and restore hooks, past main, with no blocking call pending, no other lifecycle
 * operation in progress and no upgrade inside its rollback window. `own`: asked by the migration in progress itself.
 */
export function migrationBlocker(a: Agent, own = false): AiosError | null {
  if (!a.alive) return new AiosError('ESRCH', `agent ${a.id} has exited`, { agent: a.id });
  if (a.executor < 0 || a.instance === null || a.image === null) return new AiosError('EINVAL', `agent ${a.id} does not run on an executor`, { agent: a.id });
  const hooks = a.instance.info.hooks ?? [];
  for (const h of ['serialize', 'restore']) {
    if (!hooks.includes(h)) return new AiosError('ENOSYS', `agent ${a.name} (${a.id}) defines no ${h} hook, so it cannot move between executors`, { agent: a.id, hook: h });
  }
  if (a.migrating && !own) return new AiosError('EBUSY', `agent ${a.id} is already moving`, { agent: a.id });
  if (a.upgrade !== null) return new AiosError('EBUSY', `agent ${a.id} is inside an upgrade's rollback window`, { agent: a.id });
  if (!a.mainDone) return new AiosError('EBUSY', `agent ${a.id} is inside main`, { agent: a.id });
  if (a.blocked > 0) return new AiosError('EBUSY', `agent ${a.id} has a blocking call pending`, { agent: a.id });
  if (a.hold > (own ? 1 : 0)) return new AiosError('EBUSY', `agent ${a.id} is inside another lifecycle operation`, { agent: a.id });
  return null;
}

/**
 * Moves `a`'s sandbox to executor `index`; resolves when the agent runs there. Rejects with the blocker
 * (ESRCH, EINVAL, ENOSYS, EBUSY) and leaves the agent where it was, running, when a step fails.
 */
export async function migrateToExecutor(k: MigrateHost, a: Agent, index: number, executors: number): Promise<void> {
  if (!Number.isInteger(index) || index < 0 || index >= executors) {
    throw new AiosError('EINVAL', `executor must be an integer from 0 to ${executors - 1}`, { arg: 'index', max: executors - 1 });
  }
  const before = migrationBlocker(a);
  if (before !== null) throw before;
  const from = a.executor;
  if (from === index) return;
  const was = a.instance;
  a.migrating = true;
  a.hold++;
  let next: AgentInstance | null = null;
  try {
    // the hook runs as an activation once the current handler (if any) ended: an activation boundary
    const state = await k.runHook(a, 'serialize', {});
    // a call made before the boundary would settle on the old sandbox: the agent stays
    const after = migrationBlocker(a, true);
    if (after !== null) throw after;
    next = k.instantiateOn(a, index, () => k.instantiate(a, a.image!));
    await k.runHook(a, 'restore', { state }, next);
    if (!a.alive) throw new AiosError('ESRCH', `agent ${a.id} has exited`, { agent: a.id });
    // another lifecycle operation (an upgrade started meanwhile) swapped the instance: it wins, this move ends
    if (a.instance !== was || a.upgrade !== null) throw new AiosError('EBUSY', `agent ${a.id} changed its instance while moving`, { agent: a.id });
    const old = a.instance!;
    a.instance = next;
    next = null;
    try {
      old.dispose();
    } catch {
      /* already gone */
    }
    a.migrations++;
    a.migratedAt = k.monotonic();
    k.events.publish(`agent.${a.id}.migrate`, k.now(), { id: a.id, from, to: index });
  } catch (e) {
    if (next !== null) {
      try {
        next.dispose();
      } catch {
        /* already gone */
      }
      // its activations go back to the executor that holds its current sandbox
      const host = a.instance === null ? -1 : k.hostOf(a.instance);
      if (a.alive && host >= 0 && a.executor !== host) k.placed(a, host);
    }
    throw e;
  } finally {
    a.migrating = false;
    a.hold--;
    k.pump(a);
  }
}

// Lifecycle syscalls: AgentSuspend, AgentResume, AgentCheckpoint, AgentRestore,
// AgentClone, AgentMerge, AgentSplit, AgentUpgrade, AgentSpecialize. The async
// ones return a ticket; each is audited and publishes an `agent.<id>.<op>` event.

import { AiosError, DEFAULT_RIGHTS, PRIVILEGES, Rights, limits, rightsToNames, type SpawnOptions } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import type { LoadedImage } from '../ports.ts';
import {
  captureMemory, captureMessages, captureState, messageSummaries, requireHooks, restoreMemoryAndMail, storeMessage, takeCheckpoint, type Checkpoint,
} from '../agent/lifecycle.ts';
import { inheritScratch } from '../io/state.ts';
import { mountKey } from '../io/path.ts';
import { loadRequest, prepareSpawn } from './sys_agent.ts';
import { argInt, argObject, argString } from './args.ts';

const SCRATCH_NAME = mountKey('scratch');

function target(k: SyscallContext, a: Agent, handle: unknown, rights: number, au: AuditSlot | null): Agent {
  const t = k.lookup(a, handle, 'agent', rights, au).object as Agent;
  if (!t.alive) throw new AiosError('ESRCH', `agent ${t.id} has exited`, { agent: t.id });
  if (t === k.root) throw new AiosError('EPERM', 'the root agent has no lifecycle');
  return t;
}

/** An operation on an agent that is itself inside a message handler would wait for itself. */
function notSelfBusy(a: Agent, t: Agent): void {
  if (a === t && a.busy) throw new AiosError('EBUSY', 'an agent cannot run a lifecycle operation on itself from inside a message handler', { agent: a.id });
}

/**
 * Runs `op` in the background and settles the ticket with its result. The agents in
 * `held` receive no messages until it ends, so no message is handled between the
 * steps of an operation (it would be in neither the old nor the new state).
 */
function async(k: SyscallContext, a: Agent, name: string, op: () => Promise<unknown>, held: Agent[] = []): number {
  const ticket = k.tickets.create(a.id, name);
  for (const h of held) h.hold++;
  const release = (): void => {
    for (const h of held) {
      h.hold--;
      k.pump(h);
    }
  };
  op().finally(release).then(
    (v) => k.tickets.settle(ticket, { kind: 'done', value: v }),
    (e: unknown) => k.tickets.settle(ticket, { kind: 'failed', error: e instanceof AiosError || (e as { code?: string })?.code ? e : new AiosError('EIO', `${name} failed: ${(e as Error)?.message ?? String(e)}`) }),
  );
  return ticket;
}

function privilegeNames(rights: number): string[] {
  return Object.entries(PRIVILEGES).filter(([, bit]) => (rights & bit) !== 0).map(([n]) => n);
}

/** Starts a child of `a` from an already loaded image; returns its handle in `a`'s table. */
function startChild(k: SyscallContext, a: Agent, image: LoadedImage, opts: SpawnOptions, init?: { state: unknown }, prepare?: (child: Agent) => void): { child: Agent; handle: number } {
  const child = prepareSpawn(k, a, opts, null); // outside the syscall (an async op): no audit slot
  try {
    prepare?.(child);
    k.startAgent(child, image, init);
  } catch (e) {
    k.discardEmbryo(child);
    throw e;
  }
  return { child, handle: k.insertHandle(a, child, DEFAULT_RIGHTS.agent, null) };
}

/** Spawn options for a copy of `t`, with privileges limited to what both `t` and the caller hold. */
function copyOptions(a: Agent, t: Agent, opts: SpawnOptions | undefined): SpawnOptions {
  return {
    name: t.name, nice: Math.max(t.nice, a === t ? t.nice : a.nice), hints: [...t.hints], config: t.config, labels: [...t.labels], domain: t.domain,
    capabilities: privilegeNames(t.selfNode.rights & a.selfNode.rights),
    ...(t.deadline ? { deadline: { budgetMs: t.deadline.budgetMs, periodMs: t.deadline.periodMs } } : {}),
    ...(opts ?? {}),
  };
}

export function sys_agentSuspend(k: SyscallContext, a: Agent, [agent]: unknown[], au: AuditSlot): void {
  const t = target(k, a, agent, Rights.SUSPEND, au);
  if (t === a) throw new AiosError('EINVAL', 'an agent cannot suspend itself', { agent: a.id });
  if (t.state === 'suspended') return;
  k.suspend(t);
  k.events.publish(`agent.${t.id}.suspend`, k.now(), { id: t.id, by: a.id });
}

export function sys_agentResume(k: SyscallContext, a: Agent, [agent]: unknown[], au: AuditSlot): void {
  const t = target(k, a, agent, Rights.SUSPEND, au);
  if (t.state !== 'suspended') throw new AiosError('EINVAL', `agent ${t.id} is not suspended`, { agent: t.id, state: t.state });
  k.resume(t);
  k.events.publish(`agent.${t.id}.resume`, k.now(), { id: t.id, by: a.id });
}

export function sys_agentCheckpoint(k: SyscallContext, a: Agent, [agent]: unknown[], au: AuditSlot): number {
  const t = target(k, a, agent, Rights.INSPECT | Rights.SUSPEND, au);
  notSelfBusy(a, t);
  const id = `ckpt-${k.now().toString(36)}-${t.id}-${k.ids.checkpoint()}`;
  return async(k, a, 'AgentCheckpoint', async () => {
    const ckpt = await takeCheckpoint(k, t, id);
    const text = JSON.stringify(ckpt);
    if (k.ports.checkpoints) await k.ports.checkpoints.put(id, text);
    else k.checkpointsInMemory.set(id, text);
    k.audit.append(k.now(), a.id, 'AgentCheckpointWritten', t.label, 'ok', { checkpoint: id, bytes: text.length });
    k.events.publish(`agent.${t.id}.checkpoint`, k.now(), { id: t.id, checkpoint: id, bytes: text.length });
    return { id, bytes: text.length };
  });
}

export function sys_agentRestore(k: SyscallContext, a: Agent, [checkpoint, opts]: unknown[], au: AuditSlot): number {
  const id = argString(checkpoint, 'checkpoint', 256);
  if ((a.selfNode.rights & Rights.SPAWN) === 0) throw new AiosError('EPERM', 'AgentRestore needs the SPAWN privilege', { needed: 'SPAWN' });
  const o = (argObject(opts, 'opts') ?? {}) as SpawnOptions;
  return async(k, a, 'AgentRestore', async () => {
    const text = k.ports.checkpoints ? await k.ports.checkpoints.get(id) : k.checkpointsInMemory.get(id);
    if (text === undefined) throw new AiosError('ENOENT', `no checkpoint ${id}`, { checkpoint: id });
    const ckpt = JSON.parse(text) as Checkpoint;
    const caps = privilegeNames(ckpt.agent.privileges & a.selfNode.rights);
    const { child, handle } = startChild(k, a, ckpt.image, {
      name: ckpt.agent.name, nice: Math.max(ckpt.agent.nice, a.nice), hints: ckpt.agent.hints as SpawnOptions['hints'], config: ckpt.agent.config,
      labels: ckpt.agent.labels, domain: ckpt.agent.domain as SpawnOptions['domain'], capabilities: caps, ...o,
    }, ckpt.hasState ? { state: ckpt.state } : { state: undefined }, (c) => restoreMemoryAndMail(c, ckpt.memory, ckpt.messages, () => k.ids.mem()));
    k.events.publish(`agent.${child.id}.restore`, k.now(), { id: child.id, checkpoint: id, from: ckpt.agent.id });
    return handle;
  });
}

export function sys_agentClone(k: SyscallContext, a: Agent, [agent, opts]: unknown[], au: AuditSlot): number {
  const t = target(k, a, agent, Rights.INSPECT | Rights.SUSPEND, au);
  notSelfBusy(a, t);
  if (t.image === null) throw new AiosError('EINVAL', `agent ${t.id} has no image`, { agent: t.id });
  k.authorize(a, 'AgentClone', { type: 'agent', id: String(t.id), attrs: { name: t.name } });
  const o = argObject(opts, 'opts') as SpawnOptions | undefined;
  return async(k, a, 'AgentClone', async () => {
    const { state, hasState } = await captureState(k, t);
    const memory = captureMemory(t);
    const messages = captureMessages(t);
    const { child, handle } = startChild(k, a, t.image!, copyOptions(a, t, o), hasState ? { state } : { state: undefined }, (c) => {
      restoreMemoryAndMail(c, memory, messages, () => k.ids.mem());
      // Namespace handles are copied, derived from the original's (revoking those revokes these).
      // The scratch folder is private: the clone gets its own, filled with a copy of the original's.
      inheritScratch(k, t, c);
      for (const [name, h] of t.namespace) {
        if (name === SCRATCH_NAME) continue;
        const e = t.handles.get(h);
        if (!e || e.node.revoked) continue;
        const nh = k.insertHandle(c, e.node.object, e.node.rights, e.node, e.node.expires);
        c.handles.setName(nh, name);
        c.namespace.set(name, nh);
      }
    });
    k.events.publish(`agent.${t.id}.clone`, k.now(), { id: t.id, clone: child.id });
    return handle;
  });
}

export function sys_agentMerge(k: SyscallContext, a: Agent, [into, from]: unknown[], au: AuditSlot): number {
  const x = target(k, a, into, Rights.SUSPEND, au);
  const y = target(k, a, from, Rights.KILL | Rights.SUSPEND, au);
  if (x === y) throw new AiosError('EINVAL', 'an agent cannot merge with itself', { agent: x.id });
  notSelfBusy(a, x);
  notSelfBusy(a, y);
  if (x.image === null || y.image === null || x.image.key !== y.image.key) {
    throw new AiosError('EINVAL', 'only agents of the same image can merge', { into: x.id, from: y.id });
  }
  requireHooks(x, ['serialize', 'merge', 'restore']);
  requireHooks(y, ['serialize']);
  return async(k, a, 'AgentMerge', async () => {
    const sx = await k.runHook(x, 'serialize', {});
    const sy = await k.runHook(y, 'serialize', {});
    const merged = await k.runHook(x, 'merge', { state: sx, other: sy });
    await k.runHook(x, 'restore', { state: merged });
    // y's unread messages follow x's, in order; privileges become the intersection.
    for (const m of y.mailbox.drain()) x.mailbox.push({ ...m, handles: [] });
    const keep = x.selfNode.rights & (y.selfNode.rights | ~Object.values(PRIVILEGES).reduce((m, b) => m | b, 0));
    k.narrowSelf(x, keep);
    k.exitAgent(y, 0, `merged into agent ${x.id}`);
    k.pump(x);
    k.events.publish(`agent.${x.id}.merge`, k.now(), { id: x.id, merged: y.id, privileges: rightsToNames(keep) });
    return { into: x.id, from: y.id };
  }, [x, y]);
}

export function sys_agentSplit(k: SyscallContext, a: Agent, [agent, opts]: unknown[], au: AuditSlot): number {
  const t = target(k, a, agent, Rights.SUSPEND, au);
  notSelfBusy(a, t);
  requireHooks(t, ['serialize', 'partition', 'restore']);
  const o = argObject(opts, 'opts') as SpawnOptions | undefined;
  return async(k, a, 'AgentSplit', async () => {
    const state = await k.runHook(t, 'serialize', {});
    const summaries = messageSummaries(t);
    const parts = (await k.runHook(t, 'partition', { state, messages: summaries })) as { keep?: { state?: unknown; messages?: number[] }; give?: { state?: unknown; messages?: number[] } } | null;
    if (!parts || typeof parts !== 'object' || !parts.keep || !parts.give) throw new AiosError('EINVAL', 'partition hook must return { keep: { state }, give: { state } }', { agent: t.id });
    const giveIdx = new Set((parts.give.messages ?? []).filter((i) => Number.isInteger(i)));
    const all = t.mailbox.drain();
    const given = all.filter((_, i) => giveIdx.has(i));
    for (const [i, m] of all.entries()) if (!giveIdx.has(i)) t.mailbox.push(m);
    await k.runHook(t, 'restore', { state: parts.keep.state });
    const { child, handle } = startChild(k, a, t.image!, copyOptions(a, t, o), { state: parts.give.state }, (c) => {
      restoreMemoryAndMail(c, [], given.map(storeMessage), () => k.ids.mem());
      inheritScratch(k, t, c); // each half keeps a copy of the scratch folder
    });
    k.pump(t);
    k.events.publish(`agent.${t.id}.split`, k.now(), { id: t.id, into: child.id, moved: given.length });
    return handle;
  }, [t]);
}

export function sys_agentUpgrade(k: SyscallContext, a: Agent, [agent, image, opts]: unknown[], au: AuditSlot): number {
  const t = target(k, a, agent, Rights.KILL | Rights.SUSPEND, au);
  notSelfBusy(a, t);
  if (t.upgrade !== null) throw new AiosError('EBUSY', `agent ${t.id} is still inside the rollback window of its last upgrade`, { agent: t.id });
  requireHooks(t, ['serialize']);
  const o = argObject(opts, 'opts');
  const windowMs = o?.rollbackWindowMs === undefined ? 5_000 : argInt(o.rollbackWindowMs, 'opts.rollbackWindowMs', 0, limits.MAX_TIMEOUT_MS);
  const img = argObject(image, 'image', false)!;
  if (typeof img.source !== 'string' && typeof img.path !== 'string') throw new AiosError('EINVAL', 'image must be { source } or { path }', { arg: 'image' });
  return async(k, a, 'AgentUpgrade', async () => {
    const loaded = await k.ports.loader.load(img as never, loadRequest(a));
    const fromVersion = t.instance?.info.version;
    const state = await k.runHook(t, 'serialize', {});
    const next = k.instantiate(t, loaded);
    const hooks = next.info.hooks ?? [];
    const migrated = hooks.includes('migrate') ? await k.runHook(t, 'migrate', { state, from: fromVersion }, next) : state;
    if (hooks.includes('restore')) await k.runHook(t, 'restore', { state: migrated }, next);
    k.swapInstance(t, next, loaded, windowMs);
    const toVersion = next.info.version;
    k.events.publish(`agent.${t.id}.upgrade`, k.now(), { id: t.id, from: fromVersion ?? null, to: toVersion ?? null, rollbackWindowMs: windowMs });
    return { agent: t.id, from: fromVersion ?? null, to: toVersion ?? null };
  }, [t]);
}

export function sys_agentSpecialize(k: SyscallContext, a: Agent, [template, opts]: unknown[], au: AuditSlot): number {
  const t = target(k, a, template, Rights.INSPECT, au);
  if (t.image === null) throw new AiosError('EINVAL', `agent ${t.id} has no image`, { agent: t.id });
  const o = (argObject(opts, 'opts') ?? {}) as SpawnOptions;
  const templateCaps = privilegeNames(t.selfNode.rights);
  for (const c of o.capabilities ?? []) {
    if (!templateCaps.includes(c)) throw new AiosError('EPERM', `a specialization may only narrow the template's capabilities; ${c} is not among ${templateCaps.join(', ') || 'none'}`, { arg: 'opts.capabilities', value: c });
  }
  const config = o.config !== undefined && typeof o.config === 'object' && o.config !== null && typeof t.config === 'object' && t.config !== null
    ? { ...(t.config as object), ...(o.config as object) } : (o.config ?? t.config);
  const image = t.image;
  return async(k, a, 'AgentSpecialize', async () => {
    const { child, handle } = startChild(k, a, image, {
      name: `${t.name}.special`, nice: Math.max(t.nice, a.nice), hints: [...t.hints], labels: [...t.labels], domain: t.domain,
      ...o, capabilities: o.capabilities ?? [], config,
    });
    k.events.publish(`agent.${t.id}.specialize`, k.now(), { id: t.id, specialized: child.id });
    return handle;
  });
}

// Agent syscalls: AgentSpawn, AgentKill, AgentSupervisorRegister, AgentRegister,
// AgentInfo, AgentList, SelfHandle, SelfInfo, Exit. Handlers check arguments and
// call the kernel; they hold no state of their own.

import {
  AiosError, DEFAULT_RIGHTS, PRIVILEGES, Rights, SELF_BASE_RIGHTS, limits,
  type AgentImage, type AgentManifest, type LoadRequest, type Domain, type SchedHint, type SelfInfo,
} from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import { AgentExit } from '../agent/exit.ts';
import { checkAgentName } from '../agent/name.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { QuotaNode } from '../quota/quota.ts';
import { CpuQuota, IpcRate } from '../quota/rate.ts';
import { applyIo, prepareIo } from '../io/state.ts';
import { argInt, argJson, argObject, argOptInt, argString } from './args.ts';
import { parseDeadline, parseHints } from './sys_sched.ts';
import { applySpawnDefaults } from '../policy/spawn-defaults.ts';


function parseImage(value: unknown): AgentImage {
  const img = argObject(value, 'image', false)!;
  if (typeof img.source === 'string') {
    if (img.source.length > limits.IMAGE_MAX_BYTES) throw new AiosError('EMSGSIZE', 'image source is too large', { arg: 'image.source', length: img.source.length, max: limits.IMAGE_MAX_BYTES });
    return img.filename === undefined ? { source: img.source } : { source: img.source, filename: argString(img.filename, 'image.filename', 1024) };
  }
  if (typeof img.path === 'string' && img.path.length > 0) return { path: argString(img.path, 'image.path', 4096) };
  throw new AiosError('EINVAL', 'image must be { source } or { path }', { arg: 'image' });
}

/** Who asks the loader for an image: a sandboxed agent is confined to its own image's folder tree; relative paths resolve from its image's folder. */
export function loadRequest(a: Agent): LoadRequest {
  return { agent: a.id, sandboxed: a.domain === 'wasm', root: a.image?.root ?? null, dir: a.image?.dir ?? null };
}

/**
 * Validates spawn options and builds the child (embryo) without starting it. Returns the child.
 * All or nothing: every check runs before anything is charged or created; if a later step
 * fails, the embryo is discarded (no ps entry, no handle, spawn slot and reservation released).
 */
/** imagePath: the spawned `{ path }` image, shown to the policy hook as resource attrs.image (signed images). */
export function prepareSpawn(k: SyscallContext, a: Agent, optsValue: unknown, au: AuditSlot | null, imagePath?: string): Agent {
  if ((a.selfNode.rights & Rights.SPAWN) === 0) throw new AiosError('EPERM', 'the caller may not spawn agents (no SPAWN right)', { needed: 'SPAWN' });
  const opts = applySpawnDefaults(k.spawnDefaults, a, argObject(optsValue, 'opts') ?? {});
  const name = opts.name === undefined ? 'agent' : checkAgentName(opts.name, 'opts.name');
  const nice = argOptInt(opts.nice, 'opts.nice', limits.NICE_MIN, limits.NICE_MAX, 0);
  const hints: SchedHint[] = opts.hints === undefined ? [] : parseHints(opts.hints, 'opts.hints');
  const deadline = opts.deadline === undefined ? null : parseDeadline(opts.deadline, 'opts.deadline');
  const affinity = opts.affinity === undefined ? null : argOptInt(opts.affinity, 'opts.affinity', 0, limits.EXECUTORS_MAX - 1, 0);
  if (hints.includes('deadline') && deadline === null) throw new AiosError('EINVAL', "the 'deadline' hint needs opts.deadline { budgetMs, periodMs }", { arg: 'opts.deadline' });
  if (hints.includes('deadline') && (a.selfNode.rights & Rights.REALTIME) === 0) {
    throw new AiosError('EPERM', "a 'deadline' reservation needs the REALTIME privilege", { arg: 'opts.hints', needed: 'REALTIME' });
  }
  const detached = opts.detached === undefined ? false : opts.detached;
  if (typeof detached !== 'boolean') throw new AiosError('EINVAL', 'opts.detached must be a boolean', { arg: 'opts.detached' });
  if (detached && (a.selfNode.rights & Rights.DETACH) === 0) {
    throw new AiosError('EPERM', 'spawning a detached child (one that outlives its parent) needs the DETACH privilege', { arg: 'opts.detached', needed: 'DETACH' });
  }
  if (nice < a.nice && (a.selfNode.rights & Rights.ADMIN) === 0) {
    throw new AiosError('EPERM', `a child's nice cannot be below its parent's (${a.nice}) without ADMIN`, { arg: 'opts.nice', value: nice, floor: a.nice });
  }
  let domain: Domain = opts.domain === undefined ? (a.domain === 'wasm' ? 'wasm' : k.defaultDomain) : (opts.domain as Domain);
  if (domain !== 'native' && domain !== 'wasm') throw new AiosError('EINVAL', "opts.domain must be 'native' or 'wasm'", { arg: 'opts.domain' });
  if (a.domain === 'wasm' && domain === 'native') throw new AiosError('EPERM', 'a sandboxed agent cannot spawn a native (trusted) agent', { arg: 'opts.domain' });
  if (!k.domains.has(domain)) throw new AiosError('EINVAL', `execution domain ${domain} is not available on this node`, { arg: 'opts.domain' });
  let selfRights = SELF_BASE_RIGHTS;
  if (opts.capabilities !== undefined) {
    if (!Array.isArray(opts.capabilities)) throw new AiosError('EINVAL', 'opts.capabilities must be a list of privilege names', { arg: 'opts.capabilities' });
    for (const c of opts.capabilities) {
      const bit = typeof c === 'string' ? (PRIVILEGES as Record<string, number>)[c] : undefined;
      if (bit === undefined) throw new AiosError('EINVAL', `unknown capability ${String(c)}; known: ${Object.keys(PRIVILEGES).join(', ')}`, { arg: 'opts.capabilities', value: c });
      if ((a.selfNode.rights & bit) === 0) throw new AiosError('EPERM', `cannot grant ${c}: the caller does not hold it`, { arg: 'opts.capabilities', value: c });
      selfRights |= bit;
    }
  }
  const labels = opts.labels === undefined ? [] : (() => {
    if (!Array.isArray(opts.labels) || opts.labels.some((l) => typeof l !== 'string' || l.length > 64)) throw new AiosError('EINVAL', 'opts.labels must be a list of short strings', { arg: 'opts.labels' });
    return [...new Set(opts.labels as string[])];
  })();
  // Labels are what Cedar policies test: a spawner can hand on only labels it holds itself, unless it is ADMIN.
  if ((a.selfNode.rights & Rights.ADMIN) === 0) {
    const foreign = labels.filter((l) => !a.labels.includes(l));
    if (foreign.length > 0) throw new AiosError('EPERM', `cannot give labels the caller does not hold: ${foreign.join(', ')}`, { arg: 'opts.labels', value: foreign, held: [...a.labels] });
  }
  const config = opts.config === undefined ? null : JSON.parse(argJson(opts.config, 'opts.config', limits.IPC_MAX_MESSAGE_BYTES));
  const quotas = argObject(opts.quotas, 'opts.quotas');
  if (quotas) {
    for (const [key, v] of Object.entries(quotas)) {
      if (!['memBytes', 'frames', 'spawns', 'spawnDepth', 'mailboxDepth', 'llmTokens', 'llmCost', 'llmPeriodMs', 'ipcMsgsPerSec', 'ipcBytesPerSec', 'cpuMsPerPeriod', 'cpuPeriodMs', 'fsBytes', 'netRequestsPerSec', 'netBytesPerSec'].includes(key)) throw new AiosError('EINVAL', `unknown quota ${key}`, { arg: `opts.quotas.${key}` });
      argInt(v, `opts.quotas.${key}`, 0, Number.MAX_SAFE_INTEGER);
    }
  }
  const mailboxDepth = quotas?.mailboxDepth === undefined ? limits.MAILBOX_DEFAULT_DEPTH : argInt(quotas.mailboxDepth, 'opts.quotas.mailboxDepth', 1, limits.MAILBOX_MAX_DEPTH);
  if (a.depth + 1 > a.quota.depthLimit) throw new AiosError('EQUOTA', 'spawn depth exceeded', { resource: 'spawnDepth', limit: a.quota.depthLimit, used: a.depth });
  let depthLimit = a.quota.depthLimit;
  if (quotas?.spawnDepth !== undefined) {
    const want = a.depth + 1 + (quotas.spawnDepth as number);
    if (want > a.quota.depthLimit) throw new AiosError('EQUOTA', `child spawnDepth ${String(quotas.spawnDepth)} exceeds the parent's`, { resource: 'spawnDepth', limit: a.quota.depthLimit - a.depth - 1, requested: quotas.spawnDepth });
    depthLimit = want;
  }
  const rates = rateQuotas(k, a, quotas);
  // Namespace handles are checked before anything is charged.
  const nsEntries: Array<[string, number, number]> = [];
  const ns = argObject(opts.namespace, 'opts.namespace');
  if (ns) {
    for (const [key, v] of Object.entries(ns)) {
      const handle = typeof v === 'number' ? v : (v as { handle?: unknown })?.handle;
      const node = k.lookup(a, handle, null, Rights.TRANSFER, au);
      const want = typeof v === 'object' && v !== null && (v as { rights?: unknown }).rights !== undefined ? argInt((v as { rights: unknown }).rights, `opts.namespace.${key}.rights`, 0, 0x7fffffff) : node.rights;
      if ((want & ~node.rights) !== 0) throw new AiosError('EPERM', `namespace entry ${key} would widen rights`, { arg: `opts.namespace.${key}`, held: node.rights, wanted: want });
      nsEntries.push([key, handle as number, want]);
    }
  }
  const ioPlan = prepareIo(k, a, opts, name); // mounts, net grants, fsBytes: checked before anything is charged
  k.authorize(a, 'AgentSpawn', { type: 'agent', id: name, attrs: { domain, capabilities: (opts.capabilities as string[] | undefined) ?? [], ...(imagePath !== undefined ? { image: imagePath } : {}) } });
  const childLimits = a.quota.childLimits(quotas as never);
  // Charges: the spawn slot, then the CPU reservation; each undone if a later one fails.
  a.quota.charge('spawns', 1);
  const reservation = hints.includes('deadline') ? deadline : null;
  try {
    k.dlAdmission.swap(null, reservation);
  } catch (e) {
    a.quota.release('spawns', 1);
    throw e;
  }
  const child = k.createAgent(name, a, domain, new QuotaNode(0, childLimits, a.quota), nice, hints, config, labels, mailboxDepth);
  child.deadline = reservation;
  child.affinity = affinity;
  try {
    child.quota.owner = child.id;
    child.quota.depthLimit = depthLimit;
    child.baseNice = nice;
    child.nameFromImage = opts.name === undefined;
    child.detached = detached;
    child.ipcRate = rates.ipcRate;
    child.cpuQuota = rates.cpuQuota;
    if (k.model) {
      const budget = quotas && (quotas.llmTokens !== undefined || quotas.llmCost !== undefined)
        ? { tokens: quotas.llmTokens as number | undefined, cost: quotas.llmCost as number | undefined, periodMs: quotas.llmPeriodMs as number | undefined }
        : undefined;
      k.model.configureAgent(child.id, { parent: a === k.root ? null : a.id, weight: child.weight / 1024, ...(budget ? { budget } : {}) });
    }
    child.selfHandle = k.insertHandle(child, child, selfRights, null);
    child.selfNode = child.handles.get(child.selfHandle)!.node;
    for (const [key, handle, rights] of nsEntries) {
      const parentNode = a.handles.get(handle)!.node;
      const h = k.insertHandle(child, parentNode.object, rights, parentNode, parentNode.expires);
      child.handles.setName(h, key);
      child.namespace.set(key, h);
    }
    applyIo(k, a, child, ioPlan);
  } catch (e) {
    k.discardEmbryo(child);
    throw e;
  }
  return child;
}

export function sys_agentSpawn(k: SyscallContext, a: Agent, [image, opts]: unknown[], au: AuditSlot): number {
  const img = parseImage(image);
  const node = (opts as { node?: unknown } | null | undefined)?.node;
  if (node !== undefined && !(k.remoteSpawner !== null && node === k.remoteSpawner.node)) return spawnRemote(k, a, img, node, argObject(opts, 'opts')!, au);
  if (node !== undefined) {
    const { node: _self, ...rest } = opts as Record<string, unknown>;
    opts = rest;
  }
  const child = prepareSpawn(k, a, opts, au, 'path' in img ? img.path : undefined);
  au.label = child.label;
  k.events.publish(`agent.${child.id}.spawn`, k.now(), { id: child.id, name: child.name, parent: a.id, domain: child.domain });
  let ticket: number;
  try {
    ticket = k.tickets.create(a.id, 'AgentSpawn');
  } catch (e) {
    k.discardEmbryo(child);
    throw e;
  }
  k.tickets.onSettle(a.id, ticket, () => {
    // Canceled (AsyncCancel) before the load finished: abandon the embryo.
    if (child.alive && child.state === 'embryo') k.discardEmbryo(child);
  });
  // Until it starts, the child is an embryo that a failure discards without a trace (no ps entry,
  // no exit notice, no spawn slot kept).
  k.ports.loader.load(img, loadRequest(a)).then(
    (loaded) => {
      if (!child.alive) return k.tickets.settle(ticket, { kind: 'failed', error: new AiosError('ECANCELED', 'the child was killed before it started') });
      if (!a.alive) return k.discardEmbryo(child);
      try {
        k.startAgent(child, loaded);
      } catch (e) {
        k.discardEmbryo(child);
        return k.tickets.settle(ticket, { kind: 'failed', error: e });
      }
      const h = k.insertHandle(a, child, DEFAULT_RIGHTS.agent, null);
      k.tickets.settle(ticket, { kind: 'done', value: h });
    },
    (err: unknown) => {
      k.discardEmbryo(child);
      const e = err instanceof AiosError ? err : new AiosError('EINVAL', `image did not load: ${(err as Error).message}`);
      k.tickets.settle(ticket, { kind: 'failed', error: e });
    },
  );
  return ticket;
}

/** Options a remote spawn carries; the rest (namespace, capabilities, quotas, ...) name this node's objects. */
const REMOTE_SPAWN_OPTS = new Set(['node', 'name', 'config']);

/**
 * AgentSpawn with opts.node: the { source } image is spawned on that node through the cluster, under
 * this node's policy (action AgentSpawn, attrs.node) and then the target's, and the ticket resolves to a
 * handle (SEND | INSPECT) to the remote agent, as AgentOpen('NAME@NODE') gives. ENOENT: not in a cluster
 * or no such node; EIO: the node is down; ETIMEDOUT: it did not answer.
 */
function spawnRemote(k: SyscallContext, a: Agent, img: AgentImage, nodeArg: unknown, opts: Record<string, unknown>, au: AuditSlot): number {
  if ((a.selfNode.rights & Rights.SPAWN) === 0) throw new AiosError('EPERM', 'the caller may not spawn agents (no SPAWN right)', { needed: 'SPAWN' });
  const node = argString(nodeArg, 'opts.node', 64);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(node)) throw new AiosError('EINVAL', 'opts.node must be a node name (letters, digits, - or _)', { arg: 'opts.node', value: node });
  const spawner = k.remoteSpawner;
  if (spawner === null) throw new AiosError('ENOENT', `no node ${node}: this node is not in a cluster`, { arg: 'opts.node', node });
  const extra = Object.keys(opts).filter((key) => opts[key] !== undefined && !REMOTE_SPAWN_OPTS.has(key));
  if (extra.length > 0) throw new AiosError('EINVAL', `opts.${extra[0]} cannot be used with opts.node (a remote spawn carries name and config only)`, { arg: `opts.${extra[0]}` });
  const name = opts.name === undefined ? undefined : checkAgentName(opts.name, 'opts.name');
  const config = opts.config === undefined ? undefined : JSON.parse(argJson(opts.config, 'opts.config', limits.IPC_MAX_MESSAGE_BYTES));
  // A path names a file of this node, which the target cannot read (and a sandboxed caller's path rules are this node's).
  if (!('source' in img)) throw new AiosError('EINVAL', 'a remote spawn (opts.node) takes a { source } image, not a path', { arg: 'image' });
  k.authorize(a, 'AgentSpawn', { type: 'agent', id: name ?? 'agent', attrs: { node } });
  au.label = `node:${node}`;
  const ticket = k.tickets.create(a.id, 'AgentSpawn');
  spawner.spawn(node, img, { ...(name !== undefined ? { name } : {}), ...(config !== undefined ? { config } : {}) })
    .then((address) => {
      if (!a.alive) return;
      const t = k.openRemote(address);
      k.audit.append(k.now(), a.id, 'AgentSpawnRemote', t.label, 'ok', { node, address });
      k.tickets.settle(ticket, { kind: 'done', value: k.insertHandle(a, t, Rights.SEND | Rights.INSPECT, null) });
    })
    .catch((err: unknown) => {
      const e = err instanceof AiosError ? err : new AiosError('EIO', `remote spawn on ${node} failed: ${(err as Error).message}`, { node });
      k.audit.append(k.now(), a.id, 'AgentSpawnRemote', `node:${node}`, e.code, { node, message: e.message });
      k.tickets.settle(ticket, { kind: 'failed', error: e });
    });
  return ticket;
}

export function sys_agentKill(k: SyscallContext, a: Agent, [agent, reason]: unknown[], au: AuditSlot): void {
  const node = k.lookup(a, agent, 'agent', Rights.KILL, au);
  const target = node.object as Agent;
  const why = reason === undefined ? 'killed' : argString(reason, 'reason', 1024);
  if (!target.alive) throw new AiosError('ESRCH', `agent ${target.id} has already exited`, { agent: target.id });
  if (target === k.root) throw new AiosError('EPERM', 'the root agent cannot be killed');
  k.exitAgent(target, 137, `killed by agent ${a.id}: ${why}`);
  if (target === a) throw new AgentExit(a.id);
}

export function sys_agentSupervisorRegister(k: SyscallContext, a: Agent, [agents]: unknown[], au: AuditSlot): void {
  if (!Array.isArray(agents) || agents.length === 0 || agents.length > 1024) throw new AiosError('EINVAL', 'agents must be a non-empty list of at most 1024 handles', { arg: 'agents' });
  const targets = agents.map((h) => k.lookup(a, h, 'agent', Rights.SUPERVISE, au).object as Agent);
  for (const t of targets) if (!t.alive) throw new AiosError('ESRCH', `agent ${t.id} has already exited`, { agent: t.id });
  for (const t of targets) t.supervisors.add(a);
}

export function validateManifest(value: unknown): AgentManifest {
  const m = argObject(value, 'manifest', false)!;
  argJson(m, 'manifest', limits.MANIFEST_MAX_BYTES);
  const name = checkAgentName(m.name, 'manifest.name');
  const out: AgentManifest = { name };
  if (m.version !== undefined) out.version = argString(m.version, 'manifest.version', 64);
  if (m.description !== undefined) out.description = argString(m.description, 'manifest.description', 4096);
  if (m.intents !== undefined) {
    if (!Array.isArray(m.intents)) throw new AiosError('EINVAL', 'manifest.intents must be a list', { arg: 'manifest.intents' });
    out.intents = m.intents.map((it, i) => {
      const o = argObject(it, `manifest.intents[${i}]`, false)!;
      const intent: NonNullable<AgentManifest['intents']>[number] = { name: argString(o.name, `manifest.intents[${i}].name`, 128) };
      if (o.description !== undefined) intent.description = argString(o.description, `manifest.intents[${i}].description`, 4096);
      if (o.examples !== undefined) {
        if (!Array.isArray(o.examples) || o.examples.some((e) => typeof e !== 'string')) throw new AiosError('EINVAL', `manifest.intents[${i}].examples must be strings`, { arg: `manifest.intents[${i}].examples` });
        intent.examples = [...(o.examples as string[])];
      }
      if (o.input !== undefined) intent.input = JSON.parse(JSON.stringify(o.input));
      if (o.output !== undefined) intent.output = JSON.parse(JSON.stringify(o.output));
      return intent;
    });
  }
  return out;
}

export function sys_agentRegister(k: SyscallContext, a: Agent, [manifest]: unknown[], au: AuditSlot): void {
  a.manifest = validateManifest(manifest);
  au.label = a.label;
  k.events.publish('registry.changed', k.now(), { agent: a.id, name: a.manifest.name });
}

export function sys_agentInfo(k: SyscallContext, a: Agent, [agent]: unknown[], au: AuditSlot): unknown {
  return k.info(k.lookup(a, agent, 'agent', Rights.INSPECT, au).object as Agent);
}

export function sys_agentList(k: SyscallContext, a: Agent): unknown {
  if ((a.selfNode.rights & Rights.ADMIN) === 0) throw new AiosError('EPERM', 'AgentList needs the ADMIN privilege', { needed: 'ADMIN' });
  return k.ps();
}

export function sys_manifestList(k: SyscallContext, a: Agent): unknown {
  if ((a.selfNode.rights & Rights.ADMIN) === 0) throw new AiosError('EPERM', 'ManifestList needs the ADMIN privilege', { needed: 'ADMIN' });
  return k.manifests();
}

export function sys_selfHandle(_k: SyscallContext, a: Agent): number {
  return a.selfHandle;
}

export function sys_selfInfo(_k: SyscallContext, a: Agent): SelfInfo {
  return { id: a.id, name: a.name, parent: a.parent?.id ?? null, domain: a.domain, config: a.config };
}

export function sys_exit(k: SyscallContext, a: Agent, [code]: unknown[]): never {
  const c = code === undefined ? 0 : argInt(code, 'code', 0, 255);
  k.exitAgent(a, c, 'exit');
  throw new AgentExit(a.id);
}

/**
 * Rate quotas: IPC messages and bytes per second, CPU ms per period. They are carved from the
 * parent's and shared with it: a child that asks for none shares its parent's buckets; one that
 * asks gets its own, no larger than the parent's (EQUOTA otherwise), charged together with the
 * parent's, so the parent's quota covers its whole subtree. Computed before the child exists.
 */
function rateQuotas(k: SyscallContext, parent: Agent, quotas: Record<string, unknown> | undefined): { ipcRate: IpcRate | null; cpuQuota: CpuQuota | null } {
  const limit = (key: string, inherited: number | undefined): number | undefined => {
    const want = quotas?.[key] as number | undefined;
    if (want === undefined) return undefined;
    if (inherited !== undefined && want > inherited) {
      throw new AiosError('EQUOTA', `child ${key} ${want} exceeds the parent's ${inherited}`, { resource: key, limit: inherited, requested: want });
    }
    return want;
  };
  let ipcRate = parent.ipcRate;
  const msgs = limit('ipcMsgsPerSec', parent.ipcRate?.msgs);
  const bytes = limit('ipcBytesPerSec', parent.ipcRate?.bytes);
  if (msgs !== undefined || bytes !== undefined) {
    ipcRate = new IpcRate(msgs ?? parent.ipcRate?.msgs ?? Number.MAX_SAFE_INTEGER, bytes ?? parent.ipcRate?.bytes ?? Number.MAX_SAFE_INTEGER, k.now(), parent.ipcRate);
  }
  let cpuQuota = parent.cpuQuota;
  const cpu = quotas?.cpuMsPerPeriod as number | undefined;
  if (quotas?.cpuPeriodMs !== undefined) argInt(quotas.cpuPeriodMs, 'opts.quotas.cpuPeriodMs', 1, limits.MAX_TIMEOUT_MS);
  if (cpu !== undefined) {
    const period = (quotas?.cpuPeriodMs as number | undefined) ?? parent.cpuQuota?.periodMs ?? 1_000;
    const q = new CpuQuota(cpu, period, parent.cpuQuota);
    if (parent.cpuQuota !== null && q.sharePpm > parent.cpuQuota.sharePpm) {
      throw new AiosError('EQUOTA', `child CPU quota ${cpu} ms per ${period} ms exceeds the parent's ${parent.cpuQuota.limitMs} ms per ${parent.cpuQuota.periodMs} ms`, {
        resource: 'cpuMsPerPeriod', limit: parent.cpuQuota.limitMs, periodMs: parent.cpuQuota.periodMs, requested: cpu, requestedPeriodMs: period,
      });
    }
    cpuQuota = q;
  }
  return { ipcRate, cpuQuota };
}

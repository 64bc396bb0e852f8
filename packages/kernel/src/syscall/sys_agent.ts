// Agent syscalls: AgentSpawn, AgentKill, AgentSupervisorRegister, AgentRegister,
// AgentInfo, AgentList, SelfHandle, SelfInfo, Exit. Handlers check arguments and
// call the kernel; they hold no state of their own.

import {
  AiosError, DEFAULT_RIGHTS, PRIVILEGES, Rights, SELF_BASE_RIGHTS, limits,
  type AgentImage, type AgentManifest, type Domain, type SchedHint, type SelfInfo,
} from '@aios/abi';
import type { Agent } from '../agent/agent.ts';
import { AgentExit } from '../agent/exit.ts';
import { checkAgentName } from '../agent/name.ts';
import type { Kernel } from '../kernel.ts';
import { QuotaNode } from '../quota/quota.ts';
import { argInt, argJson, argObject, argOptInt, argString } from './args.ts';
import { parseDeadline, parseHints } from './sys_sched.ts';


function parseImage(value: unknown): AgentImage {
  const img = argObject(value, 'image', false)!;
  if (typeof img.source === 'string') {
    if (img.source.length > limits.IMAGE_MAX_BYTES) throw new AiosError('EMSGSIZE', 'image source is too large', { arg: 'image.source', length: img.source.length, max: limits.IMAGE_MAX_BYTES });
    return img.filename === undefined ? { source: img.source } : { source: img.source, filename: argString(img.filename, 'image.filename', 1024) };
  }
  if (typeof img.path === 'string' && img.path.length > 0) return { path: argString(img.path, 'image.path', 4096) };
  throw new AiosError('EINVAL', 'image must be { source } or { path }', { arg: 'image' });
}

/** Validates spawn options and builds the child (embryo) without starting it. Returns the child. */
export function prepareSpawn(k: Kernel, a: Agent, optsValue: unknown): Agent {
  if ((a.selfNode.rights & Rights.SPAWN) === 0) throw new AiosError('EPERM', 'the caller may not spawn agents (no SPAWN right)', { needed: 'SPAWN' });
  const opts = argObject(optsValue, 'opts') ?? {};
  const name = opts.name === undefined ? 'agent' : checkAgentName(opts.name, 'opts.name');
  const nice = argOptInt(opts.nice, 'opts.nice', limits.NICE_MIN, limits.NICE_MAX, 0);
  const hints: SchedHint[] = opts.hints === undefined ? [] : parseHints(opts.hints, 'opts.hints');
  const deadline = opts.deadline === undefined ? null : parseDeadline(opts.deadline, 'opts.deadline');
  if (hints.includes('deadline') && deadline === null) throw new AiosError('EINVAL', "the 'deadline' hint needs opts.deadline { budgetMs, periodMs }", { arg: 'opts.deadline' });
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
    return [...(opts.labels as string[])];
  })();
  const config = opts.config === undefined ? null : JSON.parse(argJson(opts.config, 'opts.config', limits.IPC_MAX_MESSAGE_BYTES));
  const quotas = argObject(opts.quotas, 'opts.quotas');
  if (quotas) {
    for (const [key, v] of Object.entries(quotas)) {
      if (!['memBytes', 'frames', 'spawns', 'spawnDepth', 'mailboxDepth', 'llmTokens', 'llmCost', 'llmPeriodMs', 'ipcMsgsPerSec', 'ipcBytesPerSec', 'cpuMsPerPeriod', 'cpuPeriodMs'].includes(key)) throw new AiosError('EINVAL', `unknown quota ${key}`, { arg: `opts.quotas.${key}` });
      argInt(v, `opts.quotas.${key}`, 0, Number.MAX_SAFE_INTEGER);
    }
  }
  const mailboxDepth = quotas?.mailboxDepth === undefined ? limits.MAILBOX_DEFAULT_DEPTH : argInt(quotas.mailboxDepth, 'opts.quotas.mailboxDepth', 1, limits.MAILBOX_MAX_DEPTH);
  if (a.depth + 1 > limits.DEFAULT_SPAWN_DEPTH) throw new AiosError('EQUOTA', 'spawn depth exceeded', { resource: 'spawnDepth', limit: limits.DEFAULT_SPAWN_DEPTH, used: a.depth });
  // Namespace handles are checked before anything is charged.
  const nsEntries: Array<[string, number, number]> = [];
  const ns = argObject(opts.namespace, 'opts.namespace');
  if (ns) {
    for (const [key, v] of Object.entries(ns)) {
      const handle = typeof v === 'number' ? v : (v as { handle?: unknown })?.handle;
      const node = k.lookup(a, handle, null, Rights.TRANSFER);
      const want = typeof v === 'object' && v !== null && (v as { rights?: unknown }).rights !== undefined ? argInt((v as { rights: unknown }).rights, `opts.namespace.${key}.rights`, 0, 0x7fffffff) : node.rights;
      if ((want & ~node.rights) !== 0) throw new AiosError('EPERM', `namespace entry ${key} would widen rights`, { arg: `opts.namespace.${key}`, held: node.rights, wanted: want });
      nsEntries.push([key, handle as number, want]);
    }
  }
  k.authorize(a, 'AgentSpawn', { type: 'agent', id: name, attrs: { domain, capabilities: (opts.capabilities as string[] | undefined) ?? [] } });
  const childLimits = a.quota.childLimits(quotas as never);
  a.quota.charge('spawns', 1);
  const child = k.createAgent(name, a, domain, new QuotaNode(0, childLimits, a.quota), nice, hints, config, labels, mailboxDepth);
  child.quota.owner = child.id;
  child.baseNice = nice;
  child.nameFromImage = opts.name === undefined;
  setRateQuotas(k, a, child, quotas);
  child.deadline = hints.includes('deadline') ? deadline : null;
  if (k.model) {
    const budget = quotas && (quotas.llmTokens !== undefined || quotas.llmCost !== undefined)
      ? { tokens: quotas.llmTokens as number | undefined, cost: quotas.llmCost as number | undefined, periodMs: quotas.llmPeriodMs as number | undefined }
      : undefined;
    try {
      k.model.configureAgent(child.id, { parent: a === k.root ? null : a.id, weight: child.weight / 1024, ...(budget ? { budget } : {}) });
    } catch (e) {
      k.exitAgent(child, 1, 'bad model budget');
      throw e;
    }
  }
  child.selfHandle = k.insertHandle(child, child, selfRights, null);
  child.selfNode = child.handles.get(child.selfHandle)!.node;
  for (const [key, handle, rights] of nsEntries) {
    const parentNode = a.handles.get(handle)!.node;
    const h = k.insertHandle(child, parentNode.object, rights, parentNode, parentNode.expires);
    child.handles.setName(h, key);
    child.namespace.set(key, h);
  }
  return child;
}

export function sys_agentSpawn(k: Kernel, a: Agent, [image, opts]: unknown[]): number {
  const img = parseImage(image);
  const child = prepareSpawn(k, a, opts);
  k.objectLabel = child.label;
  const ticket = k.tickets.create(a.id, 'AgentSpawn');
  k.events.publish(`agent.${child.id}.spawn`, k.now(), { id: child.id, name: child.name, parent: a.id, domain: child.domain });
  k.tickets.onSettle(a.id, ticket, () => {
    // Canceled (AsyncCancel) before the load finished: abandon the embryo.
    if (child.alive && child.state === 'embryo') k.exitAgent(child, 1, 'spawn canceled');
  });
  k.ports.loader.load(img).then(
    (loaded) => {
      if (!child.alive) return k.tickets.settle(ticket, { kind: 'failed', error: new AiosError('ECANCELED', 'the child was killed before it started') });
      if (!a.alive) return k.exitAgent(child, 1, 'parent exited before the child started');
      try {
        k.startAgent(child, loaded);
      } catch (e) {
        k.exitAgent(child, 1, `load failed: ${(e as Error).message}`);
        return k.tickets.settle(ticket, { kind: 'failed', error: e });
      }
      const h = k.insertHandle(a, child, DEFAULT_RIGHTS.agent, null);
      k.tickets.settle(ticket, { kind: 'done', value: h });
    },
    (err: unknown) => {
      k.exitAgent(child, 1, `load failed: ${(err as Error).message}`);
      const e = err instanceof AiosError ? err : new AiosError('EINVAL', `image did not load: ${(err as Error).message}`);
      k.tickets.settle(ticket, { kind: 'failed', error: e });
    },
  );
  return ticket;
}

export function sys_agentKill(k: Kernel, a: Agent, [agent, reason]: unknown[]): void {
  const node = k.lookup(a, agent, 'agent', Rights.KILL);
  const target = node.object as Agent;
  const why = reason === undefined ? 'killed' : argString(reason, 'reason', 1024);
  if (!target.alive) throw new AiosError('ESRCH', `agent ${target.id} has already exited`, { agent: target.id });
  if (target === k.root) throw new AiosError('EPERM', 'the root agent cannot be killed');
  k.exitAgent(target, 137, `killed by agent ${a.id}: ${why}`);
  if (target === a) throw new AgentExit(a.id);
}

export function sys_agentSupervisorRegister(k: Kernel, a: Agent, [agents]: unknown[]): void {
  if (!Array.isArray(agents) || agents.length === 0 || agents.length > 1024) throw new AiosError('EINVAL', 'agents must be a non-empty list of at most 1024 handles', { arg: 'agents' });
  const targets = agents.map((h) => k.lookup(a, h, 'agent', Rights.SUPERVISE).object as Agent);
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

export function sys_agentRegister(k: Kernel, a: Agent, [manifest]: unknown[]): void {
  a.manifest = validateManifest(manifest);
  k.objectLabel = a.label;
  k.events.publish('registry.changed', k.now(), { agent: a.id, name: a.manifest.name });
}

export function sys_agentInfo(k: Kernel, a: Agent, [agent]: unknown[]): unknown {
  return k.info(k.lookup(a, agent, 'agent', Rights.INSPECT).object as Agent);
}

export function sys_agentList(k: Kernel, a: Agent): unknown {
  if ((a.selfNode.rights & Rights.ADMIN) === 0) throw new AiosError('EPERM', 'AgentList needs the ADMIN privilege', { needed: 'ADMIN' });
  return k.ps();
}

export function sys_manifestList(k: Kernel, a: Agent): unknown {
  if ((a.selfNode.rights & Rights.ADMIN) === 0) throw new AiosError('EPERM', 'ManifestList needs the ADMIN privilege', { needed: 'ADMIN' });
  return k.manifests();
}

export function sys_selfHandle(_k: Kernel, a: Agent): number {
  return a.selfHandle;
}

export function sys_selfInfo(_k: Kernel, a: Agent): SelfInfo {
  return { id: a.id, name: a.name, parent: a.parent?.id ?? null, domain: a.domain, config: a.config };
}

export function sys_exit(k: Kernel, a: Agent, [code]: unknown[]): never {
  const c = code === undefined ? 0 : argInt(code, 'code', 0, 255);
  k.exitAgent(a, c, 'exit');
  throw new AgentExit(a.id);
}

/**
 * Rate quotas: IPC messages and bytes per second, CPU ms per period. A child inherits its
 * parent's limits and may only lower them (EQUOTA when it asks for more).
 */
function setRateQuotas(k: Kernel, parent: Agent, child: Agent, quotas: Record<string, unknown> | undefined): void {
  const limit = (key: string, inherited: number | undefined): number | undefined => {
    const want = quotas?.[key] as number | undefined;
    if (want === undefined) return inherited;
    if (inherited !== undefined && want > inherited) {
      throw new AiosError('EQUOTA', `child ${key} ${want} exceeds the parent's ${inherited}`, { resource: key, limit: inherited, requested: want });
    }
    return want;
  };
  const msgs = limit('ipcMsgsPerSec', parent.ipcRate?.msgs);
  const bytes = limit('ipcBytesPerSec', parent.ipcRate?.bytes);
  if (msgs !== undefined || bytes !== undefined) {
    const m = msgs ?? Number.MAX_SAFE_INTEGER;
    const b = bytes ?? Number.MAX_SAFE_INTEGER;
    child.ipcRate = { msgs: m, bytes: b, msgTokens: m, byteTokens: b, last: k.now() };
  }
  const cpu = limit('cpuMsPerPeriod', parent.cpuQuota?.limitMs);
  if (cpu !== undefined) {
    const period = (quotas?.cpuPeriodMs as number | undefined) ?? parent.cpuQuota?.periodMs ?? 1_000;
    child.cpuQuota = { limitMs: cpu, periodMs: period, used: 0, periodStart: 0, throttledUntil: 0 };
  }
}

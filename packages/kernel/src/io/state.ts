// What a spawn gives a child for I/O: its mounts (`opts.mounts`, never more than the spawner
// holds), its net device (`opts.net`, grants covered by the spawner's), its fsBytes quota and
// its private scratch folder. Checked in prepareIo (before the spawn charges anything) and
// placed in the child's namespace by applyIo.

import { AiosError, DEFAULT_RIGHTS, Rights, limits, type MountSpec, type Quotas } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { CapNode, KObject } from '../cap/captree.ts';
import type { SyscallContext } from '../syscall/context.ts';
import { DirObject } from './dir.ts';
import { Bucket, NetObject } from './net.ts';
import { grantCovers, parseGrants, showGrant, type Grant } from './grants.ts';
import { checkMountName, checkPath, mountKey } from './path.ts';

/** fsBytes quota, hierarchical: a write is charged to the agent and each ancestor. */
export class FsQuota {
  used = 0;
  constructor(readonly limit: number, readonly parent: FsQuota | null, readonly owner: number) {}
  charge(n: number): void {
    for (let q: FsQuota | null = this; q !== null; q = q.parent) {
      if (q.used + n > q.limit) throw new AiosError('EQUOTA', 'fsBytes quota exceeded', { resource: 'fsBytes', limit: q.limit, used: q.used, requested: n, agent: q.owner });
    }
    for (let q: FsQuota | null = this; q !== null; q = q.parent) q.used += n;
  }
  /** Gives bytes back (a replaced or removed file); usage never goes below zero. */
  credit(n: number): void {
    for (let q: FsQuota | null = this; q !== null; q = q.parent) q.used = Math.max(0, q.used - n);
  }
}

export interface AgentIo {
  fs: FsQuota;
  /** Key of the agent's scratch folder in the node's storage (null: the node has none). */
  scratchKey: string | null;
  scratch: DirObject | null;
}

const IO = new WeakMap<Agent, AgentIo>();
/** Live holders of scratch keys, per kernel: two live agents never share one. */
const SCRATCH_HOLDERS = new WeakMap<SyscallContext, Map<string, Agent>>();
const ROOT_NET = new WeakMap<SyscallContext, NetObject>();

export function ioOf(k: SyscallContext, a: Agent): AgentIo {
  let io = IO.get(a);
  if (io === undefined) {
    io = { fs: new FsQuota(a === k.root ? Number.MAX_SAFE_INTEGER : limits.DEFAULT_FS_QUOTA_BYTES, null, a.id), scratchKey: a === k.root ? '' : null, scratch: null };
    IO.set(a, io);
  }
  return io;
}

/** The node's own net device (reaches anything); the host grants narrower ones at spawn. */
export function rootNet(k: SyscallContext): NetObject {
  let n = ROOT_NET.get(k);
  if (n === undefined) {
    n = new NetObject([], true, new Bucket(Number.MAX_SAFE_INTEGER, 0, 'netRequestsPerSec'), new Bucket(Number.MAX_SAFE_INTEGER, 0, 'netBytesPerSec'));
    ROOT_NET.set(k, n);
  }
  return n;
}

/** The caller's net device: its namespace's `net` (root: the node's own). */
export function netOf(k: SyscallContext, a: Agent): { object: NetObject; node: CapNode | null } | null {
  if (a === k.root) return { object: rootNet(k), node: null };
  const h = a.namespace.get('net');
  const node = h === undefined ? undefined : a.handles.get(h)?.node;
  if (node === undefined || node.revoked || !(node.object instanceof NetObject)) return null;
  return { object: node.object, node };
}

interface Entry { key: string; object: KObject; rights: number; parent: CapNode | null }
export interface IoPlan { entries: Entry[]; fsLimit: number; name: string }

const DIR_WRITE = Rights.WRITE | Rights.CREATE | Rights.DELETE;

function mountEntry(k: SyscallContext, a: Agent, spec: unknown, i: number): Entry {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new AiosError('EINVAL', 'each mount is { name, dir | host, path?, readOnly?, rights? }', { arg: `opts.mounts[${i}]` });
  const m = spec as MountSpec;
  const name = checkMountName(m.name, `opts.mounts[${i}].name`);
  if (name === 'scratch') throw new AiosError('EINVAL', "'scratch' is the name of every agent's own scratch folder", { arg: `opts.mounts[${i}].name` });
  if (m.readOnly !== undefined && typeof m.readOnly !== 'boolean') throw new AiosError('EINVAL', 'readOnly must be a boolean', { arg: `opts.mounts[${i}].readOnly` });
  const mask = m.readOnly ? ~DIR_WRITE : ~0;
  if (m.host !== undefined) {
    if (a !== k.root) throw new AiosError('EPERM', 'only the node mounts host folders; an agent mounts its own folders (dir)', { arg: `opts.mounts[${i}].host` });
    if (typeof m.host !== 'string' || !m.host.startsWith('/') || m.host.includes('\0') || m.host.length > limits.FS_PATH_MAX) throw new AiosError('EINVAL', 'host must be an absolute path', { arg: `opts.mounts[${i}].host` });
    const want = m.rights === undefined ? DEFAULT_RIGHTS.directory : m.rights;
    if (typeof want !== 'number' || (want & ~DEFAULT_RIGHTS.directory) !== 0) throw new AiosError('EINVAL', 'rights of a mount are READ, WRITE, CREATE, DELETE, DERIVE, TRANSFER', { arg: `opts.mounts[${i}].rights` });
    const sub = m.path === undefined ? [] : checkPath(m.path, `opts.mounts[${i}].path`);
    return { key: mountKey(name), object: new DirObject(m.host, sub, name), rights: want & mask, parent: null };
  }
  let node: CapNode;
  if (typeof m.dir === 'string') {
    const h = a.namespace.get(mountKey(m.dir));
    if (h === undefined) throw new AiosError('ENOENT', `the caller has no mount ${m.dir}`, { arg: `opts.mounts[${i}].dir`, value: m.dir });
    node = k.lookup(a, h, 'directory', Rights.TRANSFER, null);
  } else {
    node = k.lookup(a, m.dir, 'directory', Rights.TRANSFER, null);
  }
  const want = m.rights === undefined ? node.rights : m.rights;
  if (typeof want !== 'number' || !Number.isInteger(want) || want < 0) throw new AiosError('EINVAL', 'rights must be a bit set', { arg: `opts.mounts[${i}].rights` });
  if ((want & ~node.rights) !== 0) throw new AiosError('EPERM', `mount ${name} would widen rights`, { arg: `opts.mounts[${i}].rights`, held: node.rights, wanted: want });
  const parentDir = node.object as DirObject;
  const sub = m.path === undefined ? [] : checkPath(m.path, `opts.mounts[${i}].path`);
  const object = sub.length === 0 ? parentDir : new DirObject(parentDir.root, parentDir.under(sub), name);
  return { key: mountKey(name), object, rights: want & mask, parent: node };
}

function netEntry(k: SyscallContext, a: Agent, list: unknown, quotas: Quotas | undefined): Entry {
  const grants = parseGrants(list);
  const mine = netOf(k, a);
  if (mine === null) throw new AiosError('EPERM', 'the caller has no net device to grant from', { arg: 'opts.net' });
  if (!mine.object.all) {
    const extra: Grant[] = grants.filter((g) => !mine.object.grants.some((p) => grantCovers(p, g)));
    if (extra.length > 0) throw new AiosError('EPERM', `net grants the caller does not hold: ${extra.map(showGrant).join(', ')}`, { arg: 'opts.net', value: extra.map(showGrant), held: mine.object.describe() });
  }
  const rate = (key: 'netRequestsPerSec' | 'netBytesPerSec', dflt: number, bucket: Bucket): number => {
    const v = quotas?.[key];
    if (v === undefined) return Math.min(dflt, bucket.rate);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new AiosError('EINVAL', `quotas.${key} must be a positive integer`, { arg: `opts.quotas.${key}` });
    if (v > bucket.rate) throw new AiosError('EQUOTA', `child ${key} ${v} exceeds the parent's ${bucket.rate}`, { resource: key, limit: bucket.rate, requested: v });
    return v;
  };
  const now = k.now();
  const object = new NetObject(grants, false, new Bucket(rate('netRequestsPerSec', limits.DEFAULT_NET_REQUESTS_PER_SEC, mine.object.requests), now, 'netRequestsPerSec'), new Bucket(rate('netBytesPerSec', limits.DEFAULT_NET_BYTES_PER_SEC, mine.object.bytes), now, 'netBytesPerSec'));
  return { key: 'net', object, rights: DEFAULT_RIGHTS.device, parent: mine.node };
}

/** Checks the I/O parts of spawn options; throws before anything is charged. */
export function prepareIo(k: SyscallContext, a: Agent, opts: Record<string, unknown>, name: string): IoPlan {
  const entries: Entry[] = [];
  if (opts.mounts !== undefined) {
    if (!Array.isArray(opts.mounts)) throw new AiosError('EINVAL', 'opts.mounts must be a list of mounts', { arg: 'opts.mounts' });
    const seen = new Set<string>();
    opts.mounts.forEach((m, i) => {
      const e = mountEntry(k, a, m, i);
      if (seen.has(e.key)) throw new AiosError('EINVAL', `two mounts named ${e.key.slice(3)}`, { arg: `opts.mounts[${i}].name` });
      seen.add(e.key);
      entries.push(e);
    });
  }
  const quotas = opts.quotas as Quotas | undefined;
  if (opts.net !== undefined) entries.push(netEntry(k, a, opts.net, quotas));
  const parentFs = ioOf(k, a).fs;
  let fsLimit = Math.min(parentFs.limit, limits.DEFAULT_FS_QUOTA_BYTES);
  if (quotas?.fsBytes !== undefined) {
    const v = quotas.fsBytes;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new AiosError('EINVAL', 'quotas.fsBytes must be a non-negative integer', { arg: 'opts.quotas.fsBytes' });
    if (v > parentFs.limit) throw new AiosError('EQUOTA', `child fsBytes quota ${v} exceeds the parent's ${parentFs.limit}`, { resource: 'fsBytes', limit: parentFs.limit, requested: v });
    fsLimit = v;
  }
  return { entries, fsLimit, name };
}

/** Scratch key of a child: the names from the root down (`initd+memoryd`, one flat folder each), made unique among live agents. */
function scratchKeyFor(k: SyscallContext, parent: Agent, child: Agent): string {
  const part = child.name.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/^\.+/, (d) => '%2e'.repeat(d.length));
  const pk = ioOf(k, parent).scratchKey;
  const base = pk ? `${pk}+${part}` : part;
  let holders = SCRATCH_HOLDERS.get(k);
  if (holders === undefined) SCRATCH_HOLDERS.set(k, (holders = new Map()));
  const held = holders.get(base);
  const key = held !== undefined && held.alive && held !== child ? `${base}~${child.id}` : base;
  holders.set(key, child);
  return key;
}

/** Places the planned handles in the child's namespace and gives it its quota and scratch folder. */
export function applyIo(k: SyscallContext, a: Agent, child: Agent, plan: IoPlan): void {
  const io: AgentIo = { fs: new FsQuota(plan.fsLimit, ioOf(k, a).fs, child.id), scratchKey: null, scratch: null };
  IO.set(child, io);
  const place = (key: string, object: KObject, rights: number, parent: CapNode | null): void => {
    const h = k.insertHandle(child, object, rights, parent, parent?.expires);
    child.handles.setName(h, key);
    child.namespace.set(key, h);
  };
  for (const e of plan.entries) place(e.key, e.object, e.rights, e.parent);
  const fs = k.ports.fs;
  if (fs !== undefined) {
    const key = scratchKeyFor(k, a, child);
    const root = fs.scratchRoot(key);
    if (root !== null) {
      io.scratchKey = key;
      io.scratch = new DirObject(root, [], 'scratch');
      place(mountKey('scratch'), io.scratch, DEFAULT_RIGHTS.directory, null);
    }
  }
}

/** A copy (clone, split) takes a copy of its source's scratch folder; file calls wait for the copy. */
export function inheritScratch(k: SyscallContext, from: Agent, to: Agent): void {
  const src = IO.get(from);
  const dst = IO.get(to);
  const fs = k.ports.fs;
  if (fs === undefined || !src?.scratchKey || !dst?.scratchKey || dst.scratch === null) return;
  const copied = fs.copyScratch(src.scratchKey, dst.scratchKey).catch(() => undefined);
  dst.scratch.ready = copied;
  // The copy is a snapshot of the moment of the clone: the source's own file calls wait for it too, so a write
  // the source makes right after the clone never lands in the copy.
  if (src.scratch !== null) {
    const before = src.scratch.ready;
    src.scratch.ready = before === null ? copied : Promise.all([before, copied]);
  }
}

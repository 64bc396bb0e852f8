// Lifecycle mechanisms: checkpoint, restore, clone, merge, split, upgrade and
// specialize. Agent state crosses only through the agent's own hooks (JSON);
// the kernel copies what it owns itself: memory regions, unread messages, handles.

import { AiosError, Perm, type Message } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { LoadedImage } from '../ports.ts';
import { AnonMemory } from '../objects/memory.ts';

const PAGE = 4096;

/** What the lifecycle mechanisms need from the kernel: the clock and an agent's hooks. */
export interface HookHost {
  now(): number;
  runHook(a: Agent, kind: 'serialize', payload: unknown): Promise<unknown>;
}

/** A checkpoint: everything needed to start an equivalent agent later. JSON; bytes in base64. */
export interface Checkpoint {
  format: 1;
  id: string;
  createdAt: number;
  agent: { id: number; name: string; nice: number; hints: string[]; config: unknown; labels: string[]; domain: string; privileges: number; version?: string };
  image: LoadedImage;
  state: unknown;
  hasState: boolean;
  memory: Array<{ start: number; size: number; perms: number; pages: Array<[number, string]> }>;
  messages: StoredMessage[];
}

const b64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** A message as JSON (checkpoints, the journal): handles do not survive storage. */
export interface StoredMessage {
  from: number;
  tag: string;
  data: string;
}

export const storeMessage = (m: Message): StoredMessage => ({ from: m.from, tag: m.tag, data: b64(m.data) });
export const loadMessage = (s: StoredMessage): Message => ({ from: s.from, tag: s.tag, data: unb64(s.data), handles: [] });

/** Requires the hooks an operation needs; ENOSYS names the first one missing. */
export function requireHooks(a: Agent, hooks: string[]): void {
  const have = a.instance?.info.hooks ?? [];
  for (const h of hooks) {
    if (!have.includes(h)) throw new AiosError('ENOSYS', `agent ${a.name} (${a.id}) defines no ${h} hook`, { agent: a.id, hook: h });
  }
}

/** The agent's state through its serialize hook (undefined when it has none). */
export async function captureState(k: HookHost, a: Agent): Promise<{ state: unknown; hasState: boolean }> {
  if (!(a.instance?.info.hooks ?? []).includes('serialize')) return { state: undefined, hasState: false };
  return { state: await k.runHook(a, 'serialize', {}), hasState: true };
}

/** Copies the agent's private regions (allocations; not pool pages, frames or shared mappings) page by page. */
export function captureMemory(a: Agent): Checkpoint['memory'] {
  const out: Checkpoint['memory'] = [];
  for (const m of a.aspace.mappings) {
    if (m.kind !== 'alloc' || !(m.backing instanceof AnonMemory)) continue;
    const pages: Array<[number, string]> = [];
    const buf = new Uint8Array(PAGE);
    for (let off = 0; off < m.size; off += PAGE) {
      m.backing.read(off, buf, 0, PAGE);
      if (buf.some((x) => x !== 0)) pages.push([off / PAGE, b64(buf)]);
    }
    out.push({ start: m.start, size: m.size, perms: m.perms, pages });
  }
  return out;
}

export function captureMessages(a: Agent): Checkpoint['messages'] {
  const msgs = a.mailbox.drain();
  for (const m of msgs) a.mailbox.push(m);
  return msgs.map(storeMessage);
}

export async function takeCheckpoint(k: HookHost, a: Agent, id: string): Promise<Checkpoint> {
  if (a.image === null) throw new AiosError('EINVAL', `agent ${a.id} has no image to checkpoint`, { agent: a.id });
  const { state, hasState } = await captureState(k, a);
  return {
    format: 1,
    id,
    createdAt: k.now(),
    agent: {
      id: a.id, name: a.name, nice: a.nice, hints: [...a.hints], config: a.config, labels: [...a.labels], domain: a.domain,
      privileges: a.selfNode.rights, ...(a.instance?.info.version ? { version: a.instance.info.version } : {}),
    },
    image: a.image,
    state,
    hasState,
    memory: captureMemory(a),
    messages: captureMessages(a),
  };
}

/** Maps the checkpoint's regions at the same addresses (charged to the new agent's quota) and queues its messages. */
/** memId gives each restored region its label number (the kernel's id sequence). */
export function restoreMemoryAndMail(a: Agent, memory: Checkpoint['memory'], messages: Checkpoint['messages'], memId: () => number): void {
  for (const r of memory) {
    a.quota.charge('memBytes', r.size);
    const mem = new AnonMemory(r.size, memId());
    for (const [pageNo, data] of r.pages) {
      const bytes = unb64(data);
      mem.write(pageNo * PAGE, bytes, 0, bytes.length);
    }
    a.aspace.mapFixed(r.start, r.size, mem, r.perms & Perm.RWX, 'alloc');
  }
  for (const m of messages) a.mailbox.push(loadMessage(m));
}

/** Message summaries given to a partition hook. */
export function messageSummaries(a: Agent): Array<{ from: number; tag: string; text: string }> {
  const dec = new TextDecoder();
  const msgs = a.mailbox.drain();
  for (const m of msgs) a.mailbox.push(m);
  return msgs.map((m) => ({ from: m.from, tag: m.tag, text: dec.decode(m.data) }));
}

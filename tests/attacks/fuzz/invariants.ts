// Kernel invariants the fuzz test checks at the end: the agent table, handle tables, quotas,
// the run queues and the frame arena agree with each other. Returns the broken ones, by name.

import type { Kernel } from '@aios/kernel';

const STATES = new Set(['embryo', 'ready', 'running', 'waiting', 'suspended', 'zombie', 'dead']);

export function brokenInvariants(k: Kernel): string[] {
  const out: string[] = [];
  let queued = 0;
  let dlQueued = 0;
  const quotas = new Set<{ used: Record<string, number>; limits: Record<string, number> }>();
  for (const [id, a] of k.agents) {
    if (a.id !== id) out.push(`agent table key ${id} holds agent ${a.id}`);
    if (!STATES.has(a.state)) out.push(`agent ${id} in unknown state ${a.state}`);
    const inRq = k.runq.has(a);
    const inDl = k.dlq.has(a);
    if (inRq) queued++;
    if (inDl) dlQueued++;
    if (inRq && inDl) out.push(`agent ${id} is in both run queues`);
    if (!a.alive && (inRq || inDl)) out.push(`exited agent ${id} (${a.state}) is still queued`);
    if (!a.alive && a.mailbox.length > 0) out.push(`exited agent ${id} still holds ${a.mailbox.length} messages`);
    if (a.alive && a !== k.root && a.state !== 'embryo' && a.instance === null) out.push(`live agent ${id} has no instance`);
    if (a.handles.size < 0) out.push(`agent ${id} has a negative handle count`);
    if (a.alive && a.handles.size !== a.handles.entriesList().length) out.push(`agent ${id} handle count ${a.handles.size} != entries ${a.handles.entriesList().length}`);
    if (a.alive && a.mailbox.length > a.mailbox.depth + 64) out.push(`agent ${id} mailbox ${a.mailbox.length} far past its depth ${a.mailbox.depth}`);
    quotas.add(a.quota as never);
  }
  if (queued !== k.runq.length) out.push(`run queue length ${k.runq.length} != agents in it ${queued}`);
  if (dlQueued !== k.dlq.length) out.push(`deadline queue length ${k.dlq.length} != agents in it ${dlQueued}`);
  for (const q of quotas) {
    for (const r of Object.keys(q.used)) {
      if (!(q.used[r]! >= 0)) out.push(`quota ${r} used is ${q.used[r]}`);
      if (q.used[r]! > q.limits[r]!) out.push(`quota ${r} used ${q.used[r]} past its limit ${q.limits[r]}`);
    }
  }
  const free = k.arena.freeFrames;
  if (!(free >= 0 && free <= k.arena.frames)) out.push(`arena free frames ${free} out of [0, ${k.arena.frames}]`);
  return out;
}

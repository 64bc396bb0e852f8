// Lifecycle helpers: the async lifecycle syscalls, awaited. Each resolves when the
// kernel has finished the operation; the hooks they need are listed per call.
import type { AgentImage, Handle, SpawnOptions } from '@aios/abi';
import {
  agentCheckpoint, agentClone, agentMerge, agentRestore, agentResume, agentSpecialize, agentSplit, agentSuspend, agentUpgrade, asyncWait,
} from '../kernel/stubs.gen.ts';

/** A copy of the agent (serialize in the original, restore in the copy). Resolves to the copy's handle. */
export async function clone(agent: Handle, opts?: SpawnOptions): Promise<Handle> {
  return (await asyncWait(agentClone(agent, opts))) as Handle;
}

/** Merges `from` into `into` (serialize in both, merge and restore in `into`); `from` exits. */
export async function merge(into: Handle, from: Handle): Promise<{ into: number; from: number }> {
  return (await asyncWait(agentMerge(into, from))) as { into: number; from: number };
}

/** Splits an agent in two (serialize, partition, restore). Resolves to the new agent's handle. */
export async function split(agent: Handle, opts?: SpawnOptions): Promise<Handle> {
  return (await asyncWait(agentSplit(agent, opts))) as Handle;
}

/** Hot upgrade to a new image (serialize in the old version, migrate and restore in the new). */
export async function upgrade(agent: Handle, image: AgentImage, opts?: { rollbackWindowMs?: number }): Promise<{ agent: number; from: string | null; to: string | null }> {
  return (await asyncWait(agentUpgrade(agent, image, opts))) as { agent: number; from: string | null; to: string | null };
}

/** A new agent from a template's image with narrowed capabilities and extra config. */
export async function specialize(template: Handle, opts?: SpawnOptions): Promise<Handle> {
  return (await asyncWait(agentSpecialize(template, opts))) as Handle;
}

/** A durable checkpoint of an agent; resolves to its id. */
export async function checkpoint(agent: Handle): Promise<{ id: string; bytes: number }> {
  return (await asyncWait(agentCheckpoint(agent))) as { id: string; bytes: number };
}

/** A new agent from a checkpoint. */
export async function restore(checkpointId: string, opts?: SpawnOptions): Promise<Handle> {
  return (await asyncWait(agentRestore(checkpointId, opts))) as Handle;
}

export { agentSuspend as suspend, agentResume as resume };

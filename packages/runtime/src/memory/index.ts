// @aios/runtime/memory: the agents' memory API (memoryd client). remember/recall/forget/space use one
// default client per agent bundle; createMemory() makes one with options (a service handle, a timeout).
import type { JsonValue, Message } from '@aios/abi';
import { createMemory, type Memory, type MemoryHit, type RecallOptions, type RememberOptions, type Space } from './client.ts';

export { createMemory, SPACE_MESSAGE } from './client.ts';
export type {
  Memory, MemoryOptions, MemoryHit, MemoryRecord, RecallOptions, RememberOptions, Space, Filter, UpdatePatch, NamespaceSummary,
} from './client.ts';

let fallback: Memory | undefined;
/** The default client . */
export function memory(): Memory {
  return (fallback ??= createMemory());
}

/** Stores text (and optional JSON data) in the caller's private memory; returns the item id. */
export function remember(text: string, data?: JsonValue, opts?: RememberOptions): Promise<string> {
  return memory().remember(text, data, opts);
}

/** The caller's memories most relevant to query (hybrid text + vector), best first. */
export function recall(query: string, opts?: RecallOptions): Promise<MemoryHit[]> {
  return memory().recall(query, opts);
}

/** Deletes a private memory; false when it did not exist. */
export function forget(id: string, expectedVersion?: number): Promise<boolean> {
  return memory().forget(id, expectedVersion);
}

/** A shared namespace the caller owns (created, or opened by name). */
export function space(name?: string): Promise<Space> {
  return memory().space(name);
}

/** The space carried by a message sent with Space.share(), or null. */
export function adoptSpace(m: Message): Space | null {
  return memory().adopt(m);
}

// spawn(): AgentSpawn plus AsyncWait, the common way to start a child.
import type { AgentImage, Handle, SpawnOptions } from '@aios/abi';
import { agentSpawn, asyncWait } from '../kernel/stubs.gen.ts';

/** Starts a child agent and resolves with its handle (full rights for the parent). */
export async function spawn(image: AgentImage | string, opts?: SpawnOptions): Promise<Handle> {
  const img: AgentImage = typeof image === 'string' ? { path: image } : image;
  const ticket = agentSpawn(img, opts);
  return (await asyncWait(ticket)) as Handle;
}

// Helpers for the memory tests: boot a node with its services, register them, and run agents
// that use @aios/runtime/memory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boot, type AiosNode } from 'aios';
import { registerServices, type ServiceRegistry } from '../../apps/cli/src/node/service-registry.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** What agent sources import for the memory API (images built from source may import only the runtime). */
export const MEMORY_MODULE = '@aios/runtime/memory';

export interface MemNode { node: AiosNode; registry: ServiceRegistry; memoryd: number }

export async function bootMemNode(extra: Record<string, unknown> = {}): Promise<MemNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aios-mem-'));
  const node = await boot({ dataDir, config: { services: true, ...extra } });
  const registry = await registerServices(node.host, node.initd!);
  const memoryd = registry.services.get('memoryd');
  if (memoryd === undefined) throw new Error(`memoryd did not start: ${JSON.stringify(await node.host.request(node.initd!, { op: 'ls' }))}`);
  return { node, registry, memoryd };
}

/** Waits until the agent exits and returns its log lines. */
export async function runToExit(n: AiosNode, id: number): Promise<{ code: number; reason: string; logs: string[] }> {
  const s = await n.wait(id);
  return { code: s.code, reason: s.reason, logs: n.logs(id) };
}

/** Agent source with the memory module imported as `mem`. */
export function agentSource(name: string, body: string, extraImports = ''): string {
  return `import { defineAgent } from '@aios/runtime';\nimport * as mem from ${JSON.stringify(MEMORY_MODULE)};\n${extraImports}\nexport default defineAgent({ name: ${JSON.stringify(name)}, async main(ctx) {\n${body}\n} });\n`;
}

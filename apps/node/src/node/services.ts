// Where the node finds its service images (agent sources under packages/services),
// whether it runs from TypeScript sources or from the built bundle in apps/node/dist.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Service images that exist today (the rest of initd's units are listed as unavailable). */
export const SERVICE_IMAGES = ['initd', 'identityd', 'agentsupervisor', 'memoryd', 'semantic-ipcd', 'planner', 'networkd'] as const;
/** Images boot passes to initd only when the node is in a cluster (their unit is `unavailable` otherwise). */
export const CLUSTER_ONLY_IMAGES: readonly string[] = ['networkd'];

function servicesRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const cand = join(dir, 'packages', 'services', 'src');
    if (existsSync(join(cand, 'initd', 'agent.ts'))) return cand;
    dir = dirname(dir);
  }
  throw new Error('service images not found (packages/services/src)');
}

/** Absolute path of a service's agent image. */
export function serviceImage(name: string): string {
  return join(servicesRoot(), name, 'agent.ts');
}

/** Unit files from <dataDir>/units/*.json, as initd takes them (agents have no file system). */
export function unitFiles(dataDir: string): Array<{ file: string; text: string }> {
  const dir = join(dataDir, 'units');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }));
}

// The ABI suite's runner: spawns suite-agent.ts in a kernel and collects its CASE lines.
import { fileURLToPath } from 'node:url';
import { Rights } from '@aios/abi';
import type { KernelHost, PolicyHook } from '@aios/kernel';

const SUITE = fileURLToPath(new URL('./suite-agent.ts', import.meta.url));

/** A test policy: denies a few specific requests so EACCES is exercised. */
export const testPolicy: PolicyHook = (req) => {
  const deny =
    (req.action === 'AgentSpawn' && req.resource.id === 'forbidden') ||
    (req.action === 'FrameAlloc' && req.resource.attrs?.count === 3) ||
    (req.action === 'EventSubscribe' && req.resource.id.startsWith('secret.')) ||
    (req.action === 'CapDerive' && req.resource.attrs?.rights === Rights.SUSPEND) ||
    (req.action === 'HandleTransfer' && req.resource.attrs?.name === 'no-transfer');
  return deny ? { allow: false, policyIds: ['test-deny'] } : { allow: true, policyIds: [] };
};

export interface CaseResult { name: string; syscall: string; expect: string; got: string }

export async function runAbiSuite(host: KernelHost, domain?: 'native' | 'wasm'): Promise<CaseResult[]> {
  const id = await host.spawn({ path: SUITE }, {
    name: 'abi-suite', config: { mode: 'privileged', self: SUITE }, capabilities: ['spawn', 'frame', 'map', 'admin'],
    quotas: { memBytes: 64 * 2 ** 20 }, devices: ['storage'], ...(domain ? { domain } : {}),
  });
  const st = await host.waitExit(id);
  const lines = [...host.kernel.agents.values()].filter((a) => a.name === 'abi-suite').flatMap((a) => a.logs);
  const results = lines.filter((l) => l.startsWith('CASE ')).map((l) => JSON.parse(l.slice(5)) as CaseResult);
  if (st.code !== 0) throw new Error(`suite agent exited with ${st.code}: ${st.reason}\n${lines.join('\n')}`);
  return results;
}


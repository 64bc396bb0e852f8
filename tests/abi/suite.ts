// The ABI suite's runner: spawns suite-agent.ts in a kernel and collects its CASE lines.
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  // Lines are collected as they are logged: an exited agent keeps only ZOMBIE_LOG_BYTES of its log.
  const lines: string[] = [];
  const stop = host.kernel.subscribeHost('agent.*.log', (e) => {
    if (e.data.name === 'abi-suite') lines.push(e.data.line as string);
  });
  const id = await host.spawn({ path: SUITE }, {
    name: 'abi-suite', config: { mode: 'privileged', self: SUITE }, capabilities: ['spawn', 'frame', 'map', 'admin'],
    quotas: { memBytes: 64 * 2 ** 20 }, devices: ['storage'], ...(domain ? { domain } : {}),
    // A folder and a net grant for the Fs* and Net* cases (port 1: nothing listens, so a fetch fails with EIO).
    mounts: [{ name: 'abi', host: mkdtempSync(join(tmpdir(), 'aios-abi-')) }], net: ['127.0.0.1:1'],
  });
  const st = await host.waitExit(id);
  stop();
  const results = lines.filter((l) => l.startsWith('CASE ')).map((l) => JSON.parse(l.slice(5)) as CaseResult);
  if (st.code !== 0) throw new Error(`suite agent exited with ${st.code}: ${st.reason}\n${lines.join('\n')}`);
  return results;
}


// The node's power states (HAL): `suspend` checkpoints every agent (AgentCheckpoint, durable when the
// node has a checkpoint store), then suspends them all so nothing is scheduled (hibernate); `resume`
// brings back exactly the agents suspend stopped. Agents already suspended stay as they were.
import { AiosError, type PowerState } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';

interface PowerRecord { state: PowerState; suspended: number[] }
const STATE = new WeakMap<KernelHost, PowerRecord>();

export function powerState(host: KernelHost): PowerState {
  return STATE.get(host)?.state ?? 'running';
}

export interface SuspendReport {
  checkpoints: Array<{ agent: number; name: string; checkpoint?: string; error?: string }>;
  suspended: number[];
}

function waitTicket(host: KernelHost, ticket: number): Promise<unknown> {
  const root = host.kernel.root.id;
  return new Promise((resolve, reject) => {
    host.kernel.tickets.onSettle(root, ticket, () => {
      try {
        resolve(host.kernel.tickets.take(root, ticket));
      } catch (e) {
        reject(e);
      }
    });
  });
}

export async function suspendNode(host: KernelHost): Promise<SuspendReport> {
  if (powerState(host) === 'suspended') throw new AiosError('EINVAL', 'the node is already suspended', { power: 'suspended' });
  const k = host.kernel;
  const live = [...k.agents.values()].filter((a) => a.alive && a !== k.root && a.state !== 'suspended');
  // Checkpoints first: a hook runs as an activation, which a suspended agent would never get.
  const checkpoints = await Promise.all(live.map(async (a) => {
    try {
      const ticket = host.call('AgentCheckpoint', host.handleFor(a.id)) as number;
      const r = (await waitTicket(host, ticket)) as { id: string };
      return { agent: a.id, name: a.name, checkpoint: r.id };
    } catch (e) {
      return { agent: a.id, name: a.name, error: (e as { code?: string }).code ?? String(e) };
    }
  }));
  const suspended: number[] = [];
  for (const a of live) {
    if (!a.alive || a.state === 'suspended') continue;
    host.call('AgentSuspend', host.handleFor(a.id));
    suspended.push(a.id);
  }
  STATE.set(host, { state: 'suspended', suspended });
  k.audit.append(k.now(), k.root.id, 'NodeSuspend', null, 'ok', { agents: suspended.length, checkpoints: checkpoints.filter((c) => c.checkpoint).length });
  k.events.publish('node.power', k.now(), { state: 'suspended', agents: suspended.length });
  return { checkpoints, suspended };
}

export function resumeNode(host: KernelHost): { resumed: number[] } {
  const rec = STATE.get(host);
  if (rec === undefined || rec.state !== 'suspended') throw new AiosError('EINVAL', 'the node is not suspended', { power: 'running' });
  const k = host.kernel;
  const resumed: number[] = [];
  for (const id of rec.suspended) {
    const a = k.agents.get(id);
    if (!a?.alive || a.state !== 'suspended') continue;
    host.call('AgentResume', host.handleFor(id));
    resumed.push(id);
  }
  STATE.set(host, { state: 'running', suspended: [] });
  k.audit.append(k.now(), k.root.id, 'NodeResume', null, 'ok', { agents: resumed.length });
  k.events.publish('node.power', k.now(), { state: 'running', agents: resumed.length });
  return { resumed };
}

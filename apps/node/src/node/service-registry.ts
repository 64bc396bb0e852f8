// Tells the kernel host which agent runs each service unit, so host.spawn grants every new agent
// SEND to them (KernelHost.defaultServices: 'memoryd' -> agent id). Asks initd ({op:'ls'}) once it is
// ready, and again whenever initd reports a unit restart or exit. Trusts initd's reply shape only.
import type { KernelHost } from '@aios/kernel';
import { INITD } from '@aios/abi';

export interface ServiceRegistry {
  /** The current unit -> agent map (the same Map object as host.defaultServices). */
  readonly services: Map<string, number>;
  /** Re-reads initd's units now. */
  refresh(): Promise<void>;
  /** Stops following initd's events. */
  close(): void;
}

/**
 * Fills host.defaultServices from initd's unit list (active units with an agent) and keeps it current.
 * Call after initd has spawned (its first reply comes once every unit has started).
 */
export async function registerServices(host: KernelHost, initdId: number, timeoutMs = 60_000): Promise<ServiceRegistry> {
  const services = host.defaultServices;
  let closed = false;
  const refresh = async (): Promise<void> => {
    const rows = await host.request(INITD, initdId, 'ls', {}, timeoutMs);
    if (closed || !Array.isArray(rows)) return;
    for (const r of rows) {
      if (r && typeof r.name === 'string' && r.state === 'active' && typeof r.agent === 'number') services.set(r.name, r.agent);
      else if (r && typeof r.name === 'string') services.delete(r.name);
    }
  };
  await refresh();
  // initd publishes initd.restart / initd.exit / initd.failed (as user.<initd>.initd.*) when a unit changes.
  const unsubscribe = host.kernel.subscribeHost(`user.${initdId}.initd.>`, () => {
    if (!closed && host.kernel.agents.get(initdId)?.alive) refresh().catch(() => undefined);
  });
  return {
    services,
    refresh,
    close() {
      closed = true;
      unsubscribe();
    },
  };
}

// memoryd: the memory-fabric service agent (runs NATIVE). Builds the fabric over the `storage` and
// `embedder` devices initd placed in its namespace, serves protocol.ts requests one at a time, and
// sweeps expired items on a timer between requests. Trusts the kernel's stamping of `from`.
import { defineAgent } from '@aios/runtime';
import { clockNow, deviceCall, eventSubscribe, handleClose, ipcSend, ipcWait, nsLookup, objCreate, objInfo, selfInfo } from '@aios/runtime/kernel';
import { SHUTDOWN_TAG } from '@aios/runtime/orchestration';
import type { Message } from '@aios/abi';
import { createFabric } from './fabric.ts';
import { describeDevice, deviceEmbedder, deviceIdentity, deviceStorage } from '../devices/proxy.ts';
import { createMemorydServer } from './server.ts';

/** memoryd's ctx.config (from its unit's opts.config). */
export interface MemorydConfig {
  /** How often expired items are swept (default 1000 ms). */
  sweepMs?: number;
  /** Default quota of new namespaces. */
  defaultQuota?: { maxItems?: number; maxBytes?: number };
}

/** The driver name of a device handle, from its kernel label `device:<kind>:<name>:<n>`. */
/** The identity namespaces record for a device (deviceIdentity of its description), or `fallback`. */
async function deviceName(h: number, fallback: string): Promise<string> {
  const info = await describeDevice(h, deviceCall);
  return info === null ? fallback : deviceIdentity(info);
}

export default defineAgent({
  name: 'memoryd',
  version: '1.0.0',
  description: 'the shared semantic memory fabric: namespaces, items, hybrid search',
  async main(ctx) {
    const cfg = (ctx.config ?? {}) as MemorydConfig;
    const sweepMs = Number.isInteger(cfg.sweepMs) && cfg.sweepMs! > 0 ? cfg.sweepMs! : 1000;
    const call = (h: number, m: string, args: unknown[]) => deviceCall(h, m, args);
    const storageH = nsLookup('storage');
    const embedderH = nsLookup('embedder');
    const storage = deviceStorage(storageH, call, await deviceName(storageH, 'storage'));
    const embedder = await deviceEmbedder(embedderH, call, await deviceName(embedderH, 'embedder'));
    const fabric = createFabric({ storage, embedder, clock: { now: () => clockNow() }, ...(cfg.defaultQuota ? { defaultQuota: cfg.defaultQuota } : {}) });
    const server = createMemorydServer(fabric, {
      self: ctx.id,
      objCreate: (tag) => objCreate(tag),
      objInfo: (h) => objInfo(h),
      send: (to, data, handles) => ipcSend(to, data, handles && handles.length ? { handles } : undefined),
      close: (h) => handleClose(h),
      now: () => clockNow(),
      newId: () => crypto.randomUUID(),
    });
    // Clones and merges of agents carry their private memory along (the kernel announces them).
    eventSubscribe('agent.*.clone');
    eventSubscribe('agent.*.merge');
    ctx.log(`ready: embedder ${embedder.info.name} (${embedder.dim}-d), sweep every ${sweepMs} ms`);
    const parent = selfInfo().parent;
    let nextSweep = clockNow() + sweepMs;
    for (;;) {
      const wait = Math.max(1, Math.ceil(nextSweep - clockNow()));
      let m: Message | undefined;
      try {
        m = await ipcWait(wait);
      } catch (e) {
        if ((e as { code?: string }).code !== 'ETIMEDOUT') throw e;
      }
      if (m !== undefined) {
        if (m.tag === SHUTDOWN_TAG) {
          if (m.from === parent) break; // the shutdown convention: only the spawner (initd) stops us
          continue;
        }
        if (m.tag === 'event') {
          try {
            const ev = JSON.parse(new TextDecoder().decode(m.data)) as { topic: string; data: { id: number; clone?: number; merged?: number } };
            if (ev.topic.endsWith('.clone') && ev.data.clone !== undefined) await server.copyPrivate(ev.data.id, ev.data.clone);
            else if (ev.topic.endsWith('.merge') && ev.data.merged !== undefined) await server.copyPrivate(ev.data.merged, ev.data.id);
          } catch (e) {
            ctx.log(`private memory copy failed: ${(e as Error).message}`);
          }
          continue;
        }
        if (m.tag !== 'data') continue;
        await server.handle(m);
      }
      if (clockNow() >= nextSweep) {
        try {
          const n = await fabric.sweep();
          if (n > 0) ctx.log(`swept ${n} expired item(s)`);
        } catch (e) {
          ctx.log(`sweep failed: ${(e as Error).message}`);
        }
        nextSweep = clockNow() + sweepMs;
      }
    }
    await storage.flush().catch(() => undefined);
  },
});

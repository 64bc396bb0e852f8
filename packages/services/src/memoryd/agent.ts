// memoryd: the memory-fabric service agent (runs NATIVE). Builds the fabric over the `storage` and
// `embedder` devices initd placed in its namespace, serves the MEMORYD protocol table with createProtocolServer() (one at a time,
// fair across senders), and sweeps expired items between requests. Trusts the kernel's stamping of `from`.
import { defineAgent } from '@aios/runtime';
import { clockNow, deviceCall, eventPublish, eventSubscribe, handleClose, ipcSend, nsLookup, objCreate, objInfo, selfInfo } from '@aios/runtime/kernel';
import { SHUTDOWN_TAG, createProtocolServer } from '@aios/runtime/orchestration';
import { client } from '@aios/runtime/ipc';
import { IDENTITYD, MEMORYD } from '@aios/abi';
import type { Message } from '@aios/abi';
import { createFabric } from './fabric.ts';
import { describeDevice, deviceEmbedder, deviceIdentity, deviceStorage } from '../devices/proxy.ts';
import { createMemorydServer } from './server.ts';

/** memoryd's ctx.config (from its unit's opts.config). */
export interface MemorydConfig {
  /** Sweeps of expired items are at least this far apart (default 1000 ms); a sweep runs only when an item is due. */
  sweepMs?: number;
  /** Default quota of new namespaces. */
  defaultQuota?: { maxItems?: number; maxBytes?: number };
}

/** A request's deadline: long enough for an import or a reembed of a large namespace on a slow embedder. */
const REQUEST_TIMEOUT_MS = 600_000;
/** How long memoryd waits for identityd to name an agent's identity. */
const IDENTITY_TIMEOUT_MS = 10_000;

/** identityd, when initd routed it into our namespace (a unit ordered after it); null when it does not run. */
function identityd(): number | null {
  try {
    return nsLookup('identityd');
  } catch {
    return null;
  }
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
    const idH = identityd();
    const ids = idH !== null ? client(IDENTITYD, idH) : null;
    const server = createMemorydServer(fabric, {
      // Private namespaces are keyed by identity when identityd runs, by agent id otherwise (owners.ts).
      ...(ids !== null ? { identityOf: async (agent: number) => (await ids.call('lookup', { agent }, { timeoutMs: IDENTITY_TIMEOUT_MS })).id } : {}),
      log: (line) => ctx.log(line),
      self: ctx.id,
      objCreate: (tag) => objCreate(tag),
      objInfo: (h) => objInfo(h),
      send: (to, data, handles) => ipcSend(to, data, handles && handles.length ? { handles } : undefined),
      close: (h) => handleClose(h),
      now: () => clockNow(),
      newId: () => crypto.randomUUID(),
      progress: (report) => {
        try {
          eventPublish('progress', report);
        } catch {
          /* the event bus is best effort: the reply still carries the result */
        }
      },
    });
    // Clones and merges of agents carry their private memory along (the kernel announces them).
    eventSubscribe('agent.*.clone');
    eventSubscribe('agent.*.merge');
    // An exited agent's id may come back as another agent: its cached owner is dropped.
    eventSubscribe('agent.*.exit');
    ctx.log(`ready: embedder ${embedder.info.name} (${embedder.dim}-d), sweeps when items expire, private namespaces keyed by ${ids !== null ? 'identity' : 'agent id'}`);
    const parent = selfInfo().parent;
    // Expired items are invisible at once (reads filter them); the sweep only deletes them. It runs when the
    // earliest expiry is due (fabric.sweepDue), at most once per sweepMs: an idle memoryd makes no call.
    let lastSweep = -Infinity;
    const untilSweep = async (): Promise<number | undefined> => {
      const due = await fabric.sweepDue();
      return due === null ? undefined : Math.max(due, lastSweep + sweepMs) - clockNow();
    };
    // One request at a time (the fabric's ops assume it), taken round-robin across senders: a flooder waits
    // behind its own queue and is refused with EAGAIN past it (serve()).
    const loop = createProtocolServer(MEMORYD, server.ops, {
      concurrency: 1,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      // A write with an expiry moves the sweep earlier after tick ran: while requests run, tick runs again.
      pollMs: sweepMs,
      log: (...a) => ctx.log(...a),
      async tick() {
        try {
          let wait = await untilSweep();
          if (wait !== undefined && wait <= 0) {
            lastSweep = clockNow();
            const n = await fabric.sweep();
            if (n > 0) ctx.log(`swept ${n} expired item(s)`);
            wait = await untilSweep();
          }
          return wait === undefined ? undefined : Math.max(1, wait);
        } catch (e) {
          ctx.log(`sweep failed: ${(e as Error).message}`);
          lastSweep = clockNow();
          return sweepMs;
        }
      },
      async other(m: Message) {
        // The shutdown convention: only the spawner (initd) stops us.
        if (m.tag === SHUTDOWN_TAG) return m.from === parent ? 'stop' : undefined;
        if (m.tag !== 'event' || m.from !== 0) return undefined;
        try {
          const ev = JSON.parse(new TextDecoder().decode(m.data)) as { topic: string; data: { id: number; clone?: number; merged?: number } };
          if (ev.topic.endsWith('.exit')) server.forgetAgent(ev.data.id);
          else if (ev.topic.endsWith('.clone') && ev.data.clone !== undefined) {
            server.forgetAgent(ev.data.clone); // the clone's identity is its own, linked to the parent's
            await server.copyPrivate(ev.data.id, ev.data.clone);
          }
          else if (ev.topic.endsWith('.merge') && ev.data.merged !== undefined) await server.copyPrivate(ev.data.merged, ev.data.id);
        } catch (e) {
          ctx.log(`private memory copy failed: ${(e as Error).message}`);
        }
        return undefined;
      },
    });
    await loop.run();
    await storage.flush().catch(() => undefined);
  },
});

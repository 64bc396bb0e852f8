// initd: the first agent. Reads its units from ctx.config (InitdConfig), boots them
// in dependency order, answers control requests (the INITD table, createProtocolServer), restarts failed units
// per policy, and on a shutdown request from its parent stops every unit in reverse
// order and exits 0. A bad unit set (unknown requirement, cycle) makes it exit 1 with
// the EINVAL message (the cycle named) as its trap reason.

import { defineAgent } from '@aios/runtime';
import { agentCheckpoint, agentList, agentOpen, asyncWait, clockNow, exit, handleClose, Rights, selfInfo } from '@aios/runtime/kernel';
import { createInbox, createProtocolServer, isNotice, SHUTDOWN_TAG, type ProtocolHandlers } from '@aios/runtime/orchestration';
import { INITD } from '@aios/abi';
import { DEFAULT_UNITS } from './defaults.ts';
import { createManager, type Manager } from './manager.ts';
import { readControlRequest } from './control.ts';
import { resolveUnits, type InitdConfig } from './units.ts';

/**
 * The handlers of the INITD table. `serial` runs each one after whatever the manager is doing (a control request
 * or an exit notice): the manager's operations assume one at a time.
 */
function handlers(mgr: Manager, serial: <T>(f: () => Promise<T> | T) => Promise<T>): ProtocolHandlers<typeof INITD> {
  const unitOf = (req: unknown): string => readControlRequest(req).unit!;
  return {
    ls: () => serial(() => mgr.ls()),
    graph: () => serial(() => ({ dot: mgr.dot(), tree: mgr.tree(), levels: mgr.graph.levels })),
    start: (req) => serial(async () => ({ unit: unitOf(req), started: await mgr.start(unitOf(req)) })),
    stop: (req) => serial(async () => ({ unit: unitOf(req), stopped: await mgr.stop(unitOf(req)) })),
    restart: (req) => serial(async () => ({ unit: unitOf(req), started: await mgr.restart(unitOf(req)) })),
  };
}

export default defineAgent({
  name: 'initd',
  version: '1.0.0',
  description: 'boots the node services in dependency order and keeps them running',
  async main(ctx) {
    const inbox = createInbox(() => clockNow());
    const cfg = (ctx.config ?? {}) as InitdConfig;
    let mgr: Manager;
    try {
      mgr = createManager(resolveUnits(cfg, [...DEFAULT_UNITS]), { inbox, flags: { intensity: cfg.intensity, period: cfg.period, startLimit: cfg.startLimit } });
    } catch (e) {
      const err = e as { code?: string; message?: string };
      throw new Error(err.code ? `${err.code}: ${err.message}` : String(err.message ?? e));
    }
    const report = await mgr.boot();
    ctx.log(`ready: started ${report.started.length} unit(s) in ${report.levels.length} level(s) in ${report.ms} ms` + (report.failed.length ? `; failed: ${report.failed.join(', ')}` : ''));
    const parent = selfInfo().parent;
    let chain: Promise<unknown> = Promise.resolve();
    const serial = <T>(f: () => Promise<T> | T): Promise<T> => {
      const p = chain.then(f);
      chain = p.catch(() => undefined);
      return p;
    };
    // Control requests are the INITD table on the one server loop; exit notices and the shutdown request are the
    // loop's other messages.
    await createProtocolServer(INITD, handlers(mgr, serial), {
      concurrency: 1,
      requestTimeoutMs: SVC_REQUEST_TIMEOUT_MS,
      log: (...a) => ctx.log(...a),
      other: async (m) => {
        if (isNotice(m)) {
          await serial(() => mgr.onNotice(m));
          return undefined;
        }
        if (m.tag !== SHUTDOWN_TAG || (m.from !== parent && m.from !== ctx.id)) return undefined;
        await serial(async () => {
          const saved = await checkpointAll(ctx.id);
          ctx.log(`checkpointed ${saved.ok} agent(s) before stopping` + (saved.failed ? ` (${saved.failed} could not be)` : ''));
          const stopped = await mgr.shutdown();
          ctx.log(`stopped ${stopped.length} unit(s): ${stopped.join(', ')}`);
        });
        exit(0);
        return 'stop';
      },
    }).run();
  },
});

/** A control request may stop units one by one, each within its shutdown timeout. */
const SVC_REQUEST_TIMEOUT_MS = 300_000;

/**
 * A durable checkpoint of every live agent before the services stop (needs ADMIN to list
 * and open them). Agents with lifecycle hooks keep their state; the others their memory and mail.
 */
async function checkpointAll(self: number): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  let list: Array<{ id: number; state: string }> = [];
  try {
    list = agentList();
  } catch {
    return { ok, failed };
  }
  for (const a of list) {
    if (a.id === self || a.id === 1 || a.state === 'zombie' || a.state === 'dead' || a.state === 'embryo') continue;
    let h: number | undefined;
    try {
      h = agentOpen(a.id, Rights.INSPECT | Rights.SUSPEND);
      await asyncWait(agentCheckpoint(h), 5_000);
      ok++;
    } catch {
      failed++;
    } finally {
      if (h !== undefined) handleClose(h);
    }
  }
  return { ok, failed };
}

// initd: the first agent. Reads its units from ctx.config (InitdConfig), boots them
// in dependency order, answers control requests (control.ts), restarts failed units
// per policy, and on a shutdown request from its parent stops every unit in reverse
// order and exits 0. A bad unit set (unknown requirement, cycle) makes it exit 1 with
// the EINVAL message (the cycle named) as its trap reason.

import { defineAgent } from '@aios/runtime';
import { agentCheckpoint, agentList, agentOpen, asyncWait, clockNow, exit, handleClose, ipcSend, Rights, selfInfo } from '@aios/runtime/kernel';
import { createInbox, isNotice, SHUTDOWN_TAG } from '@aios/runtime/orchestration';
import type { Message } from '@aios/abi';
import { DEFAULT_UNITS } from './defaults.ts';
import { createManager, type Manager } from './manager.ts';
import { errorReply, readControlRequest, type ControlReply } from './control.ts';
import { resolveUnits, type InitdConfig } from './units.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function control(mgr: Manager, m: Message): Promise<void> {
  let id: string | number | undefined;
  let reply: ControlReply;
  try {
    const raw: unknown = JSON.parse(dec.decode(m.data));
    if (typeof raw === 'object' && raw !== null && (typeof (raw as { id?: unknown }).id === 'string' || typeof (raw as { id?: unknown }).id === 'number')) id = (raw as { id: string | number }).id;
    const req = readControlRequest(raw);
    let result: unknown;
    switch (req.op) {
      case 'ls': result = mgr.ls(); break;
      case 'graph': result = { dot: mgr.dot(), tree: mgr.tree(), levels: mgr.graph.levels }; break;
      case 'start': result = { unit: req.unit, started: await mgr.start(req.unit!) }; break;
      case 'stop': result = { unit: req.unit, stopped: await mgr.stop(req.unit!) }; break;
      case 'restart': result = { unit: req.unit, started: await mgr.restart(req.unit!) }; break;
    }
    reply = id === undefined ? { ok: true, result } : { id, ok: true, result };
  } catch (e) {
    reply = errorReply(id, e instanceof SyntaxError ? Object.assign(new Error(`request is not JSON: ${e.message}`), { code: 'EINVAL' }) : e);
  }
  const to = m.handles[0];
  if (to === undefined) return;
  try {
    ipcSend(to, enc.encode(JSON.stringify(reply)));
  } catch {
    // The asker is gone or its mailbox is full.
  }
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
      mgr = createManager(resolveUnits(cfg, [...DEFAULT_UNITS]), { inbox, startLimit: cfg.startLimit });
    } catch (e) {
      const err = e as { code?: string; message?: string };
      throw new Error(err.code ? `${err.code}: ${err.message}` : String(err.message ?? e));
    }
    const report = await mgr.boot();
    ctx.log(`ready: started ${report.started.length} unit(s) in ${report.levels.length} level(s) in ${report.ms} ms` + (report.failed.length ? `; failed: ${report.failed.join(', ')}` : ''));
    const parent = selfInfo().parent;
    for (;;) {
      const m = await inbox.next();
      if (isNotice(m)) {
        await mgr.onNotice(m);
        continue;
      }
      if (m.tag === SHUTDOWN_TAG) {
        if (m.from !== parent && m.from !== ctx.id) continue;
        const saved = await checkpointAll(ctx.id);
        ctx.log(`checkpointed ${saved.ok} agent(s) before stopping` + (saved.failed ? ` (${saved.failed} could not be)` : ''));
        const stopped = await mgr.shutdown();
        ctx.log(`stopped ${stopped.length} unit(s): ${stopped.join(', ')}`);
        exit(0);
      }
      await control(mgr, m);
    }
  },
});

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

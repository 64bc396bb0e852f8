// The ready-made supervisor agent: runs supervise(config.flags, config.specs) and
// answers control requests. Spawn it with the spawn privilege (and as a child spec of
// type 'supervisor' to build supervision trees). Exits 0 after a shutdown request from
// its parent, 1 when it gives up (restart intensity reached).

import { defineAgent } from '@aios/runtime';
import { exit, ipcSend } from '@aios/runtime/kernel';
import { supervise, type Supervisor } from '@aios/runtime/orchestration';
import type { ReceivedMessage } from '@aios/runtime';
import { readSupervisorConfig, readSupervisorRequest } from './config.ts';

const enc = new TextEncoder();

async function answer(msg: ReceivedMessage, sup: Supervisor): Promise<void> {
  const reply = msg.handles[0];
  let id: unknown;
  let body: Record<string, unknown>;
  try {
    const raw = msg.json<Record<string, unknown>>();
    id = raw?.id;
    const req = readSupervisorRequest(raw);
    let result: unknown;
    switch (req.op) {
      case 'which_children': result = sup.whichChildren(); break;
      case 'count_children': result = sup.countChildren(); break;
      case 'start_child': result = await sup.startChild(sup.strategy === 'simple_one_for_one' ? req.args : req.spec); break;
      case 'terminate_child': await sup.terminateChild(req.child); result = null; break;
      case 'restart_child': result = await sup.restartChild(req.child); break;
      case 'delete_child': sup.deleteChild(req.child); result = null; break;
    }
    body = { ok: true, result };
  } catch (e) {
    const err = e as { code?: string; message?: string; detail?: unknown };
    body = { ok: false, error: { code: err.code ?? 'EINVAL', message: String(err.message ?? e), detail: err.detail } };
  }
  if (reply === undefined) return;
  try {
    ipcSend(reply, enc.encode(JSON.stringify(id === undefined ? body : { id, ...body })));
  } catch {
    // The asker is gone or its mailbox is full: nothing to tell.
  }
}

export default defineAgent({
  name: 'agentsupervisor',
  version: '1.0.0',
  description: 'Erlang/OTP supervisor: restarts its children per strategy, restart type and intensity',
  async main(ctx) {
    let sup: Supervisor;
    try {
      const cfg = readSupervisorConfig(ctx.config);
      sup = await supervise(cfg.flags, cfg.specs, { onMessage: (m, s) => answer(m, s) });
    } catch (e) {
      // The trap reason carries the code, so the parent sees why (e.g. "EINVAL: duplicate child id").
      const err = e as { code?: string; message?: string };
      throw new Error(err.code ? `${err.code}: ${err.message}` : String(err.message ?? e));
    }
    const result = await sup.run();
    ctx.log(`supervisor stopped: ${result.reason}`);
    exit(result.code);
  },
});

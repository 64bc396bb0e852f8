// Policy evaluation runs inside the calling agent's syscall, so its cost is part of the activation
// the scheduler measures and charges to that agent (cpuMs, vruntime): a flooder of policy-checked
// calls is throttled by its own accounting, not the node. Decisions are cached by the engine.
import { describe, it, expect, afterAll } from 'vitest';
import { createTestHost } from '@aios/testkit';

const EVAL_COST_MS = 40;
const CALLS = 5;

describe('policy - the cost of a decision', () => {
  let skew = 0;
  let evals = 0;
  const h = createTestHost({
    config: {
      behavior: false,
      policy: () => {
        evals++;
        skew += EVAL_COST_MS; // each evaluation "takes" EVAL_COST_MS of the kernel's monotonic clock
        return { allow: true, policyIds: [] };
      },
    },
  });
  const clock = h.kernel.ports.clock;
  const realMono = clock.monotonic.bind(clock);
  clock.monotonic = () => realMono() + skew;
  afterAll(() => {
    clock.monotonic = realMono;
    h.shutdown();
  });

  it('policy - evaluation time is charged to the calling agent, not to a bystander', async () => {
    const src = (n: number) => `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'p', async main(ctx) {
  for (let i = 0; i < ${n}; i++) k.handleClose(k.eventSubscribe('agent.*.exit'));
  ctx.log('done');
  await k.ipcWait();
} });`;
    const caller = await h.spawn({ source: src(CALLS) }, { name: 'caller', domain: 'native' });
    const idle = await h.spawn({ source: src(0) }, { name: 'idle', domain: 'native' });
    for (let i = 0; i < 300 && !(h.logs(caller).includes('done') && h.logs(idle).includes('done')); i++) await new Promise((r) => setTimeout(r, 10));
    await h.kernel.idle();
    const before = evals;
    expect(before).toBeGreaterThanOrEqual(CALLS);
    const a = h.kernel.agents.get(caller)!;
    const b = h.kernel.agents.get(idle)!;
    expect(a.cpuMs).toBeGreaterThanOrEqual(CALLS * EVAL_COST_MS);
    expect(a.vruntime).toBeGreaterThanOrEqual(CALLS * EVAL_COST_MS); // nice 0: 1 ms of CPU is 1 ms of vruntime
    expect(b.cpuMs).toBeLessThan(EVAL_COST_MS);
  });
});

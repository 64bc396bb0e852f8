// Kernel objects take their label numbers from their own kernel: two kernels in one process never share an
// id sequence, so a second kernel's first object is numbered like the first kernel's first object.
import { describe, expect, it } from 'vitest';
import type { KernelPorts } from '@aios/abi';
import { KernelHost } from '../host.ts';

function testPorts(): KernelPorts {
  let t = 0;
  return {
    clock: { now: () => 1_700_000_000_000 + t, monotonic: () => (t += 0.001) },
    random: (n) => new Uint8Array(n),
    timers: { setTimer: (ms, fn) => setTimeout(fn, ms), clearTimer: (id) => clearTimeout(id as NodeJS.Timeout) },
    defer: (fn) => setImmediate(fn),
    loader: { load: async () => { throw new Error('no images in this test'); } },
    offload: { pqc: async () => { throw new Error('no pqc in this test'); } },
  };
}

/** Labels of what a fresh kernel's root creates: a service object, a memory region, a frame, a subscription. */
function labels(host: KernelHost): string[] {
  const k = host.kernel;
  const obj = host.call('ObjCreate', 'x') as number;
  const addr = host.call('AgentMemAlloc', 4096, 'rw') as number;
  const frame = host.call('FrameAlloc', 1) as number;
  const sub = host.call('EventSubscribe', 'agent.*.exit') as number;
  const node = (h: number): string => k.root.handles.lookup(h, null, 0, () => 0).label;
  return [node(obj), k.root.aspace.find(addr)!.backing.label, node(frame), node(sub)];
}

describe('objects - id sequences', () => {
  it('objects - two kernels in one process number their objects independently', () => {
    const a = new KernelHost(testPorts(), { behavior: false });
    const first = labels(a);
    expect(first).toEqual(['obj:1', 'mem:1', 'frame:1', 'sub:1']);
    // The first kernel goes on counting; a second one starts from 1 again.
    expect(labels(a)).toEqual(['obj:2', 'mem:2', 'frame:2', 'sub:2']);
    const b = new KernelHost(testPorts(), { behavior: false });
    expect(labels(b)).toEqual(first);
  });
});

// Model syscalls: LlmComplete, LlmStreamOpen, LlmStreamNext, LlmUsage. The
// device is named by a handle with USE; requests go through the kernel's fair
// dispatcher with the caller's weight, hints and budget.

import { AiosError, Rights, type LlmAgentUsage, type LlmChunk, type LlmRequest, type LlmResult, type LlmSubmitOptions } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { LlmStreamObject } from '../objects/llm-stream.ts';
import { ModelDeviceObject } from '../objects/model-device.ts';

function device(k: SyscallContext, a: Agent, handle: unknown, au: AuditSlot | null, action?: string): ModelDeviceObject {
  const node = k.lookup(a, handle, 'device', Rights.USE, au);
  // A bus device (storage, embedder) is a 'device' too, but it is reached through DeviceCall.
  if (!(node.object instanceof ModelDeviceObject)) throw new AiosError('EBADF', `handle ${String(handle)} is not the model device (use DeviceCall for bus devices)`, { handle, expected: 'llm' });
  if (action !== undefined) k.authorize(a, action, { type: 'device', id: node.object.label, attrs: { kind: 'llm' } });
  return node.object as ModelDeviceObject;
}

function submitOptions(a: Agent): LlmSubmitOptions {
  return { weight: a.weight / 1024, interactive: a.hints.includes('interactive') || a.hints.includes('llm-bound') };
}

/** `(device, req)`, or `(req)` alone: then the device is the one named 'model' in the caller's namespace. */
function deviceAndRequest(a: Agent, args: unknown[]): [unknown, unknown] {
  if (typeof args[0] === 'object' && args[0] !== null && args[1] === undefined) {
    const h = a.namespace.get('model');
    if (h === undefined) throw new AiosError('ENOENT', "no 'model' device in this agent's namespace", { name: 'model' });
    return [h, args[0]];
  }
  return [args[0], args[1]];
}

export function sys_llmComplete(k: SyscallContext, a: Agent, args: unknown[], au: AuditSlot): Promise<LlmResult> {
  const [handle, req] = deviceAndRequest(a, args);
  const dev = device(k, a, handle, au, 'LlmComplete');
  const { promise, settle } = k.block<LlmResult>(a);
  dev.device.submit(a.id, req as LlmRequest, submitOptions(a)).then(
    (r) => settle(true, r),
    (e: unknown) => settle(false, e),
  );
  return promise;
}

export function sys_llmStreamOpen(k: SyscallContext, a: Agent, args: unknown[], au: AuditSlot): number {
  const [handle, req] = deviceAndRequest(a, args);
  const dev = device(k, a, handle, au, 'LlmStreamOpen');
  const stream = new LlmStreamObject(dev.device.submitStream(a.id, req as LlmRequest, submitOptions(a)), k.ids.stream());
  return k.insertHandle(a, stream, Rights.READ, null);
}

export function sys_llmStreamNext(k: SyscallContext, a: Agent, [handle]: unknown[], au: AuditSlot): Promise<LlmChunk | null> {
  const node = k.lookup(a, handle, 'stream', Rights.READ, au);
  const stream = node.object as LlmStreamObject;
  const { promise, settle } = k.block<LlmChunk | null>(a);
  stream.next().then(
    (c) => settle(true, c),
    (e: unknown) => settle(false, e),
  );
  return promise;
}

export function sys_llmUsage(k: SyscallContext, a: Agent, [handle]: unknown[], au: AuditSlot): LlmAgentUsage {
  return device(k, a, handle, au).device.usage(a.id);
}

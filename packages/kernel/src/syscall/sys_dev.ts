// Device and service-object syscalls: DeviceCall, ObjCreate, ObjInfo, AgentOpen.

import { AiosError, ALL_RIGHTS, DEFAULT_RIGHTS, Rights, limits } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { DeviceObject } from '../objects/device.ts';
import { ServiceObject } from '../objects/service-object.ts';
import { ModelDeviceObject } from '../objects/model-device.ts';
import { argInt, argJson, argString } from './args.ts';
import { checkOpenedRange } from './sys_devio.ts';
import { REMOTE_ADDRESS_RE } from '../ipc/remote.ts';

export function sys_deviceCall(k: SyscallContext, a: Agent, [device, method, args]: unknown[], au: AuditSlot): Promise<unknown> {
  const node = k.lookup(a, device, 'device', Rights.USE, au);
  // The model device answers 'describe' too (its driver's info: is it a real model or the offline stand-in?).
  if (node.object instanceof ModelDeviceObject && method === 'describe') return Promise.resolve({ ...node.object.device.driver.info });
  if (!(node.object instanceof DeviceObject)) throw new AiosError('EINVAL', 'this device is not called through DeviceCall (use the Llm* or Net* syscalls)', { device });
  checkOpenedRange(node);
  const m = argString(method, 'method', 64);
  k.authorize(a, 'DeviceCall', { type: 'device', id: node.object.label, attrs: { kind: node.object.driver.info.kind, method: m } });
  if (args !== undefined && !Array.isArray(args)) throw new AiosError('EINVAL', 'args must be a list', { arg: 'args' });
  // A tool device's call is also decided per tool: action ToolCall, resource tool:<device name>/<tool>.
  if (node.object.driver.info.kind === 'tool' && m === 'call') {
    const tool = (args as unknown[] | undefined)?.[0] as { tool?: unknown } | undefined;
    if (typeof tool?.tool !== 'string' || tool.tool.length === 0 || tool.tool.length > 256) throw new AiosError('EINVAL', "a tool call's args are [{ tool, arguments }] with tool a name", { arg: 'args' });
    k.authorize(a, 'ToolCall', { type: 'tool', id: `${node.object.driver.info.name}/${tool.tool}`, attrs: { device: node.object.driver.info.name, tool: tool.tool } });
  }
  const { promise, settle } = k.block<unknown>(a);
  node.object.call(m, (args as unknown[] | undefined) ?? []).then((v) => settle(true, v), (e: unknown) => settle(false, e));
  return promise;
}

export function sys_objCreate(k: SyscallContext, a: Agent, [tag]: unknown[], au: AuditSlot): number {
  const t = argString(tag, 'tag', 256);
  argJson(t, 'tag', 1024);
  const obj = new ServiceObject(a.id, t, k.ids.object());
  au.label = obj.label;
  return k.insertHandle(a, obj, DEFAULT_RIGHTS.object, null);
}

export function sys_objInfo(k: SyscallContext, a: Agent, args: unknown[], au: AuditSlot): { owner: number; tag: string; rights: number; object: string } {
  const node = k.lookup(a, args[0], 'object', 0, au);
  const o = node.object as ServiceObject;
  return { owner: o.owner, tag: o.tag, rights: node.rights, object: node.label };
}

export function sys_agentOpen(k: SyscallContext, a: Agent, [agent, rights]: unknown[], au: AuditSlot): number {
  // 'NAME@NODE': an agent on another node, listed in the cluster directory. Decided by policy, not ADMIN:
  // the handle carries SEND and INSPECT only.
  if (typeof agent === 'string' && REMOTE_ADDRESS_RE.test(agent)) {
    k.authorize(a, 'AgentOpen', { type: 'agent', id: agent, attrs: { name: agent } });
    const t = k.openRemote(agent);
    au.label = t.label;
    const want = rights === undefined ? Rights.SEND | Rights.INSPECT : argInt(rights, 'rights', 0, ALL_RIGHTS);
    return k.insertHandle(a, t, want & (Rights.SEND | Rights.INSPECT), null);
  }
  if ((a.selfNode.rights & Rights.ADMIN) === 0) throw new AiosError('EPERM', 'AgentOpen needs the ADMIN privilege', { needed: 'ADMIN' });
  const id = argInt(agent, 'agent', 1, Number.MAX_SAFE_INTEGER);
  const r = rights === undefined ? DEFAULT_RIGHTS.agent : argInt(rights, 'rights', 0, ALL_RIGHTS);
  const t = k.agentById(id);
  if (t === undefined || !t.alive || t === k.root) throw new AiosError('ESRCH', `no live agent ${id}`, { agent: id });
  au.label = t.label;
  void limits;
  return k.insertHandle(a, t, r & DEFAULT_RIGHTS.agent, null);
}

export function sys_policyApply(k: SyscallContext, a: Agent, [text]: unknown[]): Promise<unknown> {
  if ((a.selfNode.rights & Rights.ADMIN) === 0) throw new AiosError('EPERM', 'PolicyApply needs the ADMIN privilege', { needed: 'ADMIN' });
  const t = argString(text, 'text', 1 << 20);
  const admin = k.policyAdmin;
  if (admin === undefined) throw new AiosError('ENOSYS', 'this node has no policy engine to replace');
  const { promise, settle } = k.block<unknown>(a);
  admin.apply(t).then((v) => settle(true, v), (e: unknown) => settle(false, e));
  return promise;
}

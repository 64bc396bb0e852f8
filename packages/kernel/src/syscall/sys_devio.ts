// Device enumeration, hotplug waits and versioned opens: DeviceList, DeviceWait, DeviceOpen.
// A handle opened for a range (DeviceOpen) keeps it: after a replug with a driver outside the
// range, calls through it are ENODEV (checked by checkOpenedRange in DeviceCall).

import { AiosError, Rights, limits, type DeviceInfo } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { CapNode } from '../cap/captree.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { DeviceObject } from '../objects/device.ts';
import { ModelDeviceObject } from '../objects/model-device.ts';
import { parseRange, satisfies } from '../dev/version.ts';
import { NetObject } from '../io/net.ts';
import { argInt, argString } from './args.ts';

/** Ranges handles were opened for (DeviceOpen). */
const OPENED = new WeakMap<CapNode, string>();

function describe(name: string, o: unknown): DeviceInfo | null {
  if (o instanceof DeviceObject) {
    const i = o.driver.info;
    return { name, bus: o.bus, kind: i.kind, driver: i.name, version: i.version, interface: o.iface, plugged: o.plugged };
  }
  if (o instanceof ModelDeviceObject) {
    const i = o.device.driver.info;
    return { name, bus: 'model', kind: 'llm', driver: i.name, version: i.version, interface: i.interface ?? '1.0', plugged: true };
  }
  if (o instanceof NetObject) return { name, bus: 'net', kind: 'net', driver: 'host-net', version: '1.0', interface: '1.0', plugged: true };
  return null;
}

export function sys_deviceList(k: SyscallContext, a: Agent): DeviceInfo[] {
  const out: DeviceInfo[] = [];
  for (const [name, h] of a.namespace) {
    const e = a.handles.get(h);
    if (!e || e.node.revoked || e.node.type !== 'device') continue;
    const d = describe(name, e.node.object);
    if (d) out.push(d);
  }
  // An administrator sees the whole bus (what `aios dev ls` shows).
  if ((a.selfNode.rights & Rights.ADMIN) !== 0) {
    const seen = new Set(out.map((d) => d.bus));
    for (const [name, d] of k.devices) if (!seen.has(name)) out.push(describe(name, d.object)!);
  }
  return out;
}

/** ENODEV when a handle opened for a range now names a driver outside it (after a replug). */
export function checkOpenedRange(node: CapNode): void {
  const range = OPENED.get(node);
  const o = node.object;
  if (range === undefined || !(o instanceof DeviceObject) || !o.plugged) return;
  if (!satisfies(o.iface, range)) throw new AiosError('ENODEV', `device ${o.bus} now speaks interface ${o.iface}; this handle was opened for ${range}`, { device: o.bus, interface: o.iface, wanted: range });
}

export function sys_deviceOpen(k: SyscallContext, a: Agent, [device, range]: unknown[], au: AuditSlot): number {
  const node = k.lookup(a, device, 'device', Rights.USE | Rights.DERIVE, au);
  const r = argString(range, 'range', 64);
  parseRange(r);
  const o = node.object;
  const iface = o instanceof DeviceObject ? o.iface : o instanceof ModelDeviceObject ? (o.device.driver.info.interface ?? '1.0') : '1.0';
  const name = o instanceof DeviceObject ? o.bus : node.label;
  if (o instanceof DeviceObject && !o.plugged) throw new AiosError('ENODEV', `device ${name} is unplugged`, { device: name, plugged: false });
  if (!satisfies(iface, r)) {
    const driver = o instanceof DeviceObject ? o.driver.info : null;
    throw new AiosError('ENODEV', `device ${name} speaks interface ${iface} (driver ${driver?.name ?? '?'} ${driver?.version ?? ''}); the caller supports ${r}`.trim(), { device: name, interface: iface, wanted: r, ...(driver ? { driver: driver.name, version: driver.version } : {}) });
  }
  const h = k.insertHandle(a, o, node.rights, node, node.expires);
  OPENED.set(a.handles.get(h)!.node, r);
  return h;
}

export function sys_deviceWait(k: SyscallContext, a: Agent, [device, timeoutMs]: unknown[], au: AuditSlot): Promise<DeviceInfo> {
  const node = k.lookup(a, device, 'device', Rights.USE, au);
  const ms = timeoutMs === undefined || timeoutMs === 0 ? limits.DEVICE_WAIT_MAX_MS : argInt(timeoutMs, 'timeoutMs', 1, limits.DEVICE_WAIT_MAX_MS);
  const o = node.object;
  const name = a.handles.get(device as number)?.name ?? node.label;
  const info = (): DeviceInfo => describe(name, o) ?? { name, bus: node.label, kind: 'device', driver: '', version: '', interface: '1.0', plugged: true };
  const { promise, settle } = k.block<DeviceInfo>(a);
  if (!(o instanceof DeviceObject) || o.plugged) {
    try {
      checkOpenedRange(node);
      settle(true, info());
    } catch (e) {
      settle(false, e);
    }
    return promise;
  }
  const done = (ok: boolean, v: unknown): void => {
    o.waiters.delete(wake);
    k.ports.timers.clearTimer(timer);
    settle(ok, v);
  };
  const wake = (): void => {
    try {
      checkOpenedRange(node);
      done(true, info());
    } catch (e) {
      done(false, e);
    }
  };
  const timer = k.ports.timers.setTimer(ms, () => done(false, new AiosError('ETIMEDOUT', `device ${o.bus} was not plugged again within ${ms} ms`, { device: o.bus, timeoutMs: ms })));
  o.waiters.add(wake);
  return promise;
}

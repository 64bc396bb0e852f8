// The device bus as the kernel holds it: drivers plugged under a name (the root holds a handle with USE
// to each, granted into namespaces at spawn), and the model device behind the kernel's fair dispatcher.
// Hotplug: unplugging keeps the device object and every handle to it (calls are ENODEV until a driver of
// the same kind is plugged under the name again, which wakes DeviceWait callers); plug and unplug are audited.

import { AiosError, DEFAULT_RIGHTS, type Driver, type LlmDriver } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { CapNode, KObject } from '../cap/captree.ts';
import type { EventBus } from '../event/bus.ts';
import type { AuditLog } from '../audit/log.ts';
import { createModelDevice, type ModelDevice } from '../llm/index.ts';
import type { KernelIds } from '../objects/ids.ts';
import type { ClockPort } from '../ports.ts';
import { DeviceObject } from '../objects/device.ts';
import { ModelDeviceObject } from '../objects/model-device.ts';

/** What the bus needs from the kernel. */
export interface DevicesDeps {
  readonly root: Agent;
  readonly events: EventBus;
  readonly audit: AuditLog;
  readonly ids: KernelIds;
  readonly clock: ClockPort;
  insertHandle(a: Agent, object: KObject, rights: number, parent: CapNode | null): number;
}

export class Devices {
  /** Devices on the bus, by name, with the root's handle to each. */
  readonly byName = new Map<string, { object: DeviceObject; handle: number }>();
  /** The model device, when the node has an llm driver. */
  readonly model: ModelDevice | null = null;
  readonly modelObject: ModelDeviceObject | null = null;
  /** The root's handle to the model device (granted to agents as 'model' in their namespace); 0 without one. */
  readonly modelHandle: number = 0;

  constructor(private readonly deps: DevicesDeps, llm: LlmDriver | undefined) {
    if (llm) {
      const model = createModelDevice({
        driver: llm,
        clock: { now: () => deps.clock.now() },
        onEvent: (e) => deps.events.publish(e.topic, e.time, e.data),
      });
      this.model = model;
      this.modelObject = new ModelDeviceObject(model);
      this.modelHandle = deps.insertHandle(deps.root, this.modelObject, DEFAULT_RIGHTS.device, null);
    }
  }

  /** LLM tokens an agent has used (0 without a model device). */
  llmTokens(id: number): number {
    if (!this.model) return 0;
    const u = this.model.usage(id);
    return u.promptTokens + u.completionTokens;
  }

  /**
   * Plugs a driver into the bus under a name; the root gets a handle with USE. A name whose device was
   * unplugged gets the new driver (same kind, else EINVAL), and the handles agents kept work again.
   * EEXIST for a name whose device is plugged.
   */
  plug(name: string, driver: Driver): DeviceObject {
    const d = this.deps;
    const had = this.byName.get(name);
    if (had !== undefined) {
      if (had.object.plugged) throw new AiosError('EEXIST', `a device named ${name} is already plugged`, { name });
      if (had.object.driver.info.kind !== driver.info.kind) {
        throw new AiosError('EINVAL', `device ${name} was a ${had.object.driver.info.kind} device; a ${driver.info.kind} driver cannot take its place`, { name, kind: driver.info.kind });
      }
      had.object.driver = driver;
      had.object.plugged = true;
      for (const w of [...had.object.waiters]) w();
    }
    const entry = had ?? (() => {
      const object = new DeviceObject(driver, d.ids.device(), name);
      const e = { object, handle: d.insertHandle(d.root, object, DEFAULT_RIGHTS.device, null) };
      this.byName.set(name, e);
      return e;
    })();
    const info = { name, driver: driver.info.name, kind: driver.info.kind, version: driver.info.version, interface: entry.object.iface };
    d.audit.append(d.clock.now(), d.root.id, 'DevicePlug', entry.object.label, 'ok', info);
    d.events.publish('bus.plug', d.clock.now(), info);
    return entry.object;
  }

  /** Unplugs a device: its handles stay, and calls through them are ENODEV until a driver is plugged again. */
  unplug(name: string): void {
    const d = this.deps;
    const dev = this.byName.get(name);
    if (!dev || !dev.object.plugged) throw new AiosError('ENOENT', `no plugged device ${name}`, { name });
    dev.object.plugged = false;
    d.audit.append(d.clock.now(), d.root.id, 'DeviceUnplug', dev.object.label, 'ok', { name });
    d.events.publish('bus.unplug', d.clock.now(), { name });
  }
}

// The device bus as the kernel holds it: drivers plugged under a name (the root holds a handle with USE
// to each, granted into namespaces at spawn), and the model device behind the kernel's fair dispatcher.
// Unplugging revokes every handle derived from the root's.

import { AiosError, DEFAULT_RIGHTS, type Driver, type LlmDriver } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { CapNode, KObject } from '../cap/captree.ts';
import type { EventBus } from '../event/bus.ts';
import { createModelDevice, type ModelDevice } from '../llm/index.ts';
import type { KernelIds } from '../objects/ids.ts';
import type { ClockPort } from '../ports.ts';
import { DeviceObject } from '../objects/device.ts';
import { ModelDeviceObject } from '../objects/model-device.ts';

/** What the bus needs from the kernel. */
export interface DevicesDeps {
  readonly root: Agent;
  readonly events: EventBus;
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

  /** Plugs a driver into the bus under a name; the root gets a handle with USE. EEXIST for a name in use. */
  plug(name: string, driver: Driver): DeviceObject {
    const d = this.deps;
    if (this.byName.has(name)) throw new AiosError('EEXIST', `a device named ${name} is already plugged`, { name });
    const object = new DeviceObject(driver, d.ids.device());
    const handle = d.insertHandle(d.root, object, DEFAULT_RIGHTS.device, null);
    this.byName.set(name, { object, handle });
    d.events.publish('bus.plug', d.clock.now(), { name, driver: driver.info.name, kind: driver.info.kind, version: driver.info.version });
    return object;
  }

  /** Unplugs a device: every handle derived from the root's is revoked. ENOENT for an unknown name. */
  unplug(name: string): void {
    const d = this.deps;
    const dev = this.byName.get(name);
    if (!dev) throw new AiosError('ENOENT', `no device ${name}`, { name });
    const node = d.root.handles.get(dev.handle)!.node;
    node.revokeDescendants();
    d.root.handles.remove(dev.handle);
    this.byName.delete(name);
    d.events.publish('bus.unplug', d.clock.now(), { name });
  }
}

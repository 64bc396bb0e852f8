// A device object: a driver plugged into the bus, a kernel object that
// agents reach only through a handle with USE. DeviceCall exposes the methods
// its kind allows (storage: the durable and memory stores; embedder: embed), and every
// device answers `describe` with its driver's DriverInfo (name, version, kind, description).

import { AiosError, type Driver, type DriverKind } from '@aios/abi';
import type { KObject } from '../cap/captree.ts';

/** Methods each driver kind exposes through DeviceCall. */
export const DEVICE_METHODS: Partial<Record<DriverKind, readonly string[]>> = {
  storage: [
    'get', 'put', 'delete', 'scan', 'batch', 'append', 'ack', 'pending', 'queues',
    'createNamespace', 'getNamespace', 'listNamespaces', 'updateNamespaceMeta', 'deleteNamespace',
    'putItem', 'putItems', 'getItem', 'getItems', 'getByKey', 'updateItem', 'deleteItem', 'listItems',
    'textSearch', 'vectorSearch', 'changesSince', 'sweepExpired', 'nextExpiry', 'stats', 'setEmbeddings', 'flush',
  ],
  embedder: ['embed'],
  // Tool servers (e.g. MCP): list their tools, call one ({ tool, arguments }).
  tool: ['list', 'call'],
  // The cluster (networkd's device): nodes, directory lookups, remote spawn, asks on other nodes, the remote
  // intents semantic-ipcd routes to (remotes) and its requests to another node's semantic-ipcd (forward).
  transport: ['nodes', 'lookup', 'spawn', 'askRemote', 'remotes', 'forward'],
};

/**
 * A device on the bus. It outlives unplugging: handles to an unplugged device stay valid, calls
 * through them are ENODEV, and plugging a driver of the same kind under the same name brings them back.
 */
export class DeviceObject implements KObject {
  readonly type = 'device' as const;
  readonly label: string;
  plugged = true;
  /** DeviceWait callers, woken at the next plug. */
  readonly waiters = new Set<() => void>();
  /** id: from the kernel's sequence (KernelIds.device); bus: the name it is plugged under. */
  constructor(public driver: Driver, id: number, readonly bus: string = driver.info.name) {
    this.label = `device:${driver.info.kind}:${driver.info.name}:${id}`;
  }

  /** The driver's interface version ("1.0" when it declares none). */
  get iface(): string {
    return this.driver.info.interface ?? '1.0';
  }

  /** Calls an exposed method; ENODEV while unplugged, EINVAL for one the kind does not expose, EIO for a driver failure that is not an AiosError. */
  async call(method: string, args: unknown[]): Promise<unknown> {
    if (!this.plugged) throw new AiosError('ENODEV', `device ${this.bus} is unplugged (wait for it with DeviceWait)`, { device: this.bus, plugged: false });
    if (method === 'describe') {
      // An embedder's dimension is part of its description, so a client learns it without making the driver
      // load its model (drivers load lazily; the first embed pays for it).
      const dim = (this.driver as { dim?: unknown }).dim;
      return this.driver.info.kind === 'embedder' && typeof dim === 'number' ? { ...this.driver.info, dim } : { ...this.driver.info };
    }
    const allowed = DEVICE_METHODS[this.driver.info.kind] ?? [];
    const fn = (this.driver as unknown as Record<string, unknown>)[method];
    if (!allowed.includes(method) || typeof fn !== 'function') {
      throw new AiosError('EINVAL', `device ${this.driver.info.name} (${this.driver.info.kind}) has no method ${method}`, { method, methods: ['describe', ...allowed] });
    }
    try {
      return await (fn as (...a: unknown[]) => unknown).apply(this.driver, args);
    } catch (e) {
      if (e instanceof AiosError || (typeof (e as { code?: unknown })?.code === 'string' && (e as { name?: string }).name === 'AiosError')) throw e;
      throw new AiosError('EIO', `device ${this.driver.info.name}: ${(e as Error)?.message ?? String(e)}`, { method });
    }
  }
}

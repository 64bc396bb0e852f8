// The device bus: drivers plugged into the kernel, each a kernel object that
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
    'textSearch', 'vectorSearch', 'changesSince', 'sweepExpired', 'stats', 'setEmbeddings', 'flush',
  ],
  embedder: ['embed'],
  // Tool servers (e.g. MCP): list their tools, call one ({ tool, arguments }).
  tool: ['list', 'call'],
};

let nextDevice = 1;

export class DeviceObject implements KObject {
  readonly type = 'device' as const;
  readonly label: string;
  constructor(readonly driver: Driver) {
    this.label = `device:${driver.info.kind}:${driver.info.name}:${nextDevice++}`;
  }

  /** Calls an exposed method; EINVAL for one the kind does not expose, EIO for a driver failure that is not an AiosError. */
  async call(method: string, args: unknown[]): Promise<unknown> {
    if (method === 'describe') return { ...this.driver.info };
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

let nextObject = 1;

/** A service object: an unforgeable token a service creates and hands out with rights. */
export class ServiceObject implements KObject {
  readonly type = 'object' as const;
  readonly label: string;
  constructor(readonly owner: number, readonly tag: string) {
    this.label = `obj:${nextObject++}`;
  }
}

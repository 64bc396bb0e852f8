// Storage and embedder drivers that forward every method to a device on the kernel bus through
// DeviceCall (injected as `call`, so tests can fake it), for the native services (memoryd,
// semantic-ipcd): values cross by reference, so Float32Array vectors arrive intact. Trusts the
// device's answers as the driver's.
import { AiosError, type DriverInfo, type EmbedderDriver, type StorageDriver } from '@aios/abi';

export type DeviceCallFn = (device: number, method: string, args: unknown[]) => Promise<unknown>;

/** Methods of the storage kind that DeviceCall exposes (DurableStore + MemoryStore + flush). */
const STORAGE_METHODS = [
  'get', 'put', 'delete', 'scan', 'batch', 'append', 'ack', 'pending', 'queues',
  'createNamespace', 'getNamespace', 'listNamespaces', 'updateNamespaceMeta', 'deleteNamespace',
  'putItem', 'putItems', 'getItem', 'getItems', 'getByKey', 'updateItem', 'deleteItem', 'listItems',
  'textSearch', 'vectorSearch', 'changesSince', 'sweepExpired', 'nextExpiry', 'stats', 'setEmbeddings', 'flush',
] as const;

/** A StorageDriver over a storage device handle. close() only forgets the device (the node owns it). */
export function deviceStorage(device: number, call: DeviceCallFn, name = 'storage'): StorageDriver {
  const out: Record<string, unknown> = {
    info: { name, version: 'device', kind: 'storage', description: `storage device via DeviceCall (handle ${device})` } satisfies DriverInfo,
    close: async () => undefined,
  };
  for (const m of STORAGE_METHODS) out[m] = (...args: unknown[]) => call(device, m, trimUndefined(args));
  return out as unknown as StorageDriver;
}

/**
 * An EmbedderDriver over an embedder device handle. `name` must be the device driver's name (namespaces
 * record it); the dimension is learned by embedding one probe text.
 */
export async function deviceEmbedder(device: number, call: DeviceCallFn, name: string): Promise<EmbedderDriver> {
  const embed = async (texts: string[]): Promise<Float32Array[]> => {
    const out = await call(device, 'embed', [texts]);
    if (!Array.isArray(out) || out.some((v) => !(v instanceof Float32Array))) {
      throw new AiosError('EIO', 'embedder device did not return Float32Array vectors', { device: name });
    }
    return out as Float32Array[];
  };
  // The dimension from the device's description (no model load); a driver that does not say is probed.
  const described = await describeDevice(device, call);
  const said = (described as { dim?: unknown } | null)?.dim;
  const dim = typeof said === 'number' && Number.isInteger(said) && said > 0 ? said : (await embed(['dimension probe']))[0]!.length;
  return {
    info: { name, version: 'device', kind: 'embedder', description: `embedder device via DeviceCall (${dim}-d)` },
    dim,
    embed,
  };
}

/** The device's DriverInfo (DeviceCall 'describe'), or null when it cannot say. */
export async function describeDevice(device: number, call: DeviceCallFn): Promise<DriverInfo | null> {
  try {
    return (await call(device, 'describe', [])) as DriverInfo;
  } catch {
    return null;
  }
}

/**
 * A device's identity as stored data records it: the driver's name, and its model when it has one (an
 * embeddings server's vectors are comparable only under the same model).
 */
export function deviceIdentity(info: DriverInfo): string {
  return info.model ? `${info.name}:${info.model}` : info.name;
}

/** Trailing undefined arguments are dropped (optional parameters). */
function trimUndefined(args: unknown[]): unknown[] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  return n === args.length ? args : args.slice(0, n);
}

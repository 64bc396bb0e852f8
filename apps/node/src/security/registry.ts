// Which security wiring serves which KernelHost (the API routes receive only the host).
// Weak: a host that is gone takes its entry with it.
import type { KernelHost } from '@aios/kernel';
import type { NodeSecurity } from './index.ts';

const BY_HOST = new WeakMap<KernelHost, NodeSecurity>();

export function registerSecurity(host: KernelHost, s: NodeSecurity): void {
  BY_HOST.set(host, s);
}

export function unregisterSecurity(host: KernelHost): void {
  BY_HOST.delete(host);
}

/** The node's security wiring, or undefined when the node runs without it. */
export function securityOf(host: KernelHost): NodeSecurity | undefined {
  return BY_HOST.get(host);
}

// networkd's request checks (pure): what an agent may ask the cluster service. EINVAL names the field.
import { AiosError, limits, type RemoteForward } from '@aios/abi';

const NODE_RE = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_TIMEOUT_MS = 300_000;

export interface AskArgs {
  text?: string;
  intent?: string;
  payload?: unknown;
  timeoutMs?: number;
}

export function readAsk(o: Record<string, unknown>): AskArgs {
  const out: AskArgs = {};
  if (o.text !== undefined) {
    if (typeof o.text !== 'string' || o.text.trim() === '' || o.text.length > 4096) throw new AiosError('EINVAL', 'text must be a non-empty string (at most 4096 characters)', { arg: 'text' });
    out.text = o.text;
  }
  if (o.intent !== undefined) {
    if (typeof o.intent !== 'string' || o.intent === '' || o.intent.length > 128) throw new AiosError('EINVAL', 'intent must be an intent name', { arg: 'intent' });
    out.intent = o.intent;
  }
  if (out.text === undefined && out.intent === undefined) throw new AiosError('EINVAL', 'ask needs text or intent', { arg: 'text' });
  if (o.payload !== undefined) out.payload = o.payload;
  if (o.timeoutMs !== undefined) {
    if (!Number.isInteger(o.timeoutMs) || (o.timeoutMs as number) < 1 || (o.timeoutMs as number) > MAX_TIMEOUT_MS) throw new AiosError('EINVAL', `timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}`, { arg: 'timeoutMs' });
    out.timeoutMs = o.timeoutMs as number;
  }
  return out;
}

export function readLookup(o: Record<string, unknown>): { address?: string; intent?: string } {
  const out: { address?: string; intent?: string } = {};
  if (o.address !== undefined) {
    if (typeof o.address !== 'string' || !/^[^@\s]{1,128}@[A-Za-z0-9_-]{1,64}$/.test(o.address)) throw new AiosError('EINVAL', 'address must be NAME@NODE', { arg: 'address' });
    out.address = o.address;
  }
  if (o.intent !== undefined) {
    if (typeof o.intent !== 'string' || o.intent === '' || o.intent.length > 128) throw new AiosError('EINVAL', 'intent must be an intent name', { arg: 'intent' });
    out.intent = o.intent;
  }
  return out;
}

export function readSpawn(o: Record<string, unknown>): { node: string; source?: string; path?: string; name?: string } {
  if (typeof o.node !== 'string' || !NODE_RE.test(o.node)) throw new AiosError('EINVAL', 'node must be a node name', { arg: 'node' });
  const hasSource = typeof o.source === 'string' && o.source.length > 0;
  const hasPath = typeof o.path === 'string' && o.path.length > 0;
  if (hasSource === hasPath) throw new AiosError('EINVAL', 'spawn needs exactly one of source or path', { arg: 'source' });
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0 || o.name.length > 64)) throw new AiosError('EINVAL', 'name must be 1-64 characters', { arg: 'name' });
  return { node: o.node, ...(hasSource ? { source: o.source as string } : { path: o.path as string }), ...(typeof o.name === 'string' ? { name: o.name } : {}) };
}

/** semantic-ipcd's routed request to another node (the remote node checks it again; this keeps garbage off the link). */
export function readForward(o: Record<string, unknown>): RemoteForward {
  if (typeof o.node !== 'string' || !NODE_RE.test(o.node)) throw new AiosError('EINVAL', 'node must be a node name', { arg: 'node' });
  if (o.kind !== 'ask' && o.kind !== 'negotiate') throw new AiosError('EINVAL', "kind must be 'ask' or 'negotiate'", { arg: 'kind' });
  if (typeof o.intent !== 'string' || o.intent === '' || o.intent.length > 128) throw new AiosError('EINVAL', 'intent must be an intent name', { arg: 'intent' });
  if (!Number.isInteger(o.timeoutMs) || (o.timeoutMs as number) < 1 || (o.timeoutMs as number) > limits.ASK_MAX_TIMEOUT_MS) throw new AiosError('EINVAL', 'timeoutMs out of range', { arg: 'timeoutMs' });
  if (typeof o.asker !== 'string' || o.asker === '') throw new AiosError('EINVAL', 'asker must be an address', { arg: 'asker' });
  if (o.agent !== undefined && !Number.isSafeInteger(o.agent)) throw new AiosError('EINVAL', 'agent must be an agent id', { arg: 'agent' });
  const out: RemoteForward = { node: o.node, kind: o.kind, intent: o.intent, timeoutMs: o.timeoutMs as number, asker: o.asker };
  if (o.agent !== undefined) out.agent = o.agent as number;
  if (typeof o.text === 'string') out.text = o.text;
  if (o.payload !== undefined) out.payload = o.payload;
  if (o.onBehalfOf !== undefined) out.onBehalfOf = o.onBehalfOf as RemoteForward['onBehalfOf'];
  if (o.step !== undefined) out.step = o.step as RemoteForward['step'];
  if (typeof o.trace === 'string') out.trace = o.trace;
  return out;
}

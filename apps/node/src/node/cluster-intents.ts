// The remote side of cross-node semantic IPC: another node's semantic-ipcd (through its networkd and transport
// device, cluster-device.ts forward) asks this node to run one routed request among its LOCAL agents. The request
// goes to this node's semantic-ipcd with scope 'local' (never forwarded again) and `via` = the asker's address,
// which the link authenticates: the asking node speaks only for its own agents (NAME@<that node>). The answer (or
// the handler's error) comes back as a result, so a link failure stays distinct from the handler's error.
// The asker's trace context (W3C traceparent) becomes the context of the request sent here.
import { AiosError, errorToWire, limits, type RemoteReply } from '@aios/abi';
import type { ClusterNode } from './cluster.ts';

const KINDS = new Set(['ask', 'negotiate']);
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Serves the cluster op 'intent' on this node. */
export function serveIntents(node: ClusterNode): void {
  node.cluster.handle('intent', async (from, body): Promise<RemoteReply> => {
    try {
      const req = readForward(from, body);
      const svc = node.host.defaultServices.get('semantic-ipcd');
      if (svc === undefined) throw new AiosError('ENOROUTE', `node ${node.name} runs no semantic-ipcd`, { node: node.name });
      const root = node.host.kernel.root;
      const before = root.trace;
      // The send below is synchronous (host.request issues IPCSend at once): it carries the asker's context.
      if (typeof body.trace === 'string' && TRACEPARENT.test(body.trace)) root.trace = body.trace;
      let pending: Promise<unknown>;
      try {
        pending = node.host.request(svc, req, req.timeoutMs + limits.ASK_REPLY_GRACE_MS);
      } finally {
        root.trace = before;
      }
      return { ok: true, result: await pending };
    } catch (e) {
      return { ok: false, error: errorToWire(e) };
    }
  });
}

/** Checks a forwarded request (EINVAL naming the field) and builds semantic-ipcd's request from it. */
function readForward(from: string, b: Record<string, unknown>): { op: string; timeoutMs: number } & Record<string, unknown> {
  if (!KINDS.has(b.kind as string)) throw new AiosError('EINVAL', "kind must be 'ask' or 'negotiate'", { arg: 'kind' });
  if (typeof b.intent !== 'string' || b.intent === '' || b.intent.length > 128) throw new AiosError('EINVAL', 'intent must be an intent name', { arg: 'intent' });
  if (!Number.isInteger(b.timeoutMs) || (b.timeoutMs as number) < 1 || (b.timeoutMs as number) > limits.ASK_MAX_TIMEOUT_MS) throw new AiosError('EINVAL', 'timeoutMs out of range', { arg: 'timeoutMs' });
  // The asking node speaks for its own agents only.
  if (typeof b.asker !== 'string' || !b.asker.endsWith(`@${from}`) || b.asker.length > 200) throw new AiosError('EPERM', `node ${from} may only ask for its own agents`, { arg: 'asker' });
  const req: { op: string; timeoutMs: number } & Record<string, unknown> = {
    op: b.kind as string, intent: b.intent, timeoutMs: b.timeoutMs as number, scope: 'local', via: { node: from, asker: b.asker },
  };
  if (b.agent !== undefined) req.agent = b.agent;
  if (typeof b.text === 'string') req.text = b.text;
  if (b.payload !== undefined) req.payload = b.payload;
  const ob = b.onBehalfOf as { agent?: unknown; name?: unknown } | undefined;
  if (ob !== undefined) {
    if (typeof ob !== 'object' || ob === null || typeof ob.name !== 'string') throw new AiosError('EINVAL', 'onBehalfOf must be { agent, name }', { arg: 'onBehalfOf' });
    // Qualified like the asker: a remote principal is NAME@NODE to this node's allow policy. Its id is the
    // asking node's; here it only names who the request is for (0: not a local agent).
    req.onBehalfOf = { agent: 0, name: `${ob.name}@${from}` };
  }
  if (b.step !== undefined) req.step = b.step;
  return req;
}

// networkd: the cluster service agent (runs NATIVE). initd starts it only on a clustered node, with the node's
// `transport` device (the cluster membership: links, directory, remote requests) and SEND to semantic-ipcd in
// its namespace. It serves the NETWORKD protocol (packages/abi/src/protocols/networkd.ts) with the house server
// loop. Cross-node ask: the local semantic-ipcd first (a local match wins), and only when it answers ENOROUTE
// the remote nodes that list a matching intent, by load, each failing over to the next (ask.ts). Trusts the
// kernel's `from` stamps and the device; requests are checked here.
// Cross-node semantic IPC: networkd hands semantic-ipcd the other nodes' intents (op 'cluster' whenever the
// directory changes, with a handle to networkd) and carries semantic-ipcd's routed requests to other nodes
// (op 'forward', accepted from semantic-ipcd only), so the runtime's own ask/multicast/negotiate span the cluster.
import { defineAgent } from '@aios/runtime';
import { capDerive, deviceCall, nsLookup, selfHandle, selfInfo, sleep } from '@aios/runtime/kernel';
import { SHUTDOWN_TAG, serveProtocol } from '@aios/runtime/orchestration';
import { call, callMessage } from '@aios/runtime/ipc';
import { AiosError, NETWORKD, Rights, limits, type ClusterAskResult, type Handle, type Message, type RemoteDirectory, type RemoteForward, type RemoteReply } from '@aios/abi';
import { readAsk, readForward, readLookup, readSpawn } from './requests.ts';

/** How much longer than the target's timeout a request may run (the hops to the remote node and back). */
const GRACE_MS = 5_000;

export default defineAgent({
  name: 'networkd',
  version: '1.0.0',
  description: 'the cluster service: nodes, directory lookups, remote spawn and cross-node ask',
  async main(ctx) {
    const transport = nsLookup('transport');
    let semantic: Handle | null = null;
    try {
      semantic = nsLookup('semantic-ipcd');
    } catch {
      ctx.log('no semantic-ipcd in the namespace: asks go to other nodes only');
    }
    const dev = <T>(method: string, arg: unknown): Promise<T> => deviceCall(transport, method, [arg]) as Promise<T>;
    const parent = selfInfo().parent;
    const info = (await deviceCall(transport, 'describe', [])) as { name?: string };
    // semantic-ipcd's id: the kernel's `from` stamp on its reply to the first hand-over (networkd holds SEND only).
    let semanticId: number | null = null;
    if (semantic !== null) void handOver(semantic, dev, (id) => (semanticId = id), (...a) => ctx.log(...a));
    ctx.log(`ready on ${String(info.name ?? 'the cluster')}`);
    await serveProtocol(NETWORKD, {
      nodes: () => dev('nodes', {}),
      lookup: (req) => dev('lookup', readLookup(req)),
      spawn: (req) => dev('spawn', readSpawn(req)),
      async ask(req): Promise<ClusterAskResult> {
        const a = readAsk(req);
        if (semantic !== null) {
          try {
            const result = await call(semantic, { op: 'ask', ...a, scope: 'local' }, { timeoutMs: (a.timeoutMs ?? 10_000) + GRACE_MS });
            return { node: 'local', result, failedOver: [] };
          } catch (e) {
            if (!(e instanceof AiosError) || e.code !== 'ENOROUTE') throw e;
          }
        }
        return dev<ClusterAskResult>('askRemote', a);
      },
      // semantic-ipcd's routed request to another node: only semantic-ipcd may send it (it states the asker).
      forward(req, rctx): Promise<RemoteReply> {
        if (semanticId === null || rctx.from !== semanticId) throw new AiosError('EPERM', 'forward is accepted from semantic-ipcd only', { from: rctx.from });
        return dev<RemoteReply>('forward', readForward(req));
      },
    }, {
      concurrency: 256,
      perSenderConcurrency: 256,
      requestTimeoutMs: (req) => (typeof req.timeoutMs === 'number' ? req.timeoutMs : 10_000) * 3 + GRACE_MS,
      log: (...a) => ctx.log(...a),
      other(m: Message) {
        // The shutdown convention: only the spawner (initd) stops us.
        if (m.tag === SHUTDOWN_TAG) return m.from === parent ? 'stop' : undefined;
        return undefined;
      },
    });
  },
});

/**
 * Keeps semantic-ipcd's view of the other nodes current: long-polls the transport device (which answers when the
 * view changed, or null after CLUSTER_REMOTES_WAIT_MAX_MS) and hands over a snapshot when it changed (with a SEND handle to networkd, which carries
 * semantic-ipcd's requests to other nodes). A failed hand-over is tried again after CLUSTER_REMOTES_POLL_MS.
 */
async function handOver(semantic: Handle, dev: <T>(method: string, arg: unknown) => Promise<T>, served: (id: number) => void, log: (...a: unknown[]) => void): Promise<void> {
  const me = capDerive(selfHandle(), Rights.SEND | Rights.TRANSFER);
  let since: string | undefined;
  let failures = 0;
  for (;;) {
    try {
      // A long poll: the device answers when the view changed, or null after waiting (no sleep needed then).
      const d = await dev<RemoteDirectory | null>('remotes', { ...(since !== undefined ? { since } : {}), waitMs: limits.CLUSTER_REMOTES_WAIT_MAX_MS });
      if (d !== null) {
        const { message } = await callMessage(semantic, { ...d, op: 'cluster' }, { handles: [me], timeoutMs: 30_000 });
        served(message.from);
        since = d.version;
        failures = 0;
      }
    } catch (e) {
      if (failures++ % 50 === 0) log(`handing the cluster to semantic-ipcd failed: ${(e as Error).message}`);
      if (e instanceof AiosError && e.code === 'ESRCH') return; // semantic-ipcd is gone (initd restarts us with it)
      await sleep(limits.CLUSTER_REMOTES_POLL_MS); // a failure is tried again a moment later, not at once
    }
  }
}

// networkd: the cluster service agent (runs NATIVE). initd starts it only on a clustered node, with the node's
// `transport` device (the cluster membership: links, directory, remote requests) and SEND to semantic-ipcd in
// its namespace. It serves the NETWORKD protocol (packages/abi/src/protocols/networkd.ts) with the house server
// loop. Cross-node ask: the local semantic-ipcd first (a local match wins), and only when it answers ENOROUTE
// the remote nodes that list a matching intent, by load, each failing over to the next (ask.ts). Trusts the
// kernel's `from` stamps and the device; requests are checked here.
import { defineAgent } from '@aios/runtime';
import { deviceCall, nsLookup, selfInfo } from '@aios/runtime/kernel';
import { SHUTDOWN_TAG, serveProtocol } from '@aios/runtime/orchestration';
import { call } from '@aios/runtime/ipc';
import { AiosError, NETWORKD, type ClusterAskResult, type Handle, type Message } from '@aios/abi';
import { readAsk, readLookup, readSpawn } from './requests.ts';

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
    ctx.log(`ready on ${String(info.name ?? 'the cluster')}`);
    await serveProtocol(NETWORKD, {
      nodes: () => dev('nodes', {}),
      lookup: (req) => dev('lookup', readLookup(req)),
      spawn: (req) => dev('spawn', readSpawn(req)),
      async ask(req): Promise<ClusterAskResult> {
        const a = readAsk(req);
        if (semantic !== null) {
          try {
            const result = await call(semantic, { op: 'ask', ...a }, { timeoutMs: (a.timeoutMs ?? 10_000) + GRACE_MS });
            return { node: 'local', result, failedOver: [] };
          } catch (e) {
            if (!(e instanceof AiosError) || e.code !== 'ENOROUTE') throw e;
          }
        }
        return dev<ClusterAskResult>('askRemote', a);
      },
    }, {
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

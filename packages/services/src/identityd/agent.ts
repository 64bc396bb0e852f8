// identityd: the identity service agent (runs NATIVE, started first by initd). Holds every agent's identity key
// (registry.ts), persists it sealed (vault.ts) in the storage device when granted, reaches the node key only
// through the `nodekey` device, and follows agents' lives through kernel events (spawn, exit, clone, upgrade).
// Trusts the kernel's stamping of `from` and the nodekey device.
import { defineAgent } from '@aios/runtime';
import { clockNow, deviceCall, eventSubscribe, nsLookup, selfInfo } from '@aios/runtime/kernel';
import { SHUTDOWN_TAG, createProtocolServer } from '@aios/runtime/orchestration';
import { AiosError, IDENTITYD, type IdentityCertificateBody, type Message } from '@aios/abi';
import { IdentityRegistry, info, type AgentFacts, type NodeKeyPort } from './registry.ts';
import { Vault, fromB64u, memoryVaultStore, type VaultStore } from './vault.ts';

const random = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

function nodeKeyPort(h: number): NodeKeyPort {
  const tool = (name: string, args: Record<string, unknown> = {}): Promise<unknown> => deviceCall(h, 'call', [{ tool: name, arguments: args }]);
  return {
    issuer: () => tool('issuer') as Promise<{ keyId: string; publicKey: string; epoch: number }>,
    keygen: (seed) => tool('keygen', { seed }) as Promise<{ keyId: string; publicKey: string }>,
    sign: (seed, data) => tool('sign', { seed, data }) as Promise<string>,
    verify: (publicKey, data, signature) => tool('verify', { publicKey, data, signature }) as Promise<boolean>,
    certify: (body: IdentityCertificateBody) => tool('certify', { body }) as Promise<{ issuer: string; signature: string }>,
    agent: (id) => tool('agent', { id }) as Promise<AgentFacts>,
    quote: (nonce, identity, measurement) => tool('quote', { nonce, identity, measurement }) as Promise<{ quote: unknown; nodePublicKey: string }>,
  };
}

function storageStore(h: number): VaultStore {
  return {
    get: async (k) => (await deviceCall(h, 'get', [k])) as Uint8Array | undefined,
    put: async (k, v) => void (await deviceCall(h, 'put', [k, v])),
  };
}

function lookupOrNull(name: string): number | null {
  try {
    return nsLookup(name);
  } catch {
    return null;
  }
}

export default defineAgent({
  name: 'identityd',
  version: '1.0.0',
  description: 'identities of agents: hybrid key pairs, node-signed certificates, signatures and attestation',
  async main(ctx) {
    const nodekey = lookupOrNull('nodekey');
    if (nodekey === null) throw new AiosError('ENOENT', 'identityd needs the nodekey device in its namespace', { device: 'nodekey' });
    const keys = nodeKeyPort(nodekey);
    const storageH = lookupOrNull('storage');
    const store = storageH !== null ? storageStore(storageH) : memoryVaultStore();
    const sealKey = fromB64u((await deviceCall(nodekey, 'call', [{ tool: 'sealKey', arguments: {} }])) as string);
    const vault = await Vault.open(store, sealKey, random);
    sealKey.fill(0);
    const { epoch } = await keys.issuer();
    const reg = new IdentityRegistry(vault, keys, random, () => clockNow(), epoch);
    // start (not spawn): the image is loaded by then, so the first certificate names its measurement.
    for (const t of ['start', 'exit', 'clone', 'upgrade']) eventSubscribe(`agent.*.${t}`);
    ctx.log(`ready: node epoch ${epoch}, vault on ${storageH !== null ? 'the storage device' : 'memory (no storage device)'}`);
    const parent = selfInfo().parent;
    const self = ctx.id;
    const server = createProtocolServer(IDENTITYD, {
      whoami: async (_req, c) => info(await reg.forAgent(c.from)),
      sign: (req, c) => reg.sign(c.from, req.data),
      verify: (req) => reg.verify(req.signature, req.data, req.identity),
      attest: (req, c) => reg.attest(c.from, req.nonce),
      lookup: (req) => reg.lookup({ ...(req.agent !== undefined ? { agent: req.agent } : {}), ...(req.identity !== undefined ? { identity: req.identity } : {}) }),
    }, {
      log: (...a) => ctx.log(...a),
      async other(m: Message) {
        if (m.tag === SHUTDOWN_TAG) return m.from === parent ? 'stop' : undefined;
        if (m.tag !== 'event' || m.from !== 0) return undefined;
        try {
          const ev = JSON.parse(new TextDecoder().decode(m.data)) as { topic: string; data: { id: number; clone?: number } };
          const kind = ev.topic.slice(ev.topic.lastIndexOf('.') + 1);
          if (ev.data.id === self) return undefined;
          if (kind === 'start') await reg.forAgent(ev.data.id);
          else if (kind === 'exit') await reg.onExit(ev.data.id);
          else if (kind === 'clone' && ev.data.clone !== undefined) await reg.onClone(ev.data.id, ev.data.clone);
          else if (kind === 'upgrade') await reg.onUpgrade(ev.data.id);
        } catch (e) {
          // ESRCH: the agent was gone before its identity was issued; nothing to keep.
          if ((e as AiosError).code !== 'ESRCH') ctx.log(`event failed: ${(e as Error).message}`);
        }
        return undefined;
      },
    });
    await server.run();
  },
});

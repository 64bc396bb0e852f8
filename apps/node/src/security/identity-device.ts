// The `nodekey` device: what identityd needs of the node key, as stateless tool calls (the way PQCOperation
// offloads signing). The node key itself never leaves the host: identityd gets node SIGNATURES over agent
// certificates, a sealing key DERIVED from the node key (HKDF, own label), hybrid sign/verify over the seeds it
// holds, an agent's image measurement and a quote bound to it. Granted only to identityd (initd's unit).
import { hkdfSync } from 'node:crypto';
import { AiosError, type Driver } from '@aios/abi';
import { type KernelHost } from '@aios/kernel';
import { canonicalJson, decodePublicKey, encodePublicKey, fromBase64Url, hybridKeygen, hybridSign, hybridVerify, measure, sha256, toBase64Url, toHex, utf8 } from '@aios/trust';
import type { NodeIdentity } from './identity.ts';
import type { MeasurementRegisters } from '@aios/trust';
import { makeQuote } from './attest.ts';

export const NODEKEY_DEVICE = 'nodekey';
const SEAL_SALT = utf8('AIOS-IDENTITYD-SEAL-v1');
export const AGENT_CERT_PREFIX = 'AIOS-AGENT-CERT-v2\n';
const AGENT_QUOTE_PREFIX = 'AIOS-AGENT-QUOTE-v1\n';

/** The exact bytes the node key signs for an identityd certificate body. */
export function agentCertMessage(body: Record<string, unknown>): Uint8Array {
  return utf8(AGENT_CERT_PREFIX + canonicalJson(body));
}

/** The nonce of the node quote inside an agent attestation (binds nonce, identity and measurement). */
export function agentQuoteNonce(nonceHex: string, identity: string, measurement: string): Uint8Array {
  return sha256(utf8(`${AGENT_QUOTE_PREFIX}${nonceHex}\n${identity}\n${measurement}`));
}

export interface NodeKeyDeviceDeps {
  host: KernelHost;
  identity: NodeIdentity;
  registers: () => MeasurementRegisters;
  now: () => number;
}

function str(args: Record<string, unknown>, name: string): string {
  const v = args[name];
  if (typeof v !== 'string') throw new AiosError('EINVAL', `nodekey: ${name} must be a string`, { arg: name });
  return v;
}

function seedOf(args: Record<string, unknown>): Uint8Array {
  const s = fromBase64Url(str(args, 'seed'));
  if (s.length !== 32) throw new AiosError('EINVAL', 'nodekey: seed must be 32 bytes', { arg: 'seed' });
  return s;
}

/** The driver (kind 'tool': list, call({ tool, arguments })). */
export function createNodeKeyDevice(deps: NodeKeyDeviceDeps): Driver & { list(): unknown; call(req: unknown): unknown } {
  const tools: Record<string, (a: Record<string, unknown>) => unknown> = {
    issuer: () => ({ keyId: deps.identity.key.keyId, publicKey: toBase64Url(encodePublicKey(deps.identity.key.publicKey)), epoch: deps.identity.epoch }),
    sealKey: () => toBase64Url(new Uint8Array(hkdfSync('sha256', deps.identity.key.secretKey.seed, SEAL_SALT, utf8(deps.identity.key.keyId), 32))),
    keygen: (a) => {
      const k = hybridKeygen(seedOf(a));
      return { keyId: k.keyId, publicKey: toBase64Url(encodePublicKey(k.publicKey)) };
    },
    sign: (a) => toBase64Url(hybridSign(hybridKeygen(seedOf(a)).secretKey, fromBase64Url(str(a, 'data')))),
    verify: (a) => {
      try {
        return hybridVerify(decodePublicKey(fromBase64Url(str(a, 'publicKey'))), fromBase64Url(str(a, 'data')), fromBase64Url(str(a, 'signature')));
      } catch {
        return false;
      }
    },
    certify: (a) => {
      const body = a.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new AiosError('EINVAL', 'nodekey: body must be an object', { arg: 'body' });
      return { issuer: deps.identity.key.keyId, signature: toBase64Url(hybridSign(deps.identity.key.secretKey, agentCertMessage(body as Record<string, unknown>))) };
    },
    agent: (a) => {
      const id = a.id;
      if (typeof id !== 'number') throw new AiosError('EINVAL', 'nodekey: id must be a number', { arg: 'id' });
      const ag = deps.host.kernel.agents.get(id);
      if (!ag) throw new AiosError('ESRCH', `no agent ${id}`, { agent: id });
      return {
        id, name: ag.name, alive: ag.alive, parent: ag.parent?.id ?? null, durableKey: ag.durableKey,
        version: ag.manifest?.version ?? null, measurement: ag.image ? toHex(measure(ag.image.code)) : null,
      };
    },
    quote: (a) => {
      const nonce = str(a, 'nonce');
      const q = makeQuote(agentQuoteNonce(nonce, str(a, 'identity'), str(a, 'measurement')), deps.identity.key, deps.registers(), deps.now());
      return { quote: q, nodePublicKey: toBase64Url(encodePublicKey(deps.identity.key.publicKey)) };
    },
  };
  return {
    info: { name: NODEKEY_DEVICE, version: '1.0.0', kind: 'tool', description: 'node-key operations for identityd (certify, seal key, hybrid sign/verify, agent quotes)' },
    list: () => Object.keys(tools).map((name) => ({ name })),
    call(req: unknown) {
      const r = req as { tool?: unknown; arguments?: unknown };
      const fn = typeof r?.tool === 'string' ? tools[r.tool] : undefined;
      if (!fn) throw new AiosError('EINVAL', `nodekey: no tool ${String(r?.tool)}`, { tool: String(r?.tool), tools: Object.keys(tools) });
      return fn((r.arguments ?? {}) as Record<string, unknown>);
    },
  };
}

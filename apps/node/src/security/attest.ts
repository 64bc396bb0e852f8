// Node attestation: at boot the node measures its code (the built node bundle), its config, its
// policies, its service images and its key into extend-only registers; quotes sign them with a
// verifier's nonce. Trusts the files it hashes as they are on disk at measuring time.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AiosError } from '@aios/abi';
import {
  MeasurementRegisters, canonicalJson, fromHex, measure, quote, verifyQuote, type HybridKeyPair, type HybridPublicKey,
  type Quote, type QuoteVerification,
} from '@aios/trust';

/** Register assignment (the event log names each extension). */
/** audit: the audit log's head as checked against its anchor in kernel.db at boot (and any accepted mismatch). */
export const REG = { kernel: 0, config: 1, policy: 2, services: 3, identity: 4, audit: 5 } as const;

/** The file whose hash is the kernel code measurement: the built node bundle (apps/node/dist/index.js), which holds the kernel. */
export function kernelCodeFile(): string | null {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  // Bundled: this code runs from apps/node/dist/index.js; from sources: apps/node/src/security/.
  for (const cand of [join(dir, 'index.js'), join(dir, '..', '..', 'dist', 'index.js')]) if (existsSync(cand)) return cand;
  return here.endsWith('.js') ? here : null;
}

/** The JSON-measurable part of a config: functions dropped, class instances by name (drivers, domains). */
export function measurableConfig(v: unknown, depth = 0): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v !== 'object' || depth > 4) return undefined;
  if (Array.isArray(v)) return v.map((x) => measurableConfig(x, depth + 1) ?? null);
  if (ArrayBuffer.isView(v)) return { bytes: v.byteLength };
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    const name = (v as { name?: unknown }).name ?? (v as { info?: { name?: unknown } }).info?.name;
    return `<${proto?.constructor?.name ?? 'object'}${typeof name === 'string' ? ` ${name}` : ''}>`;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const m = measurableConfig(x, depth + 1);
    if (m !== undefined) out[k] = m;
  }
  return out;
}

export interface MeasureInput {
  config?: unknown;
  policyText: string;
  policyVersion: number;
  serviceImages?: readonly string[];
  nodeKeyId: string;
}

/** Measures the node at boot into fresh registers. */
export function measureBoot(input: MeasureInput): MeasurementRegisters {
  const regs = new MeasurementRegisters();
  const code = kernelCodeFile();
  if (code) regs.extend(REG.kernel, measure(readFileSync(code)), `kernel code ${code}`);
  else regs.extend(REG.kernel, measure('unbuilt source tree'), 'kernel code (no built bundle found)');
  regs.extend(REG.config, measure(canonicalJson(measurableConfig(input.config ?? {}) ?? {})), 'node config');
  regs.extend(REG.policy, measure(input.policyText), `policy set v${input.policyVersion}`);
  for (const img of input.serviceImages ?? []) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(img);
    } catch {
      throw new AiosError('ENOENT', `service image ${img} cannot be read for measurement`, { image: img });
    }
    regs.extend(REG.services, measure(bytes), `service image ${img}`);
  }
  regs.extend(REG.identity, measure(input.nodeKeyId), `node key ${input.nodeKeyId}`);
  return regs;
}

/** A nonce from hex: 16..64 bytes (EINVAL otherwise). */
export function parseNonce(hex: string): Uint8Array {
  const b = fromHex(hex);
  if (b.length < 16 || b.length > 64) throw new AiosError('EINVAL', 'the nonce must be 16 to 64 bytes (32 to 128 hex digits)', { arg: 'nonce' });
  return b;
}

export function makeQuote(nonce: Uint8Array, key: HybridKeyPair, regs: MeasurementRegisters, now: number): Quote {
  return quote(nonce, key, regs, now);
}

export function checkQuote(q: Quote, publicKey: HybridPublicKey, nonce: Uint8Array): QuoteVerification {
  return verifyQuote(q, publicKey, nonce);
}

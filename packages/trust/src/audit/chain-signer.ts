// Checkpoint signers for AuditChain: the default signs on the kernel thread; offloadSigner sends the
// ML-DSA-65 half (the ~8 ms part) to the kernel's offload port so syscalls never wait for it.
import { hybridSign, hybridSignDelegated } from '../crypto/hybrid.ts';
import type { HybridKeyPair } from '../crypto/hybrid.ts';
import type { CheckpointSigner } from './chain.ts';

/** The shape of KernelPorts.offload.pqc (kept structural so this file needs no kernel ports import). */
export type PqcOffload = (op: 'mldsa65.sign', args: { message: Uint8Array; secretKey: Uint8Array }) => Promise<Record<string, Uint8Array | boolean>>;

/** Signs on the calling thread (the default of AuditChain). */
export function localSigner(nodeKey: HybridKeyPair): CheckpointSigner {
  return { sign: (msg) => hybridSign(nodeKey.secretKey, msg) };
}

/** Ed25519 here, ML-DSA-65 through the offload port (e.g. `ports.offload.pqc.bind(ports.offload)`). */
export function offloadSigner(nodeKey: HybridKeyPair, pqc: PqcOffload): CheckpointSigner {
  return {
    sign: (msg) =>
      hybridSignDelegated(nodeKey.secretKey, msg, async (message, secretKey) => {
        const out = await pqc('mldsa65.sign', { message, secretKey });
        return out.signature as Uint8Array;
      }),
  };
}

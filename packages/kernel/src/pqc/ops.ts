// The post-quantum operations behind PQCOperation: ML-KEM-768 (FIPS 203) and
// ML-DSA-65 (FIPS 204) from @noble/post-quantum. Pure; the node runs them on a
// worker thread so a slow signature never stalls other agents' syscalls.

import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import type { PqcOp } from '@aios/abi';

export type PqcResult = Record<string, Uint8Array | boolean>;

export function runPqc(op: PqcOp, args: Record<string, Uint8Array>): PqcResult {
  switch (op) {
    case 'mlkem768.keygen': {
      const k = ml_kem768.keygen(args.seed);
      return { publicKey: k.publicKey, secretKey: k.secretKey };
    }
    case 'mlkem768.encaps': {
      const r = ml_kem768.encapsulate(args.publicKey!);
      return { cipherText: r.cipherText, sharedSecret: r.sharedSecret };
    }
    case 'mlkem768.decaps':
      return { sharedSecret: ml_kem768.decapsulate(args.cipherText!, args.secretKey!) };
    case 'mldsa65.keygen': {
      const k = ml_dsa65.keygen(args.seed);
      return { publicKey: k.publicKey, secretKey: k.secretKey };
    }
    case 'mldsa65.sign':
      return { signature: ml_dsa65.sign(args.message!, args.secretKey!) };
    case 'mldsa65.verify':
      return { valid: ml_dsa65.verify(args.signature!, args.message!, args.publicKey!) };
  }
}

// @aios/trust: the libraries a verifier needs without a kernel: hybrid keys (Ed25519 + ML-DSA-65),
// hashes and encodings, the persistent audit chain (Merkle tree, signed checkpoints, offline
// verification) and attestation (measurement registers, quotes). Imports only @aios/abi and @noble.
// The kernel uses it (capability tokens, the audit chain behind its log); so do the node's security
// wiring and the CLI's offline verifiers, which never load the kernel.
export * from './crypto/index.ts';
export * from './audit/chain-api.ts';
export * from './attest/index.ts';

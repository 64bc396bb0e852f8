// `aios/offline`: the node's public entry for tools that work on a data folder without a running node
// and without the kernel: where the folder is and how to reach its node (node.json, token), and the
// offline verifiers of what the node leaves on disk (audit log and its anchor, inclusion proofs, key
// history, attestation nonces), plus the offline key rotation. Contract: nothing reachable from this
// file imports @aios/kernel (scripts/repo.test.ts checks it), so the CLI stays a thin client.
export { resolveDataDir, readNodeFile, readToken } from './node/data-dir.ts';
export type { NodeFile } from './node/data-dir.ts';
export { verifyAuditFolder, buildProof, verifyProofBundle, tailRecords, grepRecords, readAuditFiles } from './security/audit-store.ts';
export type { ProofBundle, FolderVerifyReport } from './security/audit-store.ts';
export { readKeyHistory, trustedKeys, verifyKeyHistory } from './security/history.ts';
export { parseNonce } from './security/attest.ts';
export { writeFileAtomic } from './security/keystore.ts';
export { rotateOffline } from './security/rotate-offline.ts';
export { signImage } from './security/image-signing.ts';
export { TrustStore, developerKey, newKeyFile, publicKeyArg, readKeyFile } from './security/trust-store.ts';
export type { KeyUse } from './security/trust-store.ts';
export { MCP_TOOLS } from './api/mcp-tool-list.ts';
export { checkCaps, parseCapList, shellCapsFromEnv } from './node/cap-policy.ts';

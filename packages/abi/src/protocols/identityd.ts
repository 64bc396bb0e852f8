// identityd's protocol: every agent has an identity (a hybrid Ed25519 + ML-DSA-65 key pair held by identityd and
// a certificate signed by the node key). The caller of whoami/sign/attest is always the sender the kernel stamped;
// nobody can ask identityd to sign as another agent. Bytes travel as base64url strings.
import { defineProtocol, op } from './define.ts';

/** What the node key signs (as 'AIOS-AGENT-CERT-v2\n' + canonical JSON of these fields, in this order). */
export interface IdentityCertificateBody {
  v: 2;
  /** The identity id: hex SHA-256 of the encoded hybrid public key. */
  subject: string;
  /** base64url encoded hybrid public key. */
  publicKey: string;
  /** The agent the certificate binds the identity to (agent ids are per boot: see epoch). */
  agent: number;
  name: string;
  /** Boot epoch of the node when issued. */
  epoch: number;
  /** The identity this one was cloned from (null for a first identity). */
  parent: string | null;
  /** sha256 hex of the agent's image when issued (upgrades re-issue with the new one). */
  measurement: string | null;
  /** Increases with every certificate of the identity (restart, upgrade). */
  serial: number;
  /** Key id of the node key that signed. */
  issuer: string;
  issued: number;
}

export interface IdentityCertificate extends IdentityCertificateBody {
  /** base64url hybrid signature of the node key. */
  signature: string;
}

/** The public view of an identity. */
export interface IdentityInfo {
  id: string;
  agent: number;
  name: string;
  publicKey: string;
  parent: string | null;
  /** True once the agent exited (its certificate is revoked; the identity comes back if the agent restarts). */
  revoked: boolean;
  certificate: IdentityCertificate;
}

/** A quote binding an agent's identity and image measurement to the node's attestation registers. */
export interface AgentAttestation {
  identity: string;
  agent: number;
  /** sha256 hex of the agent's image. */
  measurement: string;
  /** The verifier's nonce (hex). */
  nonce: string;
  /** The node quote; its nonce is sha256("AIOS-AGENT-QUOTE-v1\n" nonce "\n" identity "\n" measurement) hex. */
  quote: unknown;
  /** base64url node public key (also the certificate's issuer). */
  nodePublicKey: string;
}

export const IDENTITYD = defineProtocol('identityd', {
  whoami: op<Record<string, never>, IdentityInfo>(['ESRCH', 'EIO'], "the caller's identity and certificate (issued on first use)"),
  sign: op<{ data: string }, { signature: string; identity: string }>(['EINVAL', 'EMSGSIZE', 'ESRCH', 'EIO'], 'signs base64url bytes with the caller identity key (hybrid)'),
  verify: op<{ signature: string; data: string; identity: string }, { ok: boolean; reason?: string }>(['EINVAL', 'ENOENT'], 'checks a signature against an identity (its id; revoked identities verify with reason "revoked")'),
  attest: op<{ nonce: string }, AgentAttestation>(['EINVAL', 'ESRCH', 'EIO'], "a node quote over the caller's identity and image measurement, fresh for the nonce"),
  lookup: op<{ agent?: number; identity?: string }, IdentityInfo>(['EINVAL', 'ENOENT'], 'the public identity of an agent (by id) or of an identity id'),
});

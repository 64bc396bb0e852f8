// @aios/runtime/security: who the agent is and what it can prove. Identity calls go to identityd (granted in
// the namespace as 'identityd'; the caller is the sender the kernel stamps, so an agent only ever signs as
// itself); capability helpers are thin wrappers over CapDerive, CapExport and CapRedeem.
import { IDENTITYD, type AgentAttestation, type CapDeriveOptions, type Handle, type IdentityInfo } from '@aios/abi';
import { asyncWait, capDerive, capExport, capRedeem, nsLookup } from '../kernel/stubs.gen.ts';
import { client, type ProtocolClient } from '../ipc/client.ts';
import { fromBase64Url, toBase64Url } from './base64url.ts';

export { toBase64Url, fromBase64Url } from './base64url.ts';
export type { IdentityInfo, IdentityCertificate, AgentAttestation } from '@aios/abi';

let cached: ProtocolClient<typeof IDENTITYD> | undefined;
function identityd(): ProtocolClient<typeof IDENTITYD> {
  return (cached ??= client(IDENTITYD, nsLookup('identityd')));
}

/** The caller's identity (id = hex SHA-256 of its hybrid public key) and its node-signed certificate. */
export function whoami(): Promise<IdentityInfo> {
  return identityd().call('whoami', {});
}

/** Signs bytes with the caller's identity key (hybrid Ed25519 + ML-DSA-65); the signature as base64url. */
export async function sign(bytes: Uint8Array): Promise<string> {
  return (await identityd().call('sign', { data: toBase64Url(bytes) })).signature;
}

/**
 * True when `signature` (base64url) over `bytes` was made by `identity` (an id or an IdentityInfo).
 * A revoked identity's old signature still verifies (revocation ends the key's use, not its past).
 */
export async function verify(signature: string, bytes: Uint8Array, identity: string | IdentityInfo): Promise<boolean> {
  const id = typeof identity === 'string' ? identity : identity.id;
  return (await identityd().call('verify', { signature, data: toBase64Url(bytes), identity: id })).ok;
}

/** A node quote over the caller's identity and image measurement, fresh for `nonce` (16..64 bytes; random by default). */
export function attest(nonce: Uint8Array = crypto.getRandomValues(new Uint8Array(32))): Promise<AgentAttestation> {
  let hex = '';
  for (const b of nonce) hex += b.toString(16).padStart(2, '0');
  return identityd().call('attest', { nonce: hex });
}

/** A new handle to the same object with fewer rights (and optionally an expiry or a use quota). */
export function derive(handle: Handle, rights: number, opts?: CapDeriveOptions): Handle {
  return capDerive(handle, rights, opts);
}

/** Exports a handle as a signed token another agent (or node) can redeem; revoking the handle revokes it. */
export async function exportToken(handle: Handle, opts?: { rights?: number; expiresInMs?: number; audience?: number | 'node'; maxUses?: number }): Promise<string> {
  const out = await asyncWait(capExport(handle, opts));
  return typeof out === 'string' ? out : (out as { token: string }).token;
}

/** Redeems a token for a handle (with its rights, or fewer). */
export function redeem(token: string, rights?: number): Handle {
  return capRedeem(token, rights);
}

export { fromBase64Url as decodeSignature };

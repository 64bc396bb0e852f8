// Capability export: a handle turned into a signed token (hybrid Ed25519 + ML-DSA-65)
// that another agent (or node) presents to receive a handle. The token names a node
// of the derivation tree held here, child of the exporter's handle, so revoking the
// exporter's handle (or anything above it) revokes the token too.

import { AiosError, limits, type ErrorCode } from '@aios/abi';
import type { HybridKeyPair } from '@aios/trust';
import { CapNode, type HandleOwner } from './captree.ts';
import { MemoryUseCounter, TokenVerifyCache, decodeToken, mintToken, verifyToken, type TokenGrant } from './token.ts';

export interface TokenIssuer {
  key: HybridKeyPair;
  /** This node's audience name ('node:<key id prefix>' by default). */
  nodeAudience: string;
}

export class TokenRegistry implements HandleOwner {
  private readonly nodes = new Map<string, CapNode>();
  /** Exporting agent of each remembered token, and how many each has (bounded by TOKENS_PER_AGENT_MAX). */
  private readonly owner = new Map<string, number>();
  private readonly perOwner = new Map<number, number>();
  private readonly uses = new MemoryUseCounter();
  private readonly cache = new TokenVerifyCache();

  constructor(readonly issuer: TokenIssuer, private readonly bounds = { perAgent: limits.TOKENS_PER_AGENT_MAX, node: limits.TOKENS_NODE_MAX }) {}

  /** Revocation reached an exported node: nothing to drop here (the node is marked revoked). */
  dropHandle(): void {}

  /**
   * EQUOTA unless `exporter` may have one more remembered token (TOKENS_PER_AGENT_MAX, and
   * TOKENS_NODE_MAX in all). Expired and revoked tokens are forgotten first: they redeem as revoked.
   */
  checkRoom(exporter: number, now: number): void {
    const { perAgent: max, node: nodeMax } = this.bounds;
    const full = () => (this.perOwner.get(exporter) ?? 0) >= max || this.nodes.size >= nodeMax;
    if (!full()) return;
    this.sweep(now);
    if (full()) {
      const mine = this.perOwner.get(exporter) ?? 0;
      const perAgent = mine >= max;
      throw new AiosError('EQUOTA', perAgent ? `at most ${max} live exported tokens per agent` : `the node holds ${nodeMax} live exported tokens`, {
        resource: 'tokens', limit: perAgent ? max : nodeMax, used: perAgent ? mine : this.nodes.size,
      });
    }
  }

  /** Forgets tokens that can never be redeemed again (expired or revoked). */
  sweep(now: number): void {
    for (const [id, node] of this.nodes) {
      if (!node.revoked && (node.expires === undefined || node.expires > now)) continue;
      this.nodes.delete(id);
      this.uses.forget(id);
      node.detach();
      const o = this.owner.get(id)!;
      this.owner.delete(id);
      this.perOwner.set(o, (this.perOwner.get(o) ?? 1) - 1);
    }
  }

  /** Mints a token for `parent`'s object with `rights` (a subset, checked by the caller); `exporter` is counted. */
  mint(parent: CapNode, rights: number, expires: number, audience: string, maxUses: number, nonce: Uint8Array, exporter = 0): { token: string; id: string } {
    const m = mintToken({ object: parent.object.label, rights, expires, audience, maxUses, nonce }, this.issuer.key);
    const node = new CapNode(parent.object, rights, this, 0, parent, Math.min(expires, parent.expires ?? Infinity));
    this.nodes.set(m.id, node);
    this.owner.set(m.id, exporter);
    this.perOwner.set(exporter, (this.perOwner.get(exporter) ?? 0) + 1);
    return { token: m.token, id: m.id };
  }

  /**
   * Verifies a presented token (the PQC check runs once per token; later uses hit the cache),
   * counts a use, and returns the tree node to derive the presenter's handle from.
   */
  redeem(token: string, presenter: number, now: number, rights: number | undefined, audit: (code: ErrorCode | 'ok', reason: string, id: string | null) => void): { node: CapNode; grant: TokenGrant } {
    let aud = this.issuer.nodeAudience;
    try {
      if (decodeToken(token).claims.aud.startsWith('agent:')) aud = `agent:${presenter}`;
    } catch {
      /* malformed: verifyToken reports it */
    }
    const grant = verifyToken(token, {
      now, audience: aud, issuerPublicKey: this.issuer.key.publicKey, ...(rights !== undefined ? { rights } : {}),
      isRevoked: (id) => this.nodes.get(id)?.revoked ?? true,
      uses: this.uses, cache: this.cache,
      audit: (ev) => audit(ev.result, ev.reason, ev.tokenId),
    });
    const node = this.nodes.get(grant.id);
    if (node === undefined || node.revoked) throw new AiosError('EPERM', 'the token was revoked', { token: grant.id });
    return { node, grant };
  }
}

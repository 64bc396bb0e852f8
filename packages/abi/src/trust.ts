// The one trust score (docs/security.md "Trust"): an integer 0..TRUST_MAX made of where the agent's code comes
// from (provenance: the node's own services, an image signed by a key of the trust store, or anything else) and
// how it behaves (the kernel's behavioural trust, 0..1, which falls with each anomalous window). Pure.
import { TRUST_MAX } from './limits.ts';

/** Where an agent's code comes from. 'system': native services of the node; 'signed': an image with a valid signature. */
export type CodeProvenance = 'system' | 'signed' | 'unsigned';

/** The score of a perfectly behaved agent of each provenance: unsigned code never reaches TRUST_PRIVILEGED (8). */
export const PROVENANCE_BASE: Readonly<Record<CodeProvenance, number>> = { system: TRUST_MAX, signed: TRUST_MAX, unsigned: 7 };

/** floor(base(provenance) x behaviour), behaviour clamped to 0..1 (NaN counts as 0). */
export function trustScore(behaviour: number, provenance: CodeProvenance): number {
  const b = Number.isFinite(behaviour) ? Math.min(1, Math.max(0, behaviour)) : 0;
  return Math.floor(PROVENANCE_BASE[provenance] * b + 1e-9);
}

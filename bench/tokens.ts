// Benchmark: capability tokens, mint and verify per second, hybrid (Ed25519 + ML-DSA-65) against
// Ed25519 alone; verify is measured on first use (full signature check) and on repeat use (cached).
// Run: npx tsx --conditions=aios-source bench/tokens.ts [--full]
import { mintToken, verifyToken, MemoryUseCounter, TokenVerifyCache } from '../packages/kernel/src/cap/token.ts';
import { hybridKeygen, ed25519OnlySign, ed25519OnlyVerify } from '../packages/kernel/src/crypto/hybrid.ts';
import { canonicalJson, utf8 } from '../packages/kernel/src/crypto/encoding.ts';

const FULL = process.argv.includes('--full') || process.env.FULL === '1';
const M = FULL ? 1000 : 150; // tokens minted / first-use verified
const U = FULL ? 200_000 : 50_000; // cached presentations
const issuer = hybridKeygen(new Uint8Array(32).fill(5));
const NOW = 1_700_000_000_000;
const nonce = (i: number) => Uint8Array.from({ length: 16 }, (_, k) => (i >> (k % 4) * 8) & 255);
const input = (i: number) => ({ object: `agent:${i}`, rights: 0b1001000, expires: NOW + 3_600_000, audience: 'node-b/agent:7', maxUses: 1e9, nonce: nonce(i) });
const perSec = (n: number, ms: number) => Math.round(n / (ms / 1000));

// Hybrid mint.
let t = performance.now();
const tokens: string[] = [];
for (let i = 0; i < M; i++) tokens.push(mintToken(input(i), issuer).token);
const mintMs = performance.now() - t;

const cache = new TokenVerifyCache();
const uses = new MemoryUseCounter();
const opts = { now: NOW, audience: 'node-b/agent:7', issuerPublicKey: issuer.publicKey, isRevoked: () => false, uses, cache };
// Hybrid verify, first use (signature checked).
t = performance.now();
for (const tok of tokens) verifyToken(tok, opts);
const firstMs = performance.now() - t;
// Hybrid verify, repeat uses (cache hit; expiry, revocation, rights, uses still checked).
t = performance.now();
for (let i = 0; i < U; i++) verifyToken(tokens[i % tokens.length]!, opts);
const cachedMs = performance.now() - t;

// Baseline: Ed25519 alone over the same canonical claims, no cache.
const bodies = Array.from({ length: M }, (_, i) => utf8(canonicalJson({ ...input(i), nonce: String(i), iss: issuer.keyId })));
t = performance.now();
const sigs = bodies.map((b) => ed25519OnlySign(issuer.secretKey, b));
const edMintMs = performance.now() - t;
t = performance.now();
for (let i = 0; i < M; i++) if (!ed25519OnlyVerify(issuer.publicKey, bodies[i]!, sigs[i]!)) throw new Error('ed25519 baseline failed');
const edVerifyMs = performance.now() - t;

const ours = { mintPerSec: perSec(M, mintMs), verifyFirstUsePerSec: perSec(M, firstMs), verifyCachedPerSec: perSec(U, cachedMs) };
const baseline = { mintPerSec: perSec(M, edMintMs), verifyPerSec: perSec(M, edVerifyMs) };
console.log(JSON.stringify({
  bench: 'tokens',
  tokens: M,
  cachedUses: U,
  ours: { ...ours, signatureChecks: cache.signatureChecks, note: 'hybrid Ed25519 + ML-DSA-65; cached = same token presented again' },
  baseline: { ...baseline, note: 'Ed25519 alone (noble), no cache' },
  ratio: {
    mint: +(ours.mintPerSec / baseline.mintPerSec).toFixed(3),
    verifyFirstUse: +(ours.verifyFirstUsePerSec / baseline.verifyPerSec).toFixed(3),
    verifyCached: +(ours.verifyCachedPerSec / baseline.verifyPerSec).toFixed(1),
  },
  goal: {
    note: 'the issue sets no figure; our own target: a repeat presentation (cached) is cheaper than one Ed25519 verification',
    met: ours.verifyCachedPerSec > baseline.verifyPerSec,
  },
}));

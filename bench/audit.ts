// Benchmark: persistent audit log append rate (checkpoints on) and verify rate, against a
// baseline of a plain JSON.stringify + SHA-256 hash chain without a tree or signatures.
// Run: npx tsx --conditions=aios-source bench/audit.ts [--full]
import { AuditChain } from '../packages/kernel/src/audit/chain.ts';
import { MemoryAuditSink } from '../packages/kernel/src/audit/chain-memory-sink.ts';
import { verifyAuditLog } from '../packages/kernel/src/audit/verify.ts';
import { hybridKeygen } from '../packages/kernel/src/crypto/hybrid.ts';
import { sha256 } from '../packages/kernel/src/crypto/hash.ts';
import { toHex, utf8 } from '../packages/kernel/src/crypto/encoding.ts';

const FULL = process.argv.includes('--full') || process.env.FULL === '1';
const N = FULL ? 1_000_000 : 200_000;
const nodeKey = hybridKeygen(new Uint8Array(32).fill(3));

function input(i: number, time: number) {
  return { time, agent: i % 64, syscall: 'IPCSend', object: `agent:${i % 97}`, result: 'ok', detail: { bytes: i % 4096, tag: 'msg' } };
}

function runChain() {
  const sink = new MemoryAuditSink();
  let t = 1_700_000_000_000;
  const clock = { now: () => t };
  const chain = new AuditChain({ sink, clock, nodeKey }); // defaults: every 1000 records or 1000 ms
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    chain.append(input(i, t));
    if (i % 50 === 0) t += 1; // ~20 records per clock ms: the 1 s rule fires about every 20,000 records
  }
  chain.checkpoint();
  const appendMs = performance.now() - t0;
  const records = sink.records;
  const t1 = performance.now();
  const rep = verifyAuditLog(records, sink.checkpoints, nodeKey.publicKey);
  const verifyMs = performance.now() - t1;
  if (!rep.ok) throw new Error('bench log failed verification: ' + rep.reason);
  return { appendMs, verifyMs, checkpoints: sink.checkpoints.length };
}

function runBaseline() {
  let prev = '0'.repeat(64);
  const lines: string[] = [];
  let t = 1_700_000_000_000;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const rec = { seq: i + 1, ...input(i, t), prev };
    const line = JSON.stringify(rec);
    prev = toHex(sha256(utf8(line)));
    lines.push(line);
    if (i % 50 === 0) t += 1;
  }
  const appendMs = performance.now() - t0;
  const t1 = performance.now();
  let p = '0'.repeat(64);
  for (const line of lines) {
    const rec = JSON.parse(line) as { prev: string };
    if (rec.prev !== p) throw new Error('baseline chain broken');
    p = toHex(sha256(utf8(line)));
  }
  const verifyMs = performance.now() - t1;
  return { appendMs, verifyMs };
}

const base = runBaseline();
const ours = runChain();
const rate = (ms: number) => Math.round(N / (ms / 1000));
const out = {
  bench: 'audit',
  records: N,
  ours: {
    appendPerSec: rate(ours.appendMs),
    verifyPerSec: rate(ours.verifyMs),
    checkpoints: ours.checkpoints,
    note: 'RFC 9162 tree + hash chain + hybrid (Ed25519+ML-DSA-65) checkpoints every 1000 records; in-memory sink',
  },
  baseline: {
    appendPerSec: rate(base.appendMs),
    verifyPerSec: rate(base.verifyMs),
    note: 'JSON.stringify + SHA-256 chain, no tree, no signatures (verify includes JSON.parse)',
  },
  ratio: {
    append: +(rate(ours.appendMs) / rate(base.appendMs)).toFixed(3),
    verify: +(rate(ours.verifyMs) / rate(base.verifyMs)).toFixed(3),
  },
  goal: {
    appendPerSec: 50_000,
    verifyPerSec: 100_000,
    met: rate(ours.appendMs) >= 50_000 && rate(ours.verifyMs) >= 100_000,
  },
};
console.log(JSON.stringify(out));

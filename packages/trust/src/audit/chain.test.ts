import { describe, it, expect } from 'vitest';
import { AuditChain } from './chain.ts';
import { MemoryAuditSink } from './chain-memory-sink.ts';
import { verifyAuditLog, verifyAuditInclusion, verifyAuditLines, verifyCheckpointConsistency } from './verify.ts';
import { encodeEntry, entryHashHex, GENESIS_PREV } from './chain-encode.ts';
import { signCheckpoint } from './checkpoint.ts';
import { offloadSigner } from './chain-signer.ts';
import { canonicalJson } from '../crypto/encoding.ts';
import { hybridKeygen, hybridSign } from '../crypto/hybrid.ts';
import type { AuditEntry, SignedCheckpoint } from './chain-types.ts';

const nodeKey = hybridKeygen(new Uint8Array(32).fill(7));
const otherKey = hybridKeygen(new Uint8Array(32).fill(8));

function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** A log of n records with a checkpoint every `every` records. */
function makeLog(n: number, every = 10) {
  const sink = new MemoryAuditSink();
  const clock = fakeClock();
  const chain = new AuditChain({ sink, clock, nodeKey, checkpointEvery: every, checkpointIntervalMs: 1e12 });
  for (let i = 0; i < n; i++) {
    chain.append({ time: clock.now(), agent: i % 5, syscall: 'IPCSend', object: `agent:${i % 7}`, result: i % 3 ? 'ok' : 'EPERM', detail: { i, z: 'x', a: [1, 2] } });
    clock.advance(1);
  }
  return { sink, clock, chain, records: sink.records.map((r) => ({ ...r })), checkpoints: sink.checkpoints.slice() };
}

const base = makeLog(45, 10); // checkpoints at 10, 20, 30, 40
const copy = (): AuditEntry[] => base.records.map((r) => structuredClone(r));

describe('audit - chain and checkpoints', () => {
  it('audit - entries are chained, 1-based, and encodeEntry is canonical JSON', () => {
    const r = base.records;
    expect(r[0]!.seq).toBe(1);
    expect(r[0]!.prev).toBe(GENESIS_PREV);
    for (let i = 1; i < r.length; i++) expect(r[i]!.prev).toBe(entryHashHex(r[i - 1]!));
    for (const e of r) expect(encodeEntry(e)).toBe(canonicalJson(e));
    expect(encodeEntry({ seq: 1, time: 1, agent: 0, syscall: 'Log', object: null, result: 'ok', prev: GENESIS_PREV }))
      .toBe(canonicalJson({ seq: 1, time: 1, agent: 0, syscall: 'Log', object: null, result: 'ok', prev: GENESIS_PREV }));
  });

  it('audit - a checkpoint every N records and after the clock interval, none when idle', () => {
    expect(base.checkpoints.map((c) => c.treeSize)).toEqual([10, 20, 30, 40]);
    const sink = new MemoryAuditSink();
    const clock = fakeClock();
    const chain = new AuditChain({ sink, clock, nodeKey, checkpointEvery: 1000, checkpointIntervalMs: 1000 });
    expect(chain.maybeCheckpoint()).toBe(false);
    chain.append({ time: clock.now(), agent: 1, syscall: 'Log', object: null, result: 'ok' });
    expect(sink.checkpoints).toHaveLength(0);
    clock.advance(1000);
    expect(chain.maybeCheckpoint()).toBe(true);
    expect(chain.latestCheckpoint?.treeSize).toBe(1);
    clock.advance(5000);
    expect(chain.maybeCheckpoint()).toBe(false); // nothing new to cover
    expect(sink.checkpoints).toHaveLength(1);
  });

  it('audit - an out-of-sequence seq or a non-JSON detail is EINVAL and changes nothing', () => {
    const { chain } = makeLog(3);
    expect(() => chain.append({ seq: 7, time: 0, agent: 1, syscall: 'Log', object: null, result: 'ok' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => chain.append({ time: 0, agent: 1, syscall: 'Log', object: null, result: 'ok', detail: { x: NaN } })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(chain.nextSeq).toBe(4);
    expect(chain.append({ seq: 4, time: 0, agent: 1, syscall: 'Log', object: null, result: 'ok' }).seq).toBe(4);
  });

  it('audit - an untouched log verifies, with the root of the live tree', () => {
    const rep = verifyAuditLog(base.records, base.checkpoints, nodeKey.publicKey);
    expect(rep).toMatchObject({ ok: true, records: 45, checkpoints: 4, rootHash: base.chain.rootHex(), signedPrefix: 40 });
  });

  it('audit - a modified record is named', () => {
    const r = copy();
    r[17]!.result = 'ok-forged';
    expect(verifyAuditLog(r, base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'modified', firstBadIndex: 17, firstBadSeq: 18 });
    const d = copy();
    d[5]!.detail = { i: 5, z: 'y', a: [1, 2] };
    expect(verifyAuditLog(d, base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'modified', firstBadSeq: 6 });
  });

  it('audit - a deleted record is named by its missing seq', () => {
    const r = copy();
    r.splice(23, 1);
    expect(verifyAuditLog(r, base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'deleted', firstBadIndex: 23, firstBadSeq: 24 });
  });

  it('audit - an inserted record is named, even when forged with a correct seq and prev', () => {
    const r = copy();
    const forged: AuditEntry = { ...r[29]!, result: 'ok', syscall: 'AgentSpawn', detail: { forged: true } };
    r.splice(29, 0, forged); // claims seq 30 and links to seq 29
    expect(verifyAuditLog(r, base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'inserted', firstBadIndex: 29 });
    const naive = copy();
    naive.splice(12, 0, { ...naive[3]! });
    expect(verifyAuditLog(naive, base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'inserted', firstBadIndex: 12 });
  });

  it('audit - reordered records are named at the first out-of-place position', () => {
    const r = copy();
    [r[33], r[34]] = [r[34]!, r[33]!];
    expect(verifyAuditLog(r, base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'reordered', firstBadIndex: 33 });
  });

  it('audit - a forged, foreign or re-signed checkpoint is refused', () => {
    const cps: SignedCheckpoint[] = base.checkpoints.map((c) => ({ ...c }));
    cps[2] = { ...cps[2]!, rootHash: 'ab'.repeat(32) };
    expect(verifyAuditLog(base.records, cps, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'checkpoint-forged', checkpointIndex: 2 });
    const foreign = [...base.checkpoints, signCheckpoint(45, base.chain.rootHex(), 9e12, otherKey)];
    expect(verifyAuditLog(base.records, foreign, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'checkpoint-forged', checkpointIndex: 4 });
    expect(verifyAuditLog(base.records, base.checkpoints, otherKey.publicKey)).toMatchObject({ ok: false, fault: 'checkpoint-forged', checkpointIndex: 0 });
  });

  it('audit - a rewritten suffix with a consistent chain is caught by the signed roots', () => {
    // The attacker rewrites records from seq 26 on and recomputes every prev: the chain is intact.
    const r = copy().slice(0, 25);
    for (let i = 25; i < 45; i++) {
      const e: AuditEntry = { ...base.records[i]!, result: 'ok', prev: entryHashHex(r[i - 1]!) };
      r.push(e);
    }
    expect(verifyAuditLog(r, [], nodeKey.publicKey).ok).toBe(true);
    expect(verifyAuditLog(r, base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'checkpoint-mismatch', window: [21, 30] });
  });

  it('audit - a truncated log is caught by a checkpoint that covers more', () => {
    const r = copy().slice(0, 35);
    expect(verifyAuditLog(r, base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'truncated', firstBadSeq: 36 });
  });

  it('audit - a malformed record is named', () => {
    const r = copy() as unknown as Record<string, unknown>[];
    r[8] = { ...r[8], extra: 1 };
    expect(verifyAuditLog(r as unknown as AuditEntry[], base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'malformed', firstBadIndex: 8 });
  });

  it('audit - the inclusion proof for seq N verifies offline against a checkpoint, and only for that entry', () => {
    const cp = base.checkpoints[3]!; // treeSize 40
    for (const seq of [1, 2, 17, 32, 40]) {
      const proof = base.chain.inclusionProof(seq, cp.treeSize);
      const entry = JSON.parse(JSON.stringify(base.records[seq - 1])) as AuditEntry;
      expect(verifyAuditInclusion(entry, proof, cp, nodeKey.publicKey)).toBe(true);
      expect(verifyAuditInclusion({ ...entry, result: 'EPERM-x' }, proof, cp, nodeKey.publicKey)).toBe(false);
      expect(verifyAuditInclusion(entry, proof, { ...cp, rootHash: 'cd'.repeat(32) }, nodeKey.publicKey)).toBe(false);
      expect(verifyAuditInclusion(entry, proof, cp, otherKey.publicKey)).toBe(false);
    }
    expect(() => base.chain.inclusionProof(41, 40)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('audit - resume continues the chain from stored records; a tampered store is EIO', async () => {
    const { sink, clock } = makeLog(25, 10);
    const stored = await sink.readAll();
    const resumed = AuditChain.resume(stored.records, stored.checkpoints, { sink, clock, nodeKey, checkpointEvery: 10 });
    expect(resumed.nextSeq).toBe(26);
    for (let i = 0; i < 10; i++) resumed.append({ time: clock.now(), agent: 9, syscall: 'Log', object: null, result: 'ok' });
    const after = await sink.readAll();
    expect(after.checkpoints.map((c) => c.treeSize)).toEqual([10, 20, 30]);
    expect(verifyAuditLog(after.records, after.checkpoints, nodeKey.publicKey).ok).toBe(true);
    stored.records[3]!.agent = 99;
    expect(() => AuditChain.resume(stored.records, stored.checkpoints, { sink, clock, nodeKey })).toThrow(expect.objectContaining({ code: 'EIO' }));
  });

  it('audit - stored JSONL lines verify as they are; an edited or non-JSON line is named', () => {
    const lines = base.sink.lines.slice();
    expect(verifyAuditLines(lines, base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: true, rootHash: base.chain.rootHex() });
    const edited = lines.slice();
    edited[13] = edited[13]!.replace('"result":"ok"', '"result":"ok" ');
    expect(verifyAuditLines(edited, base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'modified', firstBadSeq: 14 });
    const torn = lines.slice();
    torn[40] = torn[40]!.slice(0, 30);
    expect(verifyAuditLines(torn, base.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: false, fault: 'malformed', firstBadIndex: 40 });
  });

  it('audit - a later checkpoint is proven to extend an earlier one; a forked history is not', () => {
    const [c10, , c30, c40] = base.checkpoints;
    const p = base.chain.consistencyProof(10, 40);
    expect(verifyCheckpointConsistency(c10!, c40!, p, nodeKey.publicKey)).toBe(true);
    expect(verifyCheckpointConsistency(c30!, c40!, base.chain.consistencyProof(30, 40), nodeKey.publicKey)).toBe(true);
    expect(verifyCheckpointConsistency(c30!, c40!, p, nodeKey.publicKey)).toBe(false); // proof for other sizes
    // A fork: same size 40, different history, signed by the same (compromised) key.
    const fork = makeLog(40, 10);
    const other = new AuditChain({ sink: new MemoryAuditSink(), clock: fakeClock(), nodeKey });
    for (const r of fork.records) other.append({ ...r, seq: undefined, result: 'forked' });
    const forkCp = other.checkpoint();
    expect(forkCp.treeSize).toBe(40);
    expect(verifyCheckpointConsistency(c10!, forkCp, other.consistencyProof(10, 40), nodeKey.publicKey)).toBe(false);
  });

  it('audit - an async signer keeps checkpoints in order even when signatures finish out of order', async () => {
    const sink = new MemoryAuditSink();
    const clock = fakeClock();
    const waiting: Array<() => void> = [];
    // Signatures resolve only when released, and we release them newest first.
    const signer = {
      sign: (msg: Uint8Array) => new Promise<Uint8Array>((resolve) => waiting.push(() => resolve(hybridSign(nodeKey.secretKey, msg)))),
    };
    const chain = new AuditChain({ sink, clock, nodeKey, signer, checkpointEvery: 5, checkpointIntervalMs: 1e12 });
    for (let i = 0; i < 15; i++) chain.append({ time: clock.now(), agent: 1, syscall: 'Log', object: null, result: 'ok' });
    expect(sink.checkpoints).toHaveLength(0); // cut, not yet signed
    const final = chain.checkpoint(); // synchronous, queued behind the three pending ones
    expect(final.treeSize).toBe(15);
    for (const release of waiting.reverse()) release();
    await chain.flush();
    expect(sink.checkpoints.map((c) => c.treeSize)).toEqual([5, 10, 15, 15]);
    const stored = await sink.readAll();
    expect(verifyAuditLog(stored.records, stored.checkpoints, nodeKey.publicKey).ok).toBe(true);
  });

  it('audit - a failed async signature surfaces as EIO from settled()', async () => {
    const sink = new MemoryAuditSink();
    const signer = { sign: () => Promise.reject(new Error('worker died')) };
    const chain = new AuditChain({ sink, clock: fakeClock(), nodeKey, signer, checkpointEvery: 2 });
    chain.append({ time: 0, agent: 1, syscall: 'Log', object: null, result: 'ok' });
    chain.append({ time: 0, agent: 1, syscall: 'Log', object: null, result: 'ok' });
    await expect(chain.settled()).rejects.toMatchObject({ code: 'EIO' });
    expect(sink.checkpoints).toHaveLength(0);
  });

  it('audit - the offload signer (ML-DSA half on the offload port) produces checkpoints that verify', async () => {
    const { ml_dsa65 } = await import('@noble/post-quantum/ml-dsa.js');
    const calls: string[] = [];
    const pqc = async (op: 'mldsa65.sign', args: { message: Uint8Array; secretKey: Uint8Array }) => {
      calls.push(op);
      return { signature: ml_dsa65.sign(args.message, args.secretKey) }; // hedged, as the real port signs
    };
    const sink = new MemoryAuditSink();
    const chain = new AuditChain({ sink, clock: fakeClock(), nodeKey, signer: offloadSigner(nodeKey, pqc), checkpointEvery: 4 });
    for (let i = 0; i < 8; i++) chain.append({ time: i, agent: 1, syscall: 'Log', object: null, result: 'ok' });
    await chain.flush();
    expect(calls).toEqual(['mldsa65.sign', 'mldsa65.sign']);
    const stored = await sink.readAll();
    expect(verifyAuditLog(stored.records, stored.checkpoints, nodeKey.publicKey)).toMatchObject({ ok: true, checkpoints: 2 });
    const bad = async () => ({ signature: new Uint8Array(10) });
    const broken = new AuditChain({ sink: new MemoryAuditSink(), clock: fakeClock(), nodeKey, signer: offloadSigner(nodeKey, bad), checkpointEvery: 1 });
    broken.append({ time: 0, agent: 1, syscall: 'Log', object: null, result: 'ok' });
    await expect(broken.settled()).rejects.toMatchObject({ code: 'EIO' });
  });
});

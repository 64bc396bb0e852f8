// Node and agent identities: the key file (0600, optionally encrypted), certified agent identities,
// key rotation (live and offline) keeping old checkpoints verifiable, and attestation quotes.
import { describe, it, expect } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { bootSecure, tempDir, agentSource, runSec } from './helpers.ts';
import {
  prepareSecurity, verifyAgentCertificate, verifyAuditFolder, readAuditFiles, trustedKeys, buildProof, verifyProofBundle,
} from '../../apps/node/src/security/index.ts';
import { readKeyHistory, writeKeyHistory } from '../../apps/node/src/security/history.ts';
import { decodePublicKey, fromBase64Url, keyId, signCheckpoint } from '@aios/trust';

const mode = async (p: string) => (await fs.stat(p)).mode & 0o777;

describe('security identity - node key', () => {
  it('security identity - the node key is created once with mode 0600 and is stable across boots', async () => {
    const dir = tempDir();
    const a = await prepareSecurity({ dataDir: dir });
    expect(await mode(join(dir, 'identity', 'node.key'))).toBe(0o600);
    const b = await prepareSecurity({ dataDir: dir });
    expect(b.identity.key.keyId).toBe(a.identity.key.keyId);
    expect(b.identity.epoch).toBe(a.identity.epoch + 1);
    expect((await readKeyHistory(dir))!.keys.map((k) => k.keyId)).toEqual([a.identity.key.keyId]);
  });

  it('security identity - under a passphrase the key is only stored encrypted (0600); a wrong one is EACCES', async () => {
    const dir = tempDir();
    const a = await prepareSecurity({ dataDir: dir, passphrase: 'correct horse' });
    expect(await mode(join(dir, 'identity', 'node.key.enc'))).toBe(0o600);
    await expect(fs.access(join(dir, 'identity', 'node.key'))).rejects.toThrow();
    const stored = await fs.readFile(join(dir, 'identity', 'node.key.enc'), 'utf8');
    expect(stored).not.toContain(Buffer.from(a.identity.key.secretKey.seed).toString('hex'));
    expect(a.describe()).toMatchObject({ encrypted: true });
    await expect(prepareSecurity({ dataDir: dir, passphrase: 'wrong' })).rejects.toMatchObject({ code: 'EACCES' });
    await expect(prepareSecurity({ dataDir: dir, passphrase: '' })).rejects.toMatchObject({ code: 'EACCES' });
    expect((await prepareSecurity({ dataDir: dir, passphrase: 'correct horse' })).identity.key.keyId).toBe(a.identity.key.keyId);
  });

  it('security identity - a plain key is encrypted (and the plain file removed) once a passphrase is set', async () => {
    const dir = tempDir();
    const a = await prepareSecurity({ dataDir: dir });
    const b = await prepareSecurity({ dataDir: dir, passphrase: 'p' });
    expect(b.identity.key.keyId).toBe(a.identity.key.keyId);
    await expect(fs.access(join(dir, 'identity', 'node.key'))).rejects.toThrow();
  });
});

describe('security identity - agents', () => {
  it('security identity - each agent gets a deterministic key, an id that hashes its public key, a node-signed certificate', async () => {
    const dir = tempDir();
    const s = await bootSecure(dir);
    try {
      const id = await s.node.spawn(agentSource(`await new Promise((r) => setTimeout(r, 1));`), { name: 'alice' });
      const ident = s.sec.agentIdentity(id);
      expect(s.sec.agentIdentity('alice').id).toBe(ident.id);
      expect(ident.id).toBe(keyId(decodePublicKey(fromBase64Url(ident.publicKey))));
      expect(s.sec.identity.agentKey(id).keyId).toBe(ident.id);
      expect(verifyAgentCertificate(ident.certificate, s.sec.identity.key.publicKey)).toBe(true);
      expect(verifyAgentCertificate({ ...ident.certificate, name: 'mallory' }, s.sec.identity.key.publicKey)).toBe(false);
      const other = await s.node.spawn(agentSource(''), { name: 'bob' });
      expect(s.sec.agentIdentity(other).id).not.toBe(ident.id);
      expect(() => s.sec.agentIdentity(99999)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    } finally {
      await s.stop();
    }
  });
});

describe('security identity - key rotation', () => {
  it('security identity - a live rotation keeps old checkpoints verifiable; the chain continues under the new key', async () => {
    const dir = tempDir();
    const s = await bootSecure(dir, { checkpointEvery: 3 });
    const first = s.sec.identity.key.keyId;
    const oldKey = s.sec.identity.key;
    for (let i = 0; i < 3; i++) await s.node.wait(await s.node.spawn(agentSource(''), { name: `a${i}` }));
    const r = await s.sec.rotateKey();
    expect(r).toMatchObject({ oldKeyId: first, newKeyId: s.sec.identity.key.keyId });
    for (let i = 0; i < 3; i++) await s.node.wait(await s.node.spawn(agentSource(''), { name: `b${i}` }));
    await s.stop();
    const { checkpoints } = await readAuditFiles(dir);
    const signers = new Set(checkpoints.map((c) => c.keyId));
    expect(signers).toEqual(new Set([first, r.newKeyId]));
    expect(checkpoints.filter((c) => c.keyId === first).every((c) => c.treeSize <= r.atSeq)).toBe(true);
    expect(await verifyAuditFolder(dir)).toMatchObject({ ok: true, keys: 2 });
    expect(await verifyAuditFolder(dir, first)).toMatchObject({ ok: true }); // pinned to the original key
    // a proof of an early record verifies against the new key's checkpoint
    const b = await buildProof(dir, 2);
    expect(b.checkpoint.keyId).toBe(r.newKeyId);
    expect(verifyProofBundle(b, (await trustedKeys(dir)).map((k) => k.keyId))).toMatchObject({ ok: true });
    // and the node boots again on the rotated folder
    const again = await bootSecure(dir);
    expect(again.sec.identity.key.keyId).toBe(r.newKeyId);
    await again.stop();
    expect((await verifyAuditFolder(dir)).ok).toBe(true);
    // the retired key can no longer vouch for the log: a checkpoint it signs past its tenure is forged
    const cpFile = join(dir, 'audit', 'checkpoints.jsonl');
    const last = (await readAuditFiles(dir)).checkpoints.at(-1)!;
    await fs.appendFile(cpFile, JSON.stringify(signCheckpoint(last.treeSize, last.rootHash, last.time + 1, oldKey)) + '\n');
    expect(await verifyAuditFolder(dir)).toMatchObject({ ok: false, fault: 'checkpoint-forged' });
  });

  it('security identity - `aios identity rotate` offline; a broken endorsement or another pinned root is refused', async () => {
    const dir = tempDir();
    const s = await bootSecure(dir);
    await s.node.wait(await s.node.spawn(agentSource('')));
    await s.stop();
    const rot = await runSec(['identity', 'rotate', '--data-dir', dir, '--json']);
    expect(rot.code).toBe(0);
    const { oldKeyId, newKeyId } = JSON.parse(rot.out[0]!);
    expect(await verifyAuditFolder(dir)).toMatchObject({ ok: true, keys: 2 });
    const show = await runSec(['identity', 'show', '--data-dir', dir, '--json']);
    expect(JSON.parse(show.out[0]!)).toMatchObject({ keyId: newKeyId, historyOk: true });
    // a history whose endorsement was tampered with is not trusted
    const h = (await readKeyHistory(dir))!;
    const saved = JSON.parse(JSON.stringify(h));
    h.keys[1]!.atSeq += 1;
    await writeKeyHistory(dir, h);
    await expect(verifyAuditFolder(dir)).rejects.toMatchObject({ code: 'EIO' });
    expect((await runSec(['audit', 'verify', '--data-dir', dir])).code).toBe(9);
    await writeKeyHistory(dir, saved);
    // pinning another root key refuses the whole history
    await expect(verifyAuditFolder(dir, newKeyId)).rejects.toMatchObject({ code: 'EIO' });
    expect(oldKeyId).not.toBe(newKeyId);
  });
});

describe('security attest - quotes', () => {
  it('security attest - a quote verifies offline with its nonce and fails with another; policy changes move register 2', async () => {
    const dir = tempDir();
    const s = await bootSecure(dir);
    const nonce = 'ab'.repeat(32);
    let before: string;
    try {
      const q = s.sec.quote(Buffer.from(nonce, 'hex'));
      before = q.quote.registers[2]!;
      expect(q.quote.eventLog.map((e) => e.description)).toEqual(expect.arrayContaining([expect.stringMatching(/^kernel code/), 'node config', 'policy set v1']));
      const file = join(dir, 'quote.json');
      await fs.writeFile(file, JSON.stringify(q));
      expect((await runSec(['attest', 'verify', file, '--nonce', nonce])).code).toBe(0);
      expect((await runSec(['attest', 'verify', file, '--nonce', nonce, '--data-dir', dir])).code).toBe(0);
      const wrong = await runSec(['attest', 'verify', file, '--nonce', 'cd'.repeat(32)]);
      expect(wrong.code).toBe(9);
      expect(wrong.err[0]).toContain('nonce');
      expect((await runSec(['attest', 'verify', file, '--nonce', 'abc'])).code).toBe(4);
      await s.sec.applyPolicy((await s.sec.policy.show()).text + '\n// v2\n');
      expect(s.sec.quote(Buffer.from(nonce, 'hex')).quote.registers[2]).not.toBe(before);
    } finally {
      await s.stop();
    }
  });
});

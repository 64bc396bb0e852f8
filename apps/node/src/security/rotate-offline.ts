// Key rotation on a data folder whose node is not running: the old key first signs a checkpoint over
// any records no checkpoint covers yet (after the folder verifies), then endorses the new key.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { AiosError } from '@aios/abi';
import { CHECKPOINTS_FILE } from '@aios/drivers/audit-file';
import { MerkleTree, leafHash, signCheckpoint, toHex, utf8 } from '@aios/trust';
import { NodeIdentity } from './identity.ts';
import { keyFilePath } from './keystore.ts';
import { auditDir, readAuditFiles, verifyAuditFolder } from './audit-store.ts';

export async function rotateOffline(
  dataDir: string, opts: { passphrase?: string; random: (n: number) => Uint8Array; now: () => number },
): Promise<{ oldKeyId: string; newKeyId: string; atSeq: number }> {
  if (!(await keyFilePath(dataDir))) throw new AiosError('ENOENT', `no node key in ${dataDir} (boot a node there first)`);
  const identity = await NodeIdentity.open(dataDir, { ...opts, boot: false });
  const report = await verifyAuditFolder(dataDir);
  if (!report.ok) throw new AiosError('EIO', `the audit log fails verification, not rotating: ${report.reason}`, { fault: report.fault });
  const { lines, checkpoints } = await readAuditFiles(dataDir);
  const covered = checkpoints[checkpoints.length - 1]?.treeSize ?? 0;
  if (lines.length > covered) {
    const tree = new MerkleTree();
    for (const l of lines) tree.appendLeafHash(leafHash(utf8(l)));
    const cp = signCheckpoint(lines.length, toHex(tree.root()), opts.now(), identity.key);
    await fs.mkdir(auditDir(dataDir), { recursive: true });
    await fs.appendFile(join(auditDir(dataDir), CHECKPOINTS_FILE), JSON.stringify(cp) + '\n');
  }
  const { old, next } = await identity.rotate(lines.length);
  return { oldKeyId: old.keyId, newKeyId: next.keyId, atSeq: lines.length };
}

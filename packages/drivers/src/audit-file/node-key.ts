// The node's signing-key seed on disk: <dir>/node.key holds 32 random bytes (hex), mode 0600.
// The kernel turns it into the hybrid key pair (hybridKeygen(seed)); it must survive restarts,
// or old checkpoints and quotes can no longer be verified against the node's public key.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AiosError, hasCode } from '@aios/abi';

export const NODE_KEY_FILE = 'node.key';

/** Reads the seed, or creates it from random(32) the first time. EIO if the file is unreadable or malformed. */
export async function loadOrCreateNodeKeySeed(dir: string, random: (n: number) => Uint8Array): Promise<Uint8Array> {
  const file = path.join(dir, NODE_KEY_FILE);
  try {
    const text = (await fs.readFile(file, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw new AiosError('EIO', `${file} is not a 32-byte hex seed`);
    return Uint8Array.from(Buffer.from(text, 'hex'));
  } catch (e) {
    if (!hasCode(e, 'ENOENT')) {
      if (e instanceof AiosError) throw e;
      throw new AiosError('EIO', `cannot read ${file}`, undefined, { cause: e });
    }
  }
  const seed = random(32);
  if (seed.length !== 32) throw new AiosError('EINVAL', 'random port returned the wrong length');
  await fs.mkdir(dir, { recursive: true });
  // 'wx': never overwrite a key another process created meanwhile.
  await fs.writeFile(file, Buffer.from(seed).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return seed;
}

// identityd's vault: identity records kept in a key-value store with the private key seed SEALED (AES-256-GCM
// under a key derived from the node key, the record's id as associated data). A seed is unsealed only into
// identityd's memory; a record whose seal does not open (another node key) reads as missing.
import { AiosError } from '@aios/abi';
import { fromBase64Url, toBase64Url } from '@aios/runtime/security';

/** The store the vault writes to (the storage device's durable key-value part, or a map in tests). */
export interface VaultStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
}

/** A persisted identity (no secret in clear). */
export interface IdentityRecord {
  id: string;
  publicKey: string;
  lineage: string;
  parent: string | null;
  serial: number;
  /** base64url of iv (12 bytes) || AES-GCM ciphertext of the 32-byte seed. */
  sealed: string;
}

const ID_PREFIX = 'identityd/id/';
const LINEAGE_PREFIX = 'identityd/lineage/';
const enc = new TextEncoder();
const dec = new TextDecoder();

export { toBase64Url as b64u, fromBase64Url as fromB64u } from '@aios/runtime/security';

export class Vault {
  private constructor(private readonly store: VaultStore, private readonly key: Awaited<ReturnType<typeof crypto.subtle.importKey>>, private readonly random: (n: number) => Uint8Array) {}

  /** sealKey: 32 bytes derived from the node key (nodekey device, tool sealKey). */
  static async open(store: VaultStore, sealKey: Uint8Array, random: (n: number) => Uint8Array): Promise<Vault> {
    if (sealKey.length !== 32) throw new AiosError('EINVAL', 'seal key must be 32 bytes');
    const key = await crypto.subtle.importKey('raw', sealKey, 'AES-GCM', false, ['encrypt', 'decrypt']);
    return new Vault(store, key, random);
  }

  async seal(id: string, seed: Uint8Array): Promise<string> {
    const iv = this.random(12);
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode(id) }, this.key, seed));
    const out = new Uint8Array(12 + ct.length);
    out.set(iv, 0);
    out.set(ct, 12);
    return toBase64Url(out);
  }

  /** The seed, or null when the seal does not open (tampered, or sealed under another node key). */
  async unseal(rec: IdentityRecord): Promise<Uint8Array | null> {
    try {
      const raw = fromBase64Url(rec.sealed);
      const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: raw.subarray(0, 12), additionalData: enc.encode(rec.id) }, this.key, raw.subarray(12));
      return new Uint8Array(pt);
    } catch {
      return null;
    }
  }

  async save(rec: IdentityRecord): Promise<void> {
    await this.store.put(ID_PREFIX + rec.id, enc.encode(JSON.stringify(rec)));
    await this.store.put(LINEAGE_PREFIX + rec.lineage, enc.encode(rec.id));
  }

  async load(id: string): Promise<IdentityRecord | null> {
    const raw = await this.store.get(ID_PREFIX + id);
    if (!raw) return null;
    try {
      const r = JSON.parse(dec.decode(raw)) as IdentityRecord;
      return typeof r.id === 'string' && typeof r.sealed === 'string' ? r : null;
    } catch {
      return null;
    }
  }

  async byLineage(lineage: string): Promise<IdentityRecord | null> {
    const raw = await this.store.get(LINEAGE_PREFIX + lineage);
    return raw ? this.load(dec.decode(raw)) : null;
  }
}

/** A VaultStore in memory (tests, and nodes without a storage device: identities then last one boot). */
export function memoryVaultStore(): VaultStore & { readonly map: Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>();
  return { map, get: async (k) => map.get(k), put: async (k, v) => void map.set(k, v) };
}

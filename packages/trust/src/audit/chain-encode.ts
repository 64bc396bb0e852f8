// Canonical bytes and hashes of audit entries. encodeEntry(e) === canonicalJson(e) for every
// well-formed entry, built by hand for speed; entryHash is the RFC 9162 leaf hash of those bytes.
import { canonicalJson, toHex } from '../crypto/encoding.ts';
import { sha256Into } from '../crypto/hash.ts';
import type { AuditEntry } from './chain-types.ts';

/** prev of the first entry. */
export const GENESIS_PREV = '0'.repeat(64);

const ENTRY_KEYS = new Set(['seq', 'time', 'agent', 'syscall', 'object', 'result', 'detail', 'prev']);

/** Canonical JSON of an entry (sorted keys: agent, detail, object, prev, result, seq, syscall, time). */
export function encodeEntry(e: AuditEntry): string {
  return (
    '{"agent":' + JSON.stringify(e.agent) +
    (e.detail !== undefined ? ',"detail":' + canonicalJson(e.detail) : '') +
    ',"object":' + (e.object === null ? 'null' : JSON.stringify(e.object)) +
    ',"prev":"' + e.prev +
    '","result":' + JSON.stringify(e.result) +
    ',"seq":' + e.seq +
    ',"syscall":' + JSON.stringify(e.syscall) +
    ',"time":' + JSON.stringify(e.time) + '}'
  );
}

const enc = new TextEncoder();
let scratch = new Uint8Array(4096);

const leafOut = new Uint8Array(32);

/**
 * RFC 9162 leaf hash of a canonical line: SHA-256(0x00 || utf8(line)). No allocation: the result
 * is a shared buffer, valid until the next call; copy it to keep it.
 */
export function lineLeafHash(line: string): Uint8Array {
  // UTF-8 needs at most 3 bytes per UTF-16 unit.
  if (scratch.length < line.length * 3 + 1) scratch = new Uint8Array(line.length * 3 + 1);
  scratch[0] = 0x00;
  const { written } = enc.encodeInto(line, scratch.subarray(1));
  sha256Into(scratch.subarray(0, written + 1), leafOut);
  return leafOut;
}

/** hex of the leaf hash: what the next entry's prev must equal. */
export function entryHashHex(e: AuditEntry): string {
  return toHex(lineLeafHash(encodeEntry(e)));
}

function isHex64(s: unknown): boolean {
  if (typeof s !== 'string' || s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Why an entry is malformed, or null if its shape is valid (unknown keys count as malformed). */
export function entryShapeError(e: unknown): string | null {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return 'not an object';
  const r = e as Record<string, unknown>;
  for (const k in r) if (!ENTRY_KEYS.has(k)) return `unknown field ${k}`;
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 1) return 'bad seq';
  if (typeof r.time !== 'number' || !Number.isFinite(r.time)) return 'bad time';
  if (typeof r.agent !== 'number' || !Number.isFinite(r.agent)) return 'bad agent';
  if (typeof r.syscall !== 'string') return 'bad syscall';
  if (r.object !== null && typeof r.object !== 'string') return 'bad object';
  if (typeof r.result !== 'string') return 'bad result';
  if (r.detail !== undefined && (r.detail === null || typeof r.detail !== 'object' || Array.isArray(r.detail))) return 'bad detail';
  if (!isHex64(r.prev)) return 'bad prev';
  return null;
}

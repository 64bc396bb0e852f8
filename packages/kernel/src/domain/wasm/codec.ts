// Host side of the value codec that crosses the wasm sandbox boundary. Trusts nothing it decodes:
// the wire is a JSON text of a tagged tree plus a list of byte buffers, both made by sandbox code.
// Wire tree: null | boolean | string | finite number | [tag, ...] where the tags are listed in TAG.

import { AiosError } from '@aios/abi';

/** Tags of the wire tree (the prelude's encoder and decoder use the same numbers). */
export const TAG = { array: 0, object: 1, bytes: 2, undefined: 3, number: 4 } as const;

/** Deepest nesting a value may have when it crosses the boundary. */
export const MAX_DEPTH = 32;
/** Largest encoded size (string characters + bytes + 16 per node) that may cross the boundary. */
export const MAX_WIRE = 16 * 1024 * 1024;

/** A value ready to be sent into the sandbox: JSON text of the tree, and the byte buffers it names. */
export interface Wire {
  text: string;
  buffers: Uint8Array[];
}

type Tree = null | boolean | string | number | Tree[];

/** One shared node for undefined: sparse arrays stay cheap to encode. */
const UNDEFINED: Tree = [TAG.undefined];

function tooBig(): never {
  throw new AiosError('EMSGSIZE', `value larger than ${MAX_WIRE} bytes cannot cross the syscall boundary`);
}

/** Encodes a host value for the sandbox. Throws AiosError EINVAL for values that cannot cross. */
export function encodeForSandbox(value: unknown, maxDepth = 64): Wire {
  const buffers: Uint8Array[] = [];
  let size = 0;
  const walk = (v: unknown, depth: number): Tree => {
    size += 16;
    if (size > MAX_WIRE) tooBig();
    switch (typeof v) {
      case 'string':
        size += v.length;
        if (size > MAX_WIRE) tooBig();
        return v;
      case 'number':
        return Number.isFinite(v) ? v : [TAG.number, String(v)];
      case 'boolean':
        return v;
      case 'undefined':
        return UNDEFINED;
      case 'object': {
        if (v === null) return null;
        if (depth >= maxDepth) throw new AiosError('EINVAL', `value nested deeper than ${maxDepth} levels (or cyclic)`);
        if (v instanceof Uint8Array) {
          size += v.byteLength;
          if (size > MAX_WIRE) tooBig();
          buffers.push(v);
          return [TAG.bytes, buffers.length - 1];
        }
        if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) throw new AiosError('EINVAL', 'binary data must be a Uint8Array');
        if (Array.isArray(v)) {
          const out: Tree[] = [TAG.array];
          for (let i = 0; i < v.length; i++) out.push(walk(v[i], depth + 1));
          return out;
        }
        const out: Tree[] = [TAG.object];
        for (const k of Object.keys(v)) {
          size += k.length;
          out.push(k, walk((v as Record<string, unknown>)[k], depth + 1));
        }
        return out;
      }
      case 'bigint':
        return [TAG.number, String(v)];
      default:
        throw new AiosError('EINVAL', `a ${typeof v} cannot cross the syscall boundary`);
    }
  };
  const tree = walk(value, 0);
  return { text: JSON.stringify(tree), buffers };
}

function bad(msg: string): never {
  throw new AiosError('EINVAL', `malformed value from the sandbox: ${msg}`);
}

/**
 * Decodes a wire value made in the sandbox. Byte buffers are copied (the caller may
 * hand views of wasm memory). Keys named __proto__ are dropped. Throws AiosError EINVAL/EMSGSIZE.
 */
export function decodeFromSandbox(text: string, buffers: readonly Uint8Array[]): unknown {
  if (text.length > MAX_WIRE) tooBig();
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch {
    bad('not JSON');
  }
  let size = text.length;
  for (const b of buffers) size += b.byteLength;
  if (size > MAX_WIRE) tooBig();
  const used = new Set<number>();
  const walk = (t: unknown, depth: number): unknown => {
    if (t === null || typeof t === 'string' || typeof t === 'boolean' || typeof t === 'number') return t;
    if (!Array.isArray(t)) bad('unexpected node');
    if (depth > MAX_DEPTH) throw new AiosError('EINVAL', `argument nested deeper than ${MAX_DEPTH} levels (or cyclic)`);
    switch (t[0]) {
      case TAG.array: {
        const out: unknown[] = [];
        for (let i = 1; i < t.length; i++) out.push(walk(t[i], depth + 1));
        return out;
      }
      case TAG.object: {
        const out: Record<string, unknown> = {};
        if ((t.length & 1) === 0) bad('odd object');
        for (let i = 1; i < t.length; i += 2) {
          const k: unknown = t[i];
          if (typeof k !== 'string') bad('object key');
          const val = walk(t[i + 1], depth + 1);
          if (k !== '__proto__') out[k] = val;
        }
        return out;
      }
      case TAG.bytes: {
        const idx: unknown = t[1];
        if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0 || idx >= buffers.length || used.has(idx)) bad('bytes index');
        used.add(idx);
        return new Uint8Array(buffers[idx]!);
      }
      case TAG.undefined:
        return undefined;
      case TAG.number: {
        const s: unknown = t[1];
        if (s === 'NaN') return NaN;
        if (s === 'Infinity') return Infinity;
        if (s === '-Infinity') return -Infinity;
        return bad('number');
      }
      default:
        return bad('tag');
    }
  };
  return walk(tree, 0);
}

/** What the sandbox receives for an error thrown by the gate (the prelude rebuilds an Error from it). */
export interface WireError {
  /** message */
  m: string;
  /** AiosError code, errno and detail (absent for other host errors, which carry the message only). */
  c?: string;
  x?: number;
  d?: unknown;
}

/** Turns a host error into what the sandbox may see: AiosError fields, or just the message. */
export function errorForSandbox(e: unknown): WireError {
  if (e instanceof AiosError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AiosError' && typeof (e as { code?: unknown }).code === 'string')) {
    const a = e as AiosError;
    const out: WireError = { m: String(a.message), c: String(a.code), x: typeof a.errno === 'number' ? a.errno : 0 };
    if (a.detail !== undefined) {
      try {
        const w = encodeForSandbox(a.detail, 16);
        if (w.buffers.length === 0) out.d = JSON.parse(w.text) as unknown;
      } catch {
        // detail that cannot cross is dropped; the code and message still do
      }
    }
    return out;
  }
  let m = 'kernel error';
  try {
    if (e instanceof Error) m = String(e.message);
    else if (typeof e === 'string') m = e;
  } catch {
    // keep the generic message
  }
  return { m };
}

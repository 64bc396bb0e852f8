// Host side of the value codec that crosses the wasm sandbox boundary. Trusts nothing it decodes:
// the wire is made by sandbox code. Wire = plain JSON text of the value (parsed by the engines' own C/C++
// JSON code on both sides, no per-node interpreted walk) + fixups for the nodes JSON cannot carry + byte buffers.
//   text:  JSON of the value with every special node written as null (undefined object members are omitted)
//   fix:   JSON of [[kind, ...path], ...] or absent; kind is one of FIX; path is the keys from the root
//          (empty: the root itself). Byte fixups take the buffers in order, each exactly once.

import { AiosError } from '@aios/abi';

/** Kinds of fixups (the prelude uses the same numbers). */
export const FIX = { bytes: 0, undefined: 1, nan: 2, infinity: 3, negInfinity: 4 } as const;

/** Deepest nesting a value may have when it crosses the boundary from the sandbox. */
export const MAX_DEPTH = 32;
/** Largest encoded size (string characters + bytes + 16 per node) that may cross the boundary. */
export const MAX_WIRE = 16 * 1024 * 1024;

/** A value ready to be sent into the sandbox. */
export interface Wire {
  text: string;
  /** JSON of the fixups; undefined when there is none (the common case). */
  fix: string | undefined;
  buffers: Uint8Array[];
}

type Key = string | number;

function tooBig(): never {
  throw new AiosError('EMSGSIZE', `value larger than ${MAX_WIRE} bytes cannot cross the syscall boundary`);
}

const noBytes = (_k: string, v: unknown): unknown => (v instanceof Uint8Array ? null : typeof v === 'bigint' ? Number(v) : v);

/** A JSON-safe copy of a value encodeForSandbox walked (own keys only, no toJSON; special nodes become null). */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Uint8Array) return null;
  if (Array.isArray(v)) return v.map(plain);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = plain((v as Record<string, unknown>)[k]);
  return out;
}

/** Encodes a host value for the sandbox. Throws AiosError EINVAL for values that cannot cross, EMSGSIZE past MAX_WIRE. */
export function encodeForSandbox(value: unknown, maxDepth = 64): Wire {
  const buffers: Uint8Array[] = [];
  const fix: Key[][] = [];
  const path: Key[] = [];
  let size = 0;
  let replace = false;
  let copy = false;
  const special = (kind: number): void => {
    fix.push([kind, ...path]);
  };
  const number = (v: number): void => {
    if (!Number.isFinite(v)) special(v !== v ? FIX.nan : v > 0 ? FIX.infinity : FIX.negInfinity);
  };
  // inArray: an undefined element needs a fixup (JSON writes null); an undefined member is simply omitted.
  const walk = (v: unknown, depth: number, inArray: boolean): void => {
    size += 16;
    if (size > MAX_WIRE) tooBig();
    switch (typeof v) {
      case 'string':
        size += v.length;
        if (size > MAX_WIRE) tooBig();
        return;
      case 'number':
        return number(v);
      case 'boolean':
        return;
      case 'undefined':
        if (inArray || path.length === 0) special(FIX.undefined);
        return;
      case 'bigint':
        replace = true;
        return number(Number(v));
      case 'object': {
        if (v === null) return;
        if (depth >= maxDepth) throw new AiosError('EINVAL', `value nested deeper than ${maxDepth} levels (or cyclic)`);
        if (v instanceof Uint8Array) {
          size += v.byteLength;
          if (size > MAX_WIRE) tooBig();
          buffers.push(v);
          replace = true;
          return special(FIX.bytes);
        }
        if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) throw new AiosError('EINVAL', 'binary data must be a Uint8Array');
        // JSON.stringify would call toJSON; the sandbox gets the object's own keys instead (plain copy below)
        if (typeof (v as { toJSON?: unknown }).toJSON === 'function') copy = true;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            path.push(i);
            walk(v[i], depth + 1, true);
            path.pop();
          }
          return;
        }
        for (const k of Object.keys(v)) {
          size += k.length;
          path.push(k);
          walk((v as Record<string, unknown>)[k], depth + 1, false);
          path.pop();
        }
        return;
      }
      default:
        throw new AiosError('EINVAL', `a ${typeof v} cannot cross the syscall boundary`);
    }
  };
  walk(value, 0, false);
  const text = value === undefined ? 'null' : copy ? JSON.stringify(plain(value)) : replace ? JSON.stringify(value, noBytes) : JSON.stringify(value);
  return { text, fix: fix.length === 0 ? undefined : JSON.stringify(fix), buffers };
}

function bad(msg: string): never {
  throw new AiosError('EINVAL', `malformed value from the sandbox: ${msg}`);
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Checks the nesting and drops own keys named __proto__ (JSON.parse makes them data properties). */
function clean(t: unknown, depth: number): void {
  if (typeof t !== 'object' || t === null) return;
  if (depth > MAX_DEPTH) throw new AiosError('EINVAL', `argument nested deeper than ${MAX_DEPTH} levels (or cyclic)`);
  if (Array.isArray(t)) {
    for (let i = 0; i < t.length; i++) clean(t[i], depth + 1);
    return;
  }
  if (hasOwn.call(t, '__proto__')) delete (t as Record<string, unknown>)['__proto__'];
  for (const k in t) clean((t as Record<string, unknown>)[k], depth + 1);
}

/**
 * Decodes a wire value made in the sandbox. `buffers` must be fresh copies the decoder may keep (the raw
 * boundary copies them out of the wasm heap). Keys named __proto__ are dropped. Throws AiosError EINVAL/EMSGSIZE.
 */
export function decodeFromSandbox(text: string, fixText: string | undefined, buffers: readonly Uint8Array[]): unknown {
  let size = text.length + (fixText?.length ?? 0);
  for (const b of buffers) size += b.byteLength;
  if (size > MAX_WIRE) tooBig();
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    bad('not JSON');
  }
  clean(root, 0);
  if (fixText === undefined) {
    if (buffers.length > 0) bad('bytes without a place');
    return root;
  }
  let fix: unknown;
  try {
    fix = JSON.parse(fixText);
  } catch {
    bad('fixups not JSON');
  }
  if (!Array.isArray(fix)) bad('fixups');
  let next = 0;
  for (const f of fix as unknown[]) {
    if (!Array.isArray(f) || f.length === 0) bad('fixup');
    const kind: unknown = f[0];
    let value: unknown;
    switch (kind) {
      case FIX.bytes:
        if (next >= buffers.length) bad('bytes index');
        value = buffers[next++];
        break;
      case FIX.undefined:
        value = undefined;
        break;
      case FIX.nan:
        value = NaN;
        break;
      case FIX.infinity:
        value = Infinity;
        break;
      case FIX.negInfinity:
        value = -Infinity;
        break;
      default:
        bad('fixup kind');
    }
    if (f.length === 1) {
      if (root !== null) bad('fixup of a non-null root');
      root = value;
      continue;
    }
    let box: unknown = root;
    for (let i = 1; i < f.length; i++) {
      const k: unknown = f[i];
      if ((typeof k !== 'string' && !(typeof k === 'number' && Number.isInteger(k) && k >= 0)) || k === '__proto__') bad('fixup path');
      if (typeof box !== 'object' || box === null || !hasOwn.call(box, k)) bad('fixup path');
      if (i === f.length - 1) {
        if ((box as Record<Key, unknown>)[k] !== null) bad('fixup of a non-null node');
        (box as Record<Key, unknown>)[k] = value;
      } else box = (box as Record<Key, unknown>)[k];
    }
  }
  if (next !== buffers.length) bad('bytes without a place');
  return root;
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
        // detail is plain JSON data (no bytes); what JSON cannot carry is written as null or omitted
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

// The vectored IPC calls' shapes at the sandbox boundary (IPCSendMany, IPCRecvMany): the list of Uint8Arrays the
// prelude packs into one ArrayBuffer, and which received messages the prelude's makers build whole. The packed list
// comes out of the sandbox: its layout is checked here, never trusted.

import type { Message } from '@aios/abi';

/** A message the prelude's makers build whole: tag 'data', no handles, no trace, an int32 sender (a Message has no other keys). */
export function plainMessage(v: unknown): v is Message {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Message;
  return m.tag === 'data' && m.handles.length === 0 && m.trace === undefined && m.data instanceof Uint8Array && (m.from | 0) === m.from;
}

/**
 * The list of Uint8Arrays the prelude packed (list(): int32 count, int32 length of each, then the bytes in order, then
 * maybe unused bytes), as views of `b`; null when the layout does not hold.
 */
export function unpackList(b: Uint8Array): Uint8Array[] | null {
  if (b.length < 4) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = dv.getInt32(0, true);
  if (n < 1 || 4 + 4 * n > b.length) return null;
  const out: Uint8Array[] = [];
  let o = 4 + 4 * n;
  for (let i = 0; i < n; i++) {
    const k = dv.getInt32(4 + 4 * i, true);
    if (k < 0 || o + k > b.length) return null;
    out.push(new Uint8Array(b.buffer, b.byteOffset + o, k));
    o += k;
  }
  return out;
}

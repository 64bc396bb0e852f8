// The plaintext inside one sealed link record: one or more frames back to back, each with a fixed binary header
// (big-endian), so a record carries a whole batch of small frames under one AEAD seal:
//   type u8 | flags u8 | stream u32 | nameLen u8 | metaLen u16 | bodyLen u32 | name | meta | body
// `stream` is the request id of REQ/REP/ERR (0 for POST); `name` the op of a REQ or the kind of a POST; `meta`
// a POST's JSON header (empty = {}); `body` raw bytes (flag BYTES) or JSON text. No base64 anywhere.
// Trusts nothing: a record that does not parse exactly is refused (EINVAL) as a whole.
import { AiosError } from '@aios/abi';

export const F_REQ = 1;
export const F_REP = 2;
export const F_ERR = 3;
export const F_POST = 4;
/** The body is raw bytes (requestBytes/handleBytes, a POST payload); without it a REQ/REP body is JSON text. */
export const FLAG_BYTES = 1;
export const FRAME_HEADER = 13;

export interface Frame {
  type: number;
  flags: number;
  stream: number;
  name: string;
  /** JSON text of a POST header, or '' when it has none. */
  meta: string;
  /** A view into the opened record (never reused, so it stays valid). */
  body: Buffer;
}

/** Accumulates frames into one growing plaintext buffer; `take()` hands it to the sealer and starts over. */
export class FrameBatch {
  private buf: Buffer;
  length = 0;
  count = 0;

  constructor(initial = 16_384) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Appends one frame. EMSGSIZE for a name over 255 bytes or a header over 65,535. */
  push(type: number, flags: number, stream: number, name: string, meta: string, body: string | Uint8Array): void {
    const nl = Buffer.byteLength(name);
    const ml = meta.length === 0 ? 0 : Buffer.byteLength(meta);
    const bl = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    if (nl > 255) throw new AiosError('EMSGSIZE', 'frame name longer than 255 bytes', { arg: 'name', bytes: nl });
    if (ml > 0xffff) throw new AiosError('EMSGSIZE', 'frame header longer than 65,535 bytes', { arg: 'header', bytes: ml });
    const need = this.length + FRAME_HEADER + nl + ml + bl;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    const b = this.buf;
    let o = this.length;
    b[o] = type;
    b[o + 1] = flags;
    b.writeUInt32BE(stream >>> 0, o + 2);
    b[o + 6] = nl;
    b.writeUInt16BE(ml, o + 7);
    b.writeUInt32BE(bl, o + 9);
    o += FRAME_HEADER;
    if (nl > 0) o += b.write(name, o, 'utf8');
    if (ml > 0) o += b.write(meta, o, 'utf8');
    if (typeof body === 'string') o += b.write(body, o, 'utf8');
    else {
      b.set(body, o);
      o += bl;
    }
    this.length = o;
    this.count++;
  }

  /** The batch so far (a view valid until the next push), and resets it. */
  take(): { bytes: Buffer; frames: number } {
    const out = { bytes: this.buf.subarray(0, this.length), frames: this.count };
    this.length = 0;
    this.count = 0;
    return out;
  }
}

/** Calls `fn` for each frame of an opened record, in order. EINVAL when the record is not exactly a list of frames. */
export function readFrames(pt: Buffer, fn: (f: Frame) => void): void {
  const frames: Frame[] = [];
  let o = 0;
  while (o < pt.length) {
    if (pt.length - o < FRAME_HEADER) throw new AiosError('EINVAL', 'truncated link frame header');
    const nl = pt[o + 6]!;
    const ml = pt.readUInt16BE(o + 7);
    const bl = pt.readUInt32BE(o + 9);
    const start = o + FRAME_HEADER;
    const end = start + nl + ml + bl;
    if (end > pt.length) throw new AiosError('EINVAL', 'link frame longer than its record');
    frames.push({
      type: pt[o]!, flags: pt[o + 1]!, stream: pt.readUInt32BE(o + 2),
      name: nl === 0 ? '' : pt.toString('utf8', start, start + nl),
      meta: ml === 0 ? '' : pt.toString('utf8', start + nl, start + nl + ml),
      body: pt.subarray(start + nl + ml, end),
    });
    o = end;
  }
  // Parsed whole before any is delivered: a malformed record delivers nothing.
  for (const f of frames) fn(f);
}

// Trace and span ids for the light span path. Trace ids: 16 random bytes from a pool refilled from the
// system CSPRNG (one fill per 256 roots). Span ids: a random 32-bit prefix per process and a 32-bit counter,
// unique within this process for 2^32 spans and across nodes by the prefix; made as hex only when read.
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(4096);
let at = POOL.length;

/** A new random trace id (32 lowercase hex, never all zeros). */
export function newTraceId(): string {
  if (at + 16 > POOL.length) {
    randomFillSync(POOL);
    at = 0;
  }
  const id = POOL.toString('hex', at, at + 16);
  at += 16;
  return id === '00000000000000000000000000000000' ? newTraceId() : id;
}

const PREFIX = (() => {
  const b = Buffer.alloc(4);
  do randomFillSync(b);
  while (b.readUInt32BE(0) === 0);
  return b.toString('hex');
})();
let counter = 0;

/** The next span number (hex it with spanIdHex when it is read). */
export function nextSpanNumber(): number {
  counter = (counter + 1) >>> 0;
  return counter;
}

/** The span id (16 hex) of a span number. */
export function spanIdHex(n: number): string {
  return PREFIX + n.toString(16).padStart(8, '0');
}

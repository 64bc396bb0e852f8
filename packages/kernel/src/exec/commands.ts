// Commands (kernel -> worker) in the wire's binary form, for the ones that travel in a ring reply instead of
// by postMessage (a handoff: the next activation's command goes back with the reply to the blocking syscall
// that ended the last one). Only the kernel writes them; the worker reads them. The payload of a run command
// must be what writeValue carries (bytes, numbers, strings, plain objects and arrays); the writer throws
// otherwise and the caller falls back to postMessage.

import { AiosError } from '@aios/abi';
import type { ActivationKind } from '../domain/types.ts';
import type { Command } from './protocol.ts';
import { Reader, Writer, writeValue } from './wire.ts';

const KIND = { run: 1, settle: 2, load: 3, free: 4, stats: 5 } as const;

export function writeCommand(w: Writer, c: Command): void {
  w.u8(KIND[c.t]);
  switch (c.t) {
    case 'run':
      w.u32(c.inst);
      w.u32(c.id);
      w.str(c.kind);
      writeValue(w, c.payload);
      return;
    case 'settle':
      w.u32(c.inst);
      w.u32(c.token);
      w.u32(c.wire.byteLength);
      w.raw(c.wire);
      return;
    case 'load':
      w.u32(c.inst);
      w.str(c.code);
      w.f64(c.limits.memoryBytes);
      w.f64(c.limits.stackBytes);
      w.f64(c.limits.sliceMs);
      return;
    case 'free':
      w.u32(c.inst);
      return;
    case 'stats':
      w.u8(c.reset ? 1 : 0);
      return;
  }
}

export function readCommand(r: Reader): Command {
  const kind = r.u8();
  switch (kind) {
    case KIND.run:
      return { t: 'run', inst: r.u32(), id: r.u32(), kind: r.str() as ActivationKind, payload: r.value() };
    case KIND.settle: {
      const inst = r.u32();
      const token = r.u32();
      return { t: 'settle', inst, token, wire: r.bytes(r.u32()) };
    }
    case KIND.load:
      return { t: 'load', inst: r.u32(), code: r.str(), limits: { memoryBytes: r.f64(), stackBytes: r.f64(), sliceMs: r.f64() } };
    case KIND.free:
      return { t: 'free', inst: r.u32() };
    case KIND.stats:
      return { t: 'stats', reset: r.u8() === 1 };
    default:
      throw new AiosError('EINVAL', `malformed executor command (kind ${kind})`);
  }
}

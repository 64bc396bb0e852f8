// Measurement registers, like TPM PCRs: each starts at 32 zero bytes and can only be extended,
// new = SHA-256(old || measurement). An event log records every extension so a verifier can replay it.
import { AiosError } from '@aios/abi';
import { sha256, sha256Concat } from '../crypto/hash.ts';
import { toHex, fromHex, utf8 } from '../crypto/encoding.ts';

export const REGISTER_COUNT = 16;

export interface MeasurementEvent {
  index: number;
  /** hex SHA-256 digest that was extended into the register. */
  measurement: string;
  /** What was measured ('kernel image', 'policy set v3', 'driver llm-offline@1.2'). */
  description: string;
}

/** SHA-256 of bytes or of a string's UTF-8: the usual measurement of an artifact. */
export function measure(data: Uint8Array | string): Uint8Array {
  return sha256(typeof data === 'string' ? utf8(data) : data);
}

export class MeasurementRegisters {
  private readonly regs: Uint8Array[];
  private readonly log: MeasurementEvent[] = [];

  constructor(readonly count: number = REGISTER_COUNT) {
    if (!Number.isInteger(count) || count < 1 || count > 64) throw new AiosError('EINVAL', 'register count must be 1..64');
    this.regs = Array.from({ length: count }, () => new Uint8Array(32));
  }

  /** Extends register index with a 32-byte measurement; returns the new value. EINVAL on a bad index or length. */
  extend(index: number, measurement: Uint8Array, description = ''): Uint8Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) throw new AiosError('EINVAL', 'no such register', { index });
    if (!(measurement instanceof Uint8Array) || measurement.length !== 32) throw new AiosError('EINVAL', 'a measurement is a 32-byte SHA-256 digest');
    const next = sha256Concat(this.regs[index]!, measurement);
    this.regs[index] = next;
    this.log.push({ index, measurement: toHex(measurement), description });
    return next.slice();
  }

  read(index: number): Uint8Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) throw new AiosError('EINVAL', 'no such register', { index });
    return this.regs[index]!.slice();
  }

  /** All register values as hex, by index. */
  values(): string[] {
    return this.regs.map(toHex);
  }

  eventLog(): readonly MeasurementEvent[] {
    return this.log.slice();
  }
}

/** Replays an event log from zeroed registers; returns the hex values it yields. EINVAL on a malformed event. */
export function replayEventLog(events: readonly MeasurementEvent[], count: number = REGISTER_COUNT): string[] {
  const r = new MeasurementRegisters(count);
  for (const e of events) r.extend(e.index, fromHex(e.measurement), e.description);
  return r.values();
}

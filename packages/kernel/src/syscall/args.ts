// Argument checks shared by the sys_* handlers. Each throws EINVAL naming the
// argument and the accepted range, so a bad call explains itself.

import { AiosError } from '@aios/abi';

export function argInt(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new AiosError('EINVAL', `${name} must be an integer`, { arg: name, value: typeof value === 'number' ? value : typeof value });
  }
  if (value < min || value > max) throw new AiosError('EINVAL', `${name} must be between ${min} and ${max}`, { arg: name, value, min, max });
  return value;
}

export function argOptInt(value: unknown, name: string, min: number, max: number, dflt: number): number {
  return value === undefined ? dflt : argInt(value, name, min, max);
}

export function argString(value: unknown, name: string, maxLen: number): string {
  if (typeof value !== 'string') throw new AiosError('EINVAL', `${name} must be a string`, { arg: name, type: typeof value });
  if (value.length > maxLen) throw new AiosError('EMSGSIZE', `${name} is longer than ${maxLen} characters`, { arg: name, length: value.length, max: maxLen });
  return value;
}

export function argBytes(value: unknown, name: string, maxLen: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new AiosError('EINVAL', `${name} must be a Uint8Array`, { arg: name, type: typeof value });
  if (value.length > maxLen) throw new AiosError('EMSGSIZE', `${name} is ${value.length} bytes; the limit is ${maxLen}`, { arg: name, length: value.length, max: maxLen });
  return value;
}

export function argObject(value: unknown, name: string, optional = true): Record<string, unknown> | undefined {
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw new AiosError('EINVAL', `${name} is required`, { arg: name });
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw new AiosError('EINVAL', `${name} must be an object`, { arg: name });
  return value as Record<string, unknown>;
}

/** JSON-encodes a value that must be plain data; EINVAL when it is not, EMSGSIZE past maxBytes. */
export function argJson(value: unknown, name: string, maxBytes: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    throw new AiosError('EINVAL', `${name} must be JSON-serialisable`, { arg: name });
  }
  if (text === undefined) text = 'null';
  if (text.length > maxBytes) throw new AiosError('EMSGSIZE', `${name} is larger than ${maxBytes} bytes as JSON`, { arg: name, length: text.length, max: maxBytes });
  return text;
}

// @aios/runtime/ipc: friendly helpers over IPCSend/IPCRecv/IPCWait.
import type { Handle, SendOptions } from '@aios/abi';
import { ipcSend, ipcWait } from '../kernel/stubs.gen.ts';
import { wrapMessage } from '../agent/entry.ts';
import type { ReceivedMessage } from '../agent/define.ts';

const encoder = new TextEncoder();

/** Encodes a string as UTF-8, passes bytes through, and JSON-encodes anything else. */
export function encode(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return encoder.encode(data);
  return encoder.encode(JSON.stringify(data));
}

/** Sends text, bytes or JSON. Throws EAGAIN when the receiver's mailbox is full. */
export function send(to: Handle, data: unknown, opts?: SendOptions): void {
  ipcSend(to, encode(data), opts);
}

/** Waits for the next message (ETIMEDOUT after timeoutMs). */
export async function receive(timeoutMs?: number): Promise<ReceivedMessage> {
  return wrapMessage(await ipcWait(timeoutMs));
}

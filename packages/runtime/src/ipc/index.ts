// @aios/runtime/ipc: friendly helpers over IPCSend/IPCRecv/IPCWait, and semantic IPC (ask, multicast, negotiate).
import type { Handle, SendOptions } from '@aios/abi';
import { ipcSend } from '../kernel/stubs.gen.ts';
import { wrapMessage } from '../agent/entry.ts';
import type { ReceivedMessage } from '../agent/define.ts';
import { next } from './inbox.ts';
import { utf8Encode } from '../text.ts';

export { ask, multicast, negotiate, award, intents, SEMANTIC_IPCD } from './ask.ts';
export type { AskOptions, MulticastResult, BidOffer, IntentRow } from './ask.ts';
export { call, callMessage, startCall } from './call.ts';
export { client } from './client.ts';
export type { ProtocolClient } from './client.ts';
export type { CallOptions, Request, PendingCall } from './call.ts';
export { waitFor } from './inbox.ts';
export { REPLY_TAG, errorToWire, errorFromWire } from './wire.ts';
export type { WireError, Reply } from './wire.ts';


/** Encodes a string as UTF-8, passes bytes through, and JSON-encodes anything else. */
export function encode(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return utf8Encode(data);
  return utf8Encode(JSON.stringify(data));
}

/** Sends text, bytes or JSON. Throws EAGAIN when the receiver's mailbox is full. */
export function send(to: Handle, data: unknown, opts?: SendOptions): void {
  ipcSend(to, encode(data), opts);
}

/** Waits for the next message (ETIMEDOUT after timeoutMs); messages a call() set aside come first (ipc/inbox.ts). */
export async function receive(timeoutMs?: number): Promise<ReceivedMessage> {
  return wrapMessage(await next(timeoutMs));
}

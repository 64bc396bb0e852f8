// Sending one reply of the envelope (abi/src/protocols): the one writer for serve() and the agents' intents.
// A result too large for one message is answered EMSGSIZE instead; an undeliverable reply (the asker is gone or
// its mailbox is full) is dropped: there is nobody left to tell.

import { limits, type Handle, type ReplyEnvelope } from '@aios/abi';
import { ipcSend } from '../kernel/stubs.gen.ts';
import { utf8Encode } from '../text.ts';
import { REPLY_TAG } from './wire.ts';

/** Sends `body` tagged REPLY_TAG to `to` (with `handles`); false when it could not be delivered. */
export function sendReply(to: Handle, body: ReplyEnvelope, handles: Handle[] = []): boolean {
  let bytes = utf8Encode(JSON.stringify(body));
  if (bytes.length > limits.IPC_MAX_MESSAGE_BYTES) {
    bytes = utf8Encode(JSON.stringify({ id: body.id, ok: false, error: { code: 'EMSGSIZE', message: 'the reply does not fit in one message', detail: { max: limits.IPC_MAX_MESSAGE_BYTES } } }));
    handles = [];
  }
  try {
    ipcSend(to, bytes, { tag: REPLY_TAG, ...(handles.length > 0 ? { handles } : {}) });
    return true;
  } catch {
    return false;
  }
}

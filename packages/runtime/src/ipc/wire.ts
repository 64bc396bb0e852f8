// The request/reply envelope shared by call() (ipc/call.ts) and serve() (orchestration/serve.ts): its codec lives
// in the abi (abi/src/protocols/wire.ts), written once for every hop; re-exported here for runtime users.
export { REPLY_TAG, errorToWire, errorFromWire } from '@aios/abi';
export type { WireError, ReplyEnvelope as Reply } from '@aios/abi';

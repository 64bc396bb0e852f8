// The ABI suite's agent image (xv6 usertests in spirit): calls every syscall
// through the real stubs with good and bad arguments and logs one line per case,
// `CASE {"name","syscall","expect","got"}`. Spawned by abi.test.ts in each domain.
// config.mode 'privileged' runs the main table; 'restricted' checks what an agent
// without privileges is refused.

import { defineAgent, spawn } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';

type Case = [name: string, syscall: string, expect: string, run: () => unknown];

const enc = new TextEncoder();
const FORGED = 987_654;

async function outcome(run: () => unknown): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (e) {
    const code = (e as { code?: string }).code;
    return typeof code === 'string' ? code : `throw:${(e as Error).message}`;
  }
}

const ECHO = `
import { defineAgent } from '@aios/runtime';
import { ipcSend } from '@aios/runtime/kernel';
export default defineAgent({ name: 'echo', onMessage(m) { if (m.handles[0] !== undefined) ipcSend(m.handles[0], m.data); } });
`;
const SLEEPER = `
import { defineAgent } from '@aios/runtime';
import { sleep } from '@aios/runtime/kernel';
export default defineAgent({ name: 'sleeper', async main() { await sleep(60_000); } });
`;
const QUICK = `
import { defineAgent } from '@aios/runtime';
export default defineAgent({ name: 'quick', main() {} });
`;

async function privileged(): Promise<Case[]> {
  const self = k.selfHandle();
  const echo = await spawn({ source: ECHO }, { name: 'echo' });
  const full = await spawn({ source: SLEEPER }, { name: 'full', quotas: { mailboxDepth: 1 } });
  const two = await spawn({ source: SLEEPER }, { name: 'two', quotas: { mailboxDepth: 2 } });
  const selfId = k.selfInfo().id;
  const victim = await spawn({ source: SLEEPER }, { name: 'victim' });
  const noTransfer = await spawn({ source: SLEEPER }, { name: 'no-transfer' });
  const quick = await spawn({ source: QUICK }, { name: 'quick' });
  await k.sleep(30);
  const sendOnly = k.capDerive(echo, k.Rights.SEND | k.Rights.DERIVE);
  const transferable = k.capDerive(echo, k.Rights.SEND | k.Rights.TRANSFER);
  const drain = () => { for (;;) { try { k.ipcRecv(); } catch { return; } } };
  const nothing = k.capDerive(echo, 0);
  const region = k.agentMemAlloc(8192);
  const readOnly = k.agentMemAlloc(4096, 'r');
  const frame = k.frameAlloc(1);
  const pool = k.agentPoolAlloc(24);
  const pqcTicket = k.pqcOperation('mldsa65.keygen');
  const keys = (await k.asyncWait(pqcTicket)) as { publicKey: Uint8Array; secretKey: Uint8Array };
  k.ipcSend(full, enc.encode('fills the mailbox'));
  const toRevoke = k.capDerive(echo, k.Rights.SEND | k.Rights.DERIVE);
  const dir = k.nsLookup('fs:abi');
  const dirRo = k.capDerive(dir, k.Rights.READ);
  const net = k.nsLookup('net');
  let exchange = 0;
  const derivedFromRevoked = k.capDerive(toRevoke, k.Rights.SEND);
  const busyRegion = k.agentMemAlloc(4096);
  k.pageMap(k.frameAlloc(1), 0x6000_0000);
  const model = k.nsLookup('model');
  const modelNoUse = k.capDerive(model, k.Rights.INSPECT);
  const echo2 = await spawn({ source: ECHO }, { name: 'echo2' });
  const pausable = await spawn({ source: SLEEPER }, { name: 'pausable' });
  const ckpt = (await k.asyncWait(k.agentCheckpoint(echo))) as { id: string };
  const storage = k.nsLookup('storage');
  const storageNoUse = k.capDerive(storage, k.Rights.INSPECT);
  const token = k.objCreate('namespace:abi');
  const echoId = k.agentInfo(echo).id;
  const exported = (await k.asyncWait(k.capExport(transferable, { rights: k.Rights.SEND, maxUses: 3 }))) as string;
  const openStream = k.llmStreamOpen(model, { messages: [{ role: 'user', content: 'echo: a b c' }] });
  k.memMap(k.memShare(busyRegion));

  return [
    ['spawn from source', 'AgentSpawn', 'ok', async () => k.asyncWait(k.agentSpawn({ source: QUICK }, { name: 'q2' }))],
    ['spawn with a bad image', 'AgentSpawn', 'EINVAL', () => k.agentSpawn({} as never)],
    ['spawn with an oversized image', 'AgentSpawn', 'EMSGSIZE', () => k.agentSpawn({ source: 'x'.repeat(8 * 2 ** 20 + 1) })],
    ['spawn granting a privilege the caller lacks', 'AgentSpawn', 'EPERM', () => k.agentSpawn({ source: QUICK }, { capabilities: ['supervise'] })],
    ['spawn with a quota above the caller', 'AgentSpawn', 'EQUOTA', () => k.agentSpawn({ source: QUICK }, { quotas: { memBytes: 2 ** 40 } })],
    ['spawn with a bad nice', 'AgentSpawn', 'EINVAL', () => k.agentSpawn({ source: QUICK }, { nice: 42 })],
    ['spawn of a missing file', 'AgentSpawn', 'ENOENT', async () => k.asyncWait(k.agentSpawn({ path: '/nonexistent/agent.ts' }))],
    ['spawn of an image that does not build', 'AgentSpawn', 'EINVAL', async () => k.asyncWait(k.agentSpawn({ source: 'export default {{{' }))],
    ['spawn denied by policy', 'AgentSpawn', 'EACCES', () => k.agentSpawn({ source: QUICK }, { name: 'forbidden' })],
    ['supervise a child', 'AgentSupervisorRegister', 'ok', () => k.agentSupervisorRegister([echo])],
    ['supervise nothing', 'AgentSupervisorRegister', 'EINVAL', () => k.agentSupervisorRegister([])],
    ['supervise a forged handle', 'AgentSupervisorRegister', 'EBADF', () => k.agentSupervisorRegister([FORGED])],
    ['supervise without SUPERVISE', 'AgentSupervisorRegister', 'EPERM', () => k.agentSupervisorRegister([sendOnly])],
    ['supervise an exited agent', 'AgentSupervisorRegister', 'ESRCH', () => k.agentSupervisorRegister([quick])],
    ['register a manifest', 'AgentRegister', 'ok', () => k.agentRegister({ name: 'abi-suite', version: '1.0.0', intents: [{ name: 'test', examples: ['run the tests'] }] })],
    ['register a manifest without a name', 'AgentRegister', 'EINVAL', () => k.agentRegister({} as never)],
    ['register a huge manifest', 'AgentRegister', 'EMSGSIZE', () => k.agentRegister({ name: 'x', description: 'x'.repeat(300_000) })],
    ['send 65,536 bytes', 'IPCSend', 'ok', () => k.ipcSend(echo, new Uint8Array(65_536))],
    ['send 65,537 bytes', 'IPCSend', 'EMSGSIZE', () => k.ipcSend(echo, new Uint8Array(65_537))],
    ['send to a forged handle', 'IPCSend', 'EBADF', () => k.ipcSend(FORGED, new Uint8Array(1))],
    ['send without SEND', 'IPCSend', 'EPERM', () => k.ipcSend(nothing, new Uint8Array(1))],
    ['send a string instead of bytes', 'IPCSend', 'EINVAL', () => k.ipcSend(echo, 'text' as never)],
    ['send to a full mailbox', 'IPCSend', 'EAGAIN', () => k.ipcSend(full, new Uint8Array(1))],
    ['send to an exited agent', 'IPCSend', 'ESRCH', () => k.ipcSend(quick, new Uint8Array(1))],
    ['send a handle where policy forbids', 'IPCSend', 'EACCES', () => k.ipcSend(noTransfer, new Uint8Array(1), { handles: [transferable] })],
    ['send with a reserved tag', 'IPCSend', 'EINVAL', () => k.ipcSend(echo, new Uint8Array(1), { tag: 'exit' })],
    ['receive from an empty mailbox', 'IPCRecv', 'EAGAIN', () => { drain(); return k.ipcRecv(); }],
    ['receive a message sent to self', 'IPCRecv', 'ok', () => { k.ipcSend(self, enc.encode('me')); return k.ipcRecv(); }],
    ['wait with a timeout', 'IPCWait', 'ETIMEDOUT', () => { drain(); return k.ipcWait(5); }],
    ['wait for a message sent to self', 'IPCWait', 'ok', () => { k.ipcSend(self, enc.encode('me')); return k.ipcWait(1000); }],
    ['wait with a negative timeout', 'IPCWait', 'EINVAL', () => k.ipcWait(-1)],
    ['send a batch to self and take it in order', 'IPCSendMany', 'ok', () => {
      drain();
      const n = k.ipcSendMany(self, [enc.encode('a'), enc.encode('bc'), new Uint8Array(0)]);
      const l = k.ipcRecvMany();
      const texts = l.map((m) => new TextDecoder().decode(m.data)).join(',');
      if (n !== 3 || l.length !== 3 || texts !== 'a,bc,' || l.some((m) => m.tag !== 'data' || m.handles.length !== 0 || m.from !== selfId)) throw new Error(`got ${n} ${texts}`);
    }],
    ['send a batch to a mailbox with room for two', 'IPCSendMany', 'ok', () => { const n = k.ipcSendMany(two, [enc.encode('1'), enc.encode('2'), enc.encode('3')]); if (n !== 2) throw new Error(`queued ${n}`); }],
    ['send an empty batch', 'IPCSendMany', 'ok', () => { if (k.ipcSendMany(echo, []) !== 0) throw new Error('queued some'); }],
    ['send a batch with a 65,537-byte message', 'IPCSendMany', 'EMSGSIZE', () => k.ipcSendMany(self, [new Uint8Array(1), new Uint8Array(65_537)])],
    ['send a batch of 1,025 messages', 'IPCSendMany', 'EMSGSIZE', () => k.ipcSendMany(self, Array.from({ length: 1025 }, () => new Uint8Array(1)))],
    ['send a batch of more than 1 MiB', 'IPCSendMany', 'EMSGSIZE', () => k.ipcSendMany(self, Array.from({ length: 17 }, () => new Uint8Array(65_536)))],
    ['send a batch holding a string', 'IPCSendMany', 'EINVAL', () => k.ipcSendMany(echo, [new Uint8Array(1), 'text' as never])],
    ['send a batch that is not a list', 'IPCSendMany', 'EINVAL', () => k.ipcSendMany(echo, new Uint8Array(4) as never)],
    ['send a batch to a forged handle', 'IPCSendMany', 'EBADF', () => k.ipcSendMany(FORGED, [new Uint8Array(1)])],
    ['send a batch without SEND', 'IPCSendMany', 'EPERM', () => k.ipcSendMany(nothing, [new Uint8Array(1)])],
    ['send a batch to a full mailbox', 'IPCSendMany', 'EAGAIN', () => k.ipcSendMany(full, [new Uint8Array(1)])],
    ['send a batch to an exited agent', 'IPCSendMany', 'ESRCH', () => k.ipcSendMany(quick, [new Uint8Array(1)])],
    ['receive many from an empty mailbox', 'IPCRecvMany', 'EAGAIN', () => { drain(); return k.ipcRecvMany(); }],
    ['receive at most max', 'IPCRecvMany', 'ok', () => {
      drain();
      k.ipcSendMany(self, [enc.encode('1'), enc.encode('2'), enc.encode('3')]);
      const a = k.ipcRecvMany(2), b = k.ipcRecvMany(5);
      if (a.length !== 2 || b.length !== 1 || new TextDecoder().decode(b[0]!.data) !== '3') throw new Error(`took ${a.length} then ${b.length}`);
    }],
    ['receive many with handles and tags among plain messages', 'IPCRecvMany', 'ok', () => {
      drain();
      k.ipcSend(self, enc.encode('x'));
      k.ipcSend(self, enc.encode('h'), { handles: [transferable], tag: 'with-handle' });
      k.ipcSend(self, enc.encode('y'));
      const l = k.ipcRecvMany();
      const ok = l.length === 3 && l[1]!.tag === 'with-handle' && l[1]!.handles.length === 1 && l[0]!.handles.length === 0
        && l.map((m) => new TextDecoder().decode(m.data)).join('') === 'xhy' && l.every((m) => m.data instanceof Uint8Array);
      for (const m of l) for (const h of m.handles) k.handleClose(h);
      if (!ok) throw new Error('wrong batch');
    }],
    ['receive many with max 0', 'IPCRecvMany', 'EINVAL', () => k.ipcRecvMany(0)],
    ['receive many with max 1,025', 'IPCRecvMany', 'EINVAL', () => k.ipcRecvMany(1025)],
    ['allocate a page', 'AgentMemAlloc', 'ok', () => k.agentMemAlloc(4096)],
    ['allocate 2^30 + 1 bytes', 'AgentMemAlloc', 'EINVAL', () => k.agentMemAlloc(2 ** 30 + 1)],
    ['allocate 0 bytes', 'AgentMemAlloc', 'EINVAL', () => k.agentMemAlloc(0)],
    ['allocate past the memory quota', 'AgentMemAlloc', 'EQUOTA', () => k.agentMemAlloc(2 ** 30)],
    ['allocate with bad perms', 'AgentMemAlloc', 'EINVAL', () => k.agentMemAlloc(4096, 'rwz')],
    ['free a region', 'AgentMemFree', 'ok', () => k.agentMemFree(k.agentMemAlloc(4096))],
    ['free an unknown address', 'AgentMemFree', 'EFAULT', () => k.agentMemFree(0x7777_0000)],
    ['free twice', 'AgentMemFree', 'EFAULT', () => { const v = k.agentMemAlloc(4096); k.agentMemFree(v); k.agentMemFree(v); }],
    ['free a region that is still mapped elsewhere', 'AgentMemFree', 'EBUSY', () => k.agentMemFree(busyRegion)],
    ['allocate a frame', 'FrameAlloc', 'ok', () => k.frameAlloc()],
    ['allocate 0 frames', 'FrameAlloc', 'EINVAL', () => k.frameAlloc(0)],
    ['allocate more frames than the arena has', 'FrameAlloc', 'ENOMEM', () => k.frameAlloc(4096)],
    ['allocate frames where policy forbids', 'FrameAlloc', 'EACCES', () => k.frameAlloc(3)],
    ['map a frame', 'PageMap', 'ok', () => k.pageMap(frame, 0x4000_0000)],
    ['map the same page again', 'PageMap', 'EEXIST', () => k.pageMap(frame, 0x4000_0000)],
    ['map at a misaligned address', 'PageMap', 'EINVAL', () => k.pageMap(frame, 0x4000_0001 + 4096 * 8)],
    ['map a forged frame handle', 'PageMap', 'EBADF', () => k.pageMap(FORGED, 0x5000_0000)],
    ['unmap a mapped page', 'PageUnmap', 'ok', () => k.pageUnmap(0x4000_0000)],
    ['unmap an unmapped page', 'PageUnmap', 'EFAULT', () => k.pageUnmap(0x4000_0000)],
    ['pool object of 24 bytes', 'AgentPoolAlloc', 'ok', () => k.agentPoolAlloc(24)],
    ['pool object of 0 bytes', 'AgentPoolAlloc', 'EINVAL', () => k.agentPoolAlloc(0)],
    ['pool object of 4096 bytes', 'AgentPoolAlloc', 'EINVAL', () => k.agentPoolAlloc(4096)],
    ['free a pool object', 'AgentPoolFree', 'ok', () => k.agentPoolFree(pool)],
    ['free a pool object twice', 'AgentPoolFree', 'EFAULT', () => k.agentPoolFree(pool)],
    ['ML-DSA-65 sign', 'PQCOperation', 'ok', async () => k.asyncWait(k.pqcOperation('mldsa65.sign', { secretKey: keys.secretKey, message: enc.encode('m') }))],
    ['ML-KEM-768 keygen', 'PQCOperation', 'ok', async () => k.asyncWait(k.pqcOperation('mlkem768.keygen'))],
    ['unknown PQC operation', 'PQCOperation', 'ENOSYS', () => k.pqcOperation('rsa.sign' as never)],
    ['ML-DSA-65 sign with short argument names', 'PQCOperation', 'ok', async () => k.asyncWait(k.pqcOperation('mldsa65.sign', { sk: keys.secretKey, msg: enc.encode('m') }))],
    ['PQC with a short key', 'PQCOperation', 'EINVAL', () => k.pqcOperation('mldsa65.sign', { secretKey: new Uint8Array(3), message: enc.encode('m') })],
    ['result of a pending ticket', 'GetAsyncResult', 'EAGAIN', () => k.getAsyncResult(k.agentSpawn({ source: QUICK }))],
    ['result of an unknown ticket', 'GetAsyncResult', 'EINVAL', () => k.getAsyncResult(FORGED)],
    ['result of a finished ticket', 'GetAsyncResult', 'ok', async () => { const t = k.pqcOperation('mlkem768.keygen'); await k.sleep(50); return k.getAsyncResult(t); }],
    ['result of a canceled ticket', 'GetAsyncResult', 'ECANCELED', () => { const t = k.agentSpawn({ source: QUICK }); k.asyncCancel(t); return k.getAsyncResult(t); }],
    ['cancel an unknown ticket', 'AsyncCancel', 'EINVAL', () => k.asyncCancel(FORGED)],
    ['cancel a pending ticket', 'AsyncCancel', 'ok', () => k.asyncCancel(k.agentSpawn({ source: QUICK }))],
    ['wait for a ticket with timeout 0', 'AsyncWait', 'ETIMEDOUT', () => k.asyncWait(k.agentSpawn({ source: QUICK + '\n// unique ' + k.clockNow() }), 0)],
    ['wait for an unknown ticket', 'AsyncWait', 'EINVAL', () => k.asyncWait(FORGED)],
    ['wait for a canceled ticket', 'AsyncWait', 'ECANCELED', () => { const t = k.agentSpawn({ source: QUICK }); k.asyncCancel(t); return k.asyncWait(t); }],
    ['read a region', 'MemRead', 'ok', () => k.memRead(region, 100)],
    ['read an unmapped address', 'MemRead', 'EFAULT', () => k.memRead(0x7777_0000, 1)],
    ['read past the end of a mapping', 'MemRead', 'EFAULT', () => k.memRead(0x6000_0000 + 4000, 500)],
    ['read a negative length', 'MemRead', 'EINVAL', () => k.memRead(region, -1)],
    ['read more than the I/O limit', 'MemRead', 'EMSGSIZE', () => k.memRead(region, 16 * 2 ** 20 + 1)],
    ['write a region', 'MemWrite', 'ok', () => k.memWrite(region, enc.encode('hello'))],
    ['write a read-only region', 'MemWrite', 'EFAULT', () => k.memWrite(readOnly, enc.encode('x'))],
    ['write address 0', 'MemWrite', 'EFAULT', () => k.memWrite(0, enc.encode('x'))],
    ['write a non-byte value', 'MemWrite', 'EINVAL', () => k.memWrite(region, [1, 2] as never)],
    ['self handle', 'SelfHandle', 'ok', () => k.selfHandle()],
    ['exit with code 256', 'Exit', 'EINVAL', () => k.exit(256)],
    ['log a line', 'Log', 'ok', () => k.log('abi suite', { n: 1 })],
    ['clock', 'ClockNow', 'ok', () => { if (typeof k.clockNow() !== 'number') throw new Error('clock is not a number'); }],
    ['derive a narrower handle', 'CapDerive', 'ok', () => k.capDerive(echo, k.Rights.SEND)],
    ['derive a handle with a quota of 2 uses, then use it 3 times', 'CapDerive', 'EQUOTA', () => { const q = k.capDerive(echo, k.Rights.INSPECT, { quota: { uses: 2 } }); k.agentInfo(q); k.agentInfo(q); return k.agentInfo(q); }],
    ['derive wider rights', 'CapDerive', 'EPERM', () => k.capDerive(sendOnly, k.Rights.SEND | k.Rights.KILL)],
    ['derive from a forged handle', 'CapDerive', 'EBADF', () => k.capDerive(FORGED, 0)],
    ['derive with non-numeric rights', 'CapDerive', 'EINVAL', () => k.capDerive(echo, 'all' as never)],
    ['derive where policy forbids', 'CapDerive', 'EACCES', () => k.capDerive(echo, k.Rights.SUSPEND)],
    ['revoke a subtree', 'CapRevoke', 'ok', () => { if (k.capRevoke(toRevoke) !== 2) throw new Error('expected 2 revoked'); }],
    ['use a revoked handle', 'IPCSend', 'EPERM', () => k.ipcSend(derivedFromRevoked, new Uint8Array(1))],
    ['revoke a forged handle', 'CapRevoke', 'EBADF', () => k.capRevoke(FORGED)],
    ['list capabilities', 'CapList', 'ok', () => { if (!k.capList().some((c) => c.handle === echo)) throw new Error('missing'); }],
    ['close a handle', 'HandleClose', 'ok', () => k.handleClose(k.capDerive(echo, 0))],
    ['close a forged handle', 'HandleClose', 'EBADF', () => k.handleClose(FORGED)],
    ['close the self handle', 'HandleClose', 'EINVAL', () => k.handleClose(self)],
    ['share a region', 'MemShare', 'ok', () => k.memShare(region, k.Rights.READ | k.Rights.MAP)],
    ['share an unknown address', 'MemShare', 'EFAULT', () => k.memShare(0x7777_0000)],
    ['share read-only memory writable', 'MemShare', 'EPERM', () => k.memShare(readOnly, k.Rights.WRITE)],
    ['map a shared region', 'MemMap', 'ok', () => { const v = k.memMap(k.memShare(region, k.Rights.READ | k.Rights.MAP)); k.pageUnmap(v); }],
    ['map a forged handle', 'MemMap', 'EBADF', () => k.memMap(FORGED)],
    ['map a handle without MAP', 'MemMap', 'EPERM', () => k.memMap(k.memShare(region, k.Rights.READ))],
    ['yield', 'SchedYield', 'ok', () => k.schedYield()],
    ['sleep 1 ms', 'Sleep', 'ok', () => k.sleep(1)],
    ['sleep a negative time', 'Sleep', 'EINVAL', () => k.sleep(-5)],
    ['subscribe to exits', 'EventSubscribe', 'ok', () => k.eventSubscribe('agent.*.exit')],
    ['subscribe with a bad pattern', 'EventSubscribe', 'EINVAL', () => k.eventSubscribe('a..b')],
    ['subscribe where policy forbids', 'EventSubscribe', 'EACCES', () => k.eventSubscribe('secret.>')],
    ['publish an event', 'EventPublish', 'ok', () => k.eventPublish('progress', { done: 1 })],
    ['publish to a wildcard topic', 'EventPublish', 'EINVAL', () => k.eventPublish('a.*')],
    ['inspect a child', 'AgentInfo', 'ok', () => k.agentInfo(echo)],
    ['inspect without INSPECT', 'AgentInfo', 'EPERM', () => k.agentInfo(sendOnly)],
    ['inspect a forged handle', 'AgentInfo', 'EBADF', () => k.agentInfo(FORGED)],
    ['list agents (admin)', 'AgentList', 'ok', () => k.agentList()],
    ['list manifests (admin)', 'ManifestList', 'ok', () => k.manifestList()],
    ['look up a missing name', 'NsLookup', 'ENOENT', () => k.nsLookup('nope')],
    ['look up a non-string name', 'NsLookup', 'EINVAL', () => k.nsLookup(5 as never)],
    ['list the namespace', 'NsList', 'ok', () => { if (!k.nsList().includes('model')) throw new Error('model missing'); }],
    ['self info', 'SelfInfo', 'ok', () => { if (k.selfInfo().name !== 'abi-suite') throw new Error('wrong name'); }],
    ['raise own nice', 'SchedSet', 'ok', () => k.schedSet({ nice: 1, hints: ['io-bound'] })],
    ['unknown hint', 'SchedSet', 'EINVAL', () => k.schedSet({ hints: ['turbo' as never] })],
    ['complete with the model', 'LlmComplete', 'ok', () => k.llmComplete(model, { messages: [{ role: 'user', content: 'What is 2 + 2?' }] })],
    ['complete with the model of the namespace', 'LlmComplete', 'ok', () => k.llmComplete({ messages: [{ role: 'user', content: 'What is 1 + 1?' }] })],
    ['complete with a forged device', 'LlmComplete', 'EBADF', () => k.llmComplete(FORGED, { messages: [] })],
    ['complete without USE', 'LlmComplete', 'EPERM', () => k.llmComplete(modelNoUse, { messages: [{ role: 'user', content: 'x' }] })],
    ['complete with a malformed request', 'LlmComplete', 'EINVAL', () => k.llmComplete(model, { messages: 'nope' } as never)],
    ['open a stream', 'LlmStreamOpen', 'ok', () => k.handleClose(k.llmStreamOpen(model, { messages: [{ role: 'user', content: 'hi' }] }))],
    ['open a stream on a forged device', 'LlmStreamOpen', 'EBADF', () => k.llmStreamOpen(FORGED, { messages: [] })],
    ['read a stream', 'LlmStreamNext', 'ok', () => k.llmStreamNext(openStream)],
    ['read a forged stream', 'LlmStreamNext', 'EBADF', () => k.llmStreamNext(FORGED)],
    ['model usage', 'LlmUsage', 'ok', () => k.llmUsage(model)],
    ['model usage without USE', 'LlmUsage', 'EPERM', () => k.llmUsage(modelNoUse)],
    ['suspend a child', 'AgentSuspend', 'ok', () => k.agentSuspend(pausable)],
    ['suspend itself (the self handle has no SUSPEND)', 'AgentSuspend', 'EPERM', () => k.agentSuspend(self)],
    ['suspend without SUSPEND', 'AgentSuspend', 'EPERM', () => k.agentSuspend(sendOnly)],
    ['resume a suspended child', 'AgentResume', 'ok', () => k.agentResume(pausable)],
    ['resume a running child', 'AgentResume', 'EINVAL', () => k.agentResume(pausable)],
    ['checkpoint a child', 'AgentCheckpoint', 'ok', () => k.asyncWait(k.agentCheckpoint(echo))],
    ['checkpoint a forged handle', 'AgentCheckpoint', 'EBADF', () => k.agentCheckpoint(FORGED)],
    ['restore a checkpoint', 'AgentRestore', 'ok', () => k.asyncWait(k.agentRestore(ckpt.id))],
    ['restore an unknown checkpoint', 'AgentRestore', 'ENOENT', () => k.asyncWait(k.agentRestore('ckpt-none'))],
    ['clone a child', 'AgentClone', 'ok', () => k.asyncWait(k.agentClone(echo))],
    ['clone a forged handle', 'AgentClone', 'EBADF', () => k.agentClone(FORGED)],
    ['merge an agent with itself', 'AgentMerge', 'EINVAL', () => k.agentMerge(echo, echo)],
    ['merge agents without hooks', 'AgentMerge', 'ENOSYS', () => k.agentMerge(echo, echo2)],
    ['split an agent without hooks', 'AgentSplit', 'ENOSYS', () => k.agentSplit(echo)],
    ['split a forged handle', 'AgentSplit', 'EBADF', () => k.agentSplit(FORGED)],
    ['upgrade an agent without serialize', 'AgentUpgrade', 'ENOSYS', () => k.agentUpgrade(echo, { source: ECHO })],
    ['upgrade a forged handle', 'AgentUpgrade', 'EBADF', () => k.agentUpgrade(FORGED, { source: ECHO })],
    ['specialize a template', 'AgentSpecialize', 'ok', () => k.asyncWait(k.agentSpecialize(echo, { config: { role: 'x' } }))],
    ['specialize with wider capabilities', 'AgentSpecialize', 'EPERM', () => k.agentSpecialize(echo, { capabilities: ['spawn'] })],
    ['call a storage device', 'DeviceCall', 'ok', () => k.deviceCall(storage, 'put', ['abi/key', enc.encode('v')])],
    ['describe a device (every device answers describe)', 'DeviceCall', 'ok', () => k.deviceCall(storage, 'describe', [])],
    ['call a method the device does not expose', 'DeviceCall', 'EINVAL', () => k.deviceCall(storage, 'close', [])],
    ['call a forged device', 'DeviceCall', 'EBADF', () => k.deviceCall(FORGED, 'get', ['x'])],
    ['call a device without USE', 'DeviceCall', 'EPERM', () => k.deviceCall(storageNoUse, 'get', ['x'])],
    ['create a service object', 'ObjCreate', 'ok', () => k.objCreate('namespace:x')],
    ['create a service object with a bad tag', 'ObjCreate', 'EINVAL', () => k.objCreate(42 as never)],
    ['inspect a service object', 'ObjInfo', 'ok', () => { if (k.objInfo(token).tag !== 'namespace:abi') throw new Error('wrong tag'); }],
    ['inspect a forged service object', 'ObjInfo', 'EBADF', () => k.objInfo(FORGED)],
    ['open an agent by id (admin)', 'AgentOpen', 'ok', () => k.agentOpen(echoId, k.Rights.SEND)],
    ['open a missing agent', 'AgentOpen', 'ESRCH', () => k.agentOpen(987654)],
    ['export a capability as a token', 'CapExport', 'ok', () => k.asyncWait(k.capExport(transferable, { rights: k.Rights.SEND }))],
    ['export more rights than held', 'CapExport', 'EPERM', () => k.capExport(transferable, { rights: k.Rights.SEND | k.Rights.KILL })],
    ['export a forged handle', 'CapExport', 'EBADF', () => k.capExport(FORGED)],
    ['redeem a token', 'CapRedeem', 'ok', () => k.capRedeem(exported)],
    ['redeem a malformed token', 'CapRedeem', 'EINVAL', () => k.capRedeem('aioscap1.Zm9v.YmFy')],
    ['redeem with more rights than granted', 'CapRedeem', 'EPERM', () => k.capRedeem(exported, k.Rights.SEND | k.Rights.KILL)],
    ['apply policies (no engine on this test node)', 'PolicyApply', 'ENOSYS', () => k.policyApply('permit(principal, action, resource);')],
    ['apply a non-string policy', 'PolicyApply', 'EINVAL', () => k.policyApply(5 as never)],
    ['write a file of a mount', 'FsWrite', 'ok', () => k.fsWrite(dir, 'a.txt', enc.encode('hello'))],
    ['write outside a mount (..)', 'FsWrite', 'EACCES', () => k.fsWrite(dir, '../a.txt', enc.encode('x'))],
    ['write a non-byte body', 'FsWrite', 'EINVAL', () => k.fsWrite(dir, 'b.txt', 'text' as never)],
    ['write through a forged directory', 'FsWrite', 'EBADF', () => k.fsWrite(FORGED, 'a.txt', enc.encode('x'))],
    ['write with a read-only handle', 'FsWrite', 'EPERM', () => k.fsWrite(dirRo, 'a.txt', enc.encode('x'))],
    ['read a file of a mount', 'FsRead', 'ok', async () => { if (new TextDecoder().decode(await k.fsRead(dir, 'a.txt')) !== 'hello') throw new Error('wrong bytes'); }],
    ['read an absolute path', 'FsRead', 'EACCES', () => k.fsRead(dir, '/etc/passwd')],
    ['read a missing file', 'FsRead', 'ENOENT', () => k.fsRead(dir, 'missing.txt')],
    ['list a mount', 'FsList', 'ok', async () => { if (!(await k.fsList(dir, '')).some((e) => e.name === 'a.txt')) throw new Error('a.txt not listed'); }],
    ['list a missing folder', 'FsList', 'ENOENT', () => k.fsList(dir, 'nope')],
    ['stat a file', 'FsStat', 'ok', async () => { if ((await k.fsStat(dir, 'a.txt')).size !== 5) throw new Error('wrong size'); }],
    ['stat with a non-string path', 'FsStat', 'EINVAL', () => k.fsStat(dir, 5 as never)],
    ['make a folder', 'FsMkdir', 'ok', () => k.fsMkdir(dir, 'sub')],
    ['make a folder that exists', 'FsMkdir', 'EEXIST', () => k.fsMkdir(dir, 'sub')],
    ['remove a folder', 'FsRemove', 'ok', () => k.fsRemove(dir, 'sub')],
    ['remove the mount itself', 'FsRemove', 'EINVAL', () => k.fsRemove(dir, '')],
    ['remove without DELETE', 'FsRemove', 'EPERM', () => k.fsRemove(dirRo, 'a.txt')],
    ['fetch from a granted address (nothing listens)', 'NetFetch', 'ok', () => { exchange = k.netFetch(net, { url: 'http://127.0.0.1:1/' }); }],
    ['fetch from a host not granted', 'NetFetch', 'EACCES', () => k.netFetch(net, { url: 'http://example.org/' })],
    ['fetch with a bad method', 'NetFetch', 'EINVAL', () => k.netFetch(net, { url: 'http://127.0.0.1:1/', method: 'BREW' })],
    ['fetch through a forged device', 'NetFetch', 'EBADF', () => k.netFetch(FORGED, { url: 'http://127.0.0.1:1/' })],
    ['wait for a refused connection', 'NetResponse', 'EIO', () => k.netResponse(exchange)],
    ['wait on a forged exchange', 'NetResponse', 'EBADF', () => k.netResponse(FORGED)],
    ['read a failed exchange', 'NetRead', 'EIO', () => k.netRead(exchange)],
    ['read a forged exchange', 'NetRead', 'EBADF', () => k.netRead(FORGED)],
    ['list devices', 'DeviceList', 'ok', () => { if (!k.deviceList().some((d) => d.name === 'storage' && d.plugged)) throw new Error('storage not listed'); }],
    ['wait for a plugged device (at once)', 'DeviceWait', 'ok', () => k.deviceWait(storage, 1000)],
    ['wait with a bad timeout', 'DeviceWait', 'EINVAL', () => k.deviceWait(storage, -1)],
    ['open a device for its interface range', 'DeviceOpen', 'ok', () => k.deviceOpen(storage, '^1.0')],
    ['open a device for an interface it does not speak', 'DeviceOpen', 'ENODEV', () => k.deviceOpen(storage, '>=2')],
    ['open with a bad range', 'DeviceOpen', 'EINVAL', () => k.deviceOpen(storage, 'one')],
    ['kill a child', 'AgentKill', 'ok', () => k.agentKill(victim, 'abi suite')],
    ['kill an exited agent', 'AgentKill', 'ESRCH', () => k.agentKill(victim)],
    ['kill a forged handle', 'AgentKill', 'EBADF', () => k.agentKill(FORGED)],
    ['kill without KILL', 'AgentKill', 'EPERM', () => k.agentKill(sendOnly)],
    ['kill with a non-string reason', 'AgentKill', 'EINVAL', () => k.agentKill(echo, 42 as never)],
  ];
}

function restricted(): Case[] {
  return [
    ['spawn without SPAWN', 'AgentSpawn', 'EPERM', () => k.agentSpawn({ source: QUICK })],
    ['frames without FRAME', 'FrameAlloc', 'EPERM', () => k.frameAlloc(1)],
    ['page map without MAP', 'PageMap', 'EPERM', () => k.pageMap(FORGED, 0x4000_0000)],
    ['list agents without ADMIN', 'AgentList', 'EPERM', () => k.agentList()],
    ['list manifests without ADMIN', 'ManifestList', 'EPERM', () => k.manifestList()],
    ['look up a granted name', 'NsLookup', 'ok', () => k.nsLookup('parent')],
    ['lower nice below the spawn value', 'SchedSet', 'EPERM', () => k.schedSet({ nice: -5 })],
    ['open an agent without ADMIN', 'AgentOpen', 'EPERM', () => k.agentOpen(1)],
    ['apply policies without ADMIN', 'PolicyApply', 'EPERM', () => k.policyApply('x')],
    ['exit with code 7', 'Exit', 'ok', () => k.exit(7)],
  ];
}

export default defineAgent({
  name: 'abi-suite',
  async main(ctx) {
    const mode = (ctx.config as { mode?: string } | null)?.mode ?? 'privileged';
    const cases = mode === 'restricted' ? restricted() : await privileged();
    for (const [name, syscall, expect, run] of cases) {
      const got = await outcome(run);
      ctx.log(`CASE ${JSON.stringify({ name, syscall, expect, got })}`);
    }
    if (mode === 'privileged') {
      const child = await spawn({ path: (ctx.config as { self: string }).self }, { name: 'abi-suite', config: { mode: 'restricted' }, namespace: { parent: k.capDerive(k.selfHandle(), k.Rights.SEND | k.Rights.TRANSFER) } });
      const childId = k.agentInfo(child).id;
      for (;;) {
        const notice = await k.ipcWait(10_000);
        if (notice.tag !== 'exit' || notice.from !== childId) continue;
        const body = JSON.parse(new TextDecoder().decode(notice.data)) as { code: number; agent: number };
        ctx.log(`CASE ${JSON.stringify({ name: 'exit notice reaches the parent', syscall: 'Exit', expect: 'ok', got: body.code === 7 ? 'ok' : `code ${body.code}` })}`);
        break;
      }
    }
  },
});

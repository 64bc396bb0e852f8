// Syscall number -> handler. The abi table says what each call is; this says
// which function does it. A number with no row here is ENOSYS (see dispatch.ts).

import { NR, SYSCALL_BY_NAME } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import * as ag from './sys_agent.ts';
import * as cap from './sys_cap.ts';
import * as ipc from './sys_ipc.ts';
import * as mem from './sys_mem.ts';
import * as misc from './sys_misc.ts';
import * as sched from './sys_sched.ts';
import * as llm from './sys_llm.ts';
import * as life from './sys_lifecycle.ts';
import * as dev from './sys_dev.ts';
import * as tok from './sys_token.ts';
import * as fs from './sys_fs.ts';
import * as net from './sys_net.ts';
import * as devio from './sys_devio.ts';

/** A syscall handler: see the contract at the top of context.ts. */
export type Handler = (k: SyscallContext, a: Agent, args: unknown[], au: AuditSlot) => unknown;

const BY_NAME: Record<string, Handler> = {
  AgentSpawn: ag.sys_agentSpawn,
  AgentSupervisorRegister: ag.sys_agentSupervisorRegister,
  AgentRegister: ag.sys_agentRegister,
  AgentKill: ag.sys_agentKill,
  IPCSend: ipc.sys_ipcSend,
  IPCRecv: ipc.sys_ipcRecv,
  IPCSendMany: ipc.sys_ipcSendMany,
  IPCRecvMany: ipc.sys_ipcRecvMany,
  AgentMemAlloc: mem.sys_agentMemAlloc,
  AgentMemFree: mem.sys_agentMemFree,
  FrameAlloc: mem.sys_frameAlloc,
  PageMap: mem.sys_pageMap,
  AgentPoolAlloc: mem.sys_agentPoolAlloc,
  PQCOperation: misc.sys_pqcOperation,
  GetAsyncResult: misc.sys_getAsyncResult,
  IPCWait: ipc.sys_ipcWait,
  AsyncWait: misc.sys_asyncWait,
  MemRead: mem.sys_memRead,
  MemWrite: mem.sys_memWrite,
  SelfHandle: ag.sys_selfHandle,
  Exit: ag.sys_exit,
  Log: misc.sys_log,
  ClockNow: misc.sys_clockNow,
  CapDerive: cap.sys_capDerive,
  CapRevoke: cap.sys_capRevoke,
  CapList: cap.sys_capList,
  HandleClose: cap.sys_handleClose,
  MemShare: mem.sys_memShare,
  MemMap: mem.sys_memMap,
  AgentPoolFree: mem.sys_agentPoolFree,
  PageUnmap: mem.sys_pageUnmap,
  SchedYield: misc.sys_schedYield,
  Sleep: misc.sys_sleep,
  EventSubscribe: misc.sys_eventSubscribe,
  EventPublish: misc.sys_eventPublish,
  AgentInfo: ag.sys_agentInfo,
  AgentList: ag.sys_agentList,
  NsLookup: cap.sys_nsLookup,
  NsList: cap.sys_nsList,
  ManifestList: ag.sys_manifestList,
  SelfInfo: ag.sys_selfInfo,
  AsyncCancel: misc.sys_asyncCancel,
  SchedSet: sched.sys_schedSet,
  LlmComplete: llm.sys_llmComplete,
  LlmStreamOpen: llm.sys_llmStreamOpen,
  LlmStreamNext: llm.sys_llmStreamNext,
  LlmUsage: llm.sys_llmUsage,
  AgentSuspend: life.sys_agentSuspend,
  AgentResume: life.sys_agentResume,
  AgentCheckpoint: life.sys_agentCheckpoint,
  AgentRestore: life.sys_agentRestore,
  AgentClone: life.sys_agentClone,
  AgentMerge: life.sys_agentMerge,
  AgentSplit: life.sys_agentSplit,
  AgentUpgrade: life.sys_agentUpgrade,
  AgentSpecialize: life.sys_agentSpecialize,
  DeviceCall: dev.sys_deviceCall,
  ObjCreate: dev.sys_objCreate,
  ObjInfo: dev.sys_objInfo,
  AgentOpen: dev.sys_agentOpen,
  CapExport: tok.sys_capExport,
  CapRedeem: tok.sys_capRedeem,
  PolicyApply: dev.sys_policyApply,
  FsRead: fs.sys_fsRead,
  FsWrite: fs.sys_fsWrite,
  FsList: fs.sys_fsList,
  FsStat: fs.sys_fsStat,
  FsRemove: fs.sys_fsRemove,
  FsMkdir: fs.sys_fsMkdir,
  NetFetch: net.sys_netFetch,
  NetResponse: net.sys_netResponse,
  NetRead: net.sys_netRead,
  DeviceList: devio.sys_deviceList,
  DeviceWait: devio.sys_deviceWait,
  DeviceOpen: devio.sys_deviceOpen,
};

/** Handlers indexed by syscall number. */
export const HANDLERS: Array<Handler | undefined> = (() => {
  const out: Array<Handler | undefined> = [];
  for (const [name, h] of Object.entries(BY_NAME)) {
    const nr = SYSCALL_BY_NAME.get(name)?.nr;
    if (nr === undefined) throw new Error(`handler for unknown syscall ${name}`);
    out[nr] = h;
  }
  return out;
})();

/** Names of abi rows with no handler (a test keeps this empty). */
export function unimplementedSyscalls(): string[] {
  return Object.keys(NR).filter((n) => BY_NAME[n] === undefined);
}

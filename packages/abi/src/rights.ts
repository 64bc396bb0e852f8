// Rights are bit sets carried by handles. Deriving, duplicating or sending a
// handle can only keep or clear bits, never set new ones.

export const Rights = {
  NONE: 0,
  /** Read an object's contents (memory region, frame, subscription). */
  READ: 1 << 0,
  /** Write an object's contents. */
  WRITE: 1 << 1,
  /** Execute (memory perms only; kept for completeness of page permissions). */
  EXEC: 1 << 2,
  /** Send messages to an agent. */
  SEND: 1 << 3,
  /** Kill an agent. */
  KILL: 1 << 4,
  /** Receive an agent's exit and trap notices (AgentSupervisorRegister). */
  SUPERVISE: 1 << 5,
  /** Read an agent's status (state, usage, manifest). */
  INSPECT: 1 << 6,
  /** Derive a narrower handle from this one (CapDerive). */
  DERIVE: 1 << 7,
  /** Send this handle to another agent in a message. */
  TRANSFER: 1 << 8,
  /** Self handle only: spawn agents. */
  SPAWN: 1 << 9,
  /** Self handle only: allocate physical frames (FrameAlloc). */
  FRAME: 1 << 10,
  /** Map the object into an address space (PageMap, MemMap). */
  MAP: 1 << 11,
  /** Suspend and resume an agent. */
  SUSPEND: 1 << 12,
  /** Self handle only: node administration (list every agent, read the audit log, registry). */
  ADMIN: 1 << 13,
  /** Use a device: submit requests to a model, an embedder or a tool. */
  USE: 1 << 14,
  /** Search a service object (a memory-fabric namespace). */
  SEARCH: 1 << 15,
  /** Self handle only: hold a 'deadline' CPU reservation (EDF ahead of every CFS agent); granted as `realtime`. */
  REALTIME: 1 << 16,
  /** Self handle only: spawn children that outlive this agent (`opts.detached`); granted as `detach`. */
  DETACH: 1 << 17,
  /**
   * Self handle only: a node service (memoryd, semantic-ipcd, initd). Its syscall rate is its clients' load, so
   * the behaviour monitor never throttles or quarantines it: it emits an operator notice and an audit record.
   */
  SERVICE: 1 << 18,
  /** Directory only: create files and folders (FsWrite of a new file, FsMkdir). */
  CREATE: 1 << 19,
  /** Directory only: remove files and folders (FsRemove). */
  DELETE: 1 << 20,
} as const;

export type RightName = Exclude<keyof typeof Rights, 'NONE'>;
export const RIGHT_NAMES = /* @__PURE__ */ Object.keys(Rights).filter((k) => k !== 'NONE') as RightName[];
export const ALL_RIGHTS = /* @__PURE__ */ RIGHT_NAMES.reduce((acc, k) => acc | Rights[k], 0);

/** Privileges an agent may hold on its own self handle; spawn `capabilities` names these, lower-case. */
export const PRIVILEGES = {
  spawn: Rights.SPAWN,
  frame: Rights.FRAME,
  map: Rights.MAP,
  supervise: Rights.SUPERVISE,
  admin: Rights.ADMIN,
  realtime: Rights.REALTIME,
  detach: Rights.DETACH,
  service: Rights.SERVICE,
} as const;
export type Privilege = keyof typeof PRIVILEGES;

/** Kernel object types that handles can name. */
export type ObjectType = 'agent' | 'memory' | 'frame' | 'subscription' | 'device' | 'stream' | 'object' | 'directory';

/** The rights a fresh handle of each type carries, and what each right means there. */
export const DEFAULT_RIGHTS: Record<ObjectType, number> = {
  agent: Rights.SEND | Rights.KILL | Rights.SUPERVISE | Rights.INSPECT | Rights.DERIVE | Rights.TRANSFER | Rights.SUSPEND,
  memory: Rights.READ | Rights.WRITE | Rights.MAP | Rights.DERIVE | Rights.TRANSFER,
  frame: Rights.READ | Rights.WRITE | Rights.MAP | Rights.DERIVE | Rights.TRANSFER,
  subscription: Rights.READ,
  device: Rights.USE | Rights.INSPECT | Rights.DERIVE | Rights.TRANSFER,
  stream: Rights.READ,
  object: Rights.READ | Rights.WRITE | Rights.SEARCH | Rights.INSPECT | Rights.DERIVE | Rights.TRANSFER,
  /** A mounted host folder: READ files and lists, WRITE existing files, CREATE new ones, DELETE. */
  directory: Rights.READ | Rights.WRITE | Rights.CREATE | Rights.DELETE | Rights.DERIVE | Rights.TRANSFER,
};

/** Rights an agent's self handle always has, besides the privileges it was granted. */
export const SELF_BASE_RIGHTS = Rights.SEND | Rights.INSPECT | Rights.DERIVE | Rights.TRANSFER;

/** Memory page permissions (a separate, small bit set). */
export const Perm = { R: 1, W: 2, X: 4, RW: 3, RWX: 7 } as const;

export function rightsToNames(rights: number): RightName[] {
  return RIGHT_NAMES.filter((n) => (rights & Rights[n]) !== 0);
}

/** Parses rights given as a number, a name list, or a string like "SEND|KILL". Unknown names give undefined. */
export function parseRights(input: number | readonly string[] | string): number | undefined {
  if (typeof input === 'number') return Number.isInteger(input) && input >= 0 && (input & ~ALL_RIGHTS) === 0 ? input : undefined;
  const names = typeof input === 'string' ? input.split(/[|,\s]+/).filter(Boolean) : input;
  let r = 0;
  for (const n of names) {
    const key = n.toUpperCase();
    if (!(RIGHT_NAMES as string[]).includes(key)) return undefined;
    r |= Rights[key as RightName];
  }
  return r;
}

export function parsePerms(input: unknown): number | undefined {
  if (input === undefined) return Perm.RW;
  if (typeof input === 'number') return Number.isInteger(input) && input >= 0 && input <= 7 ? input : undefined;
  if (typeof input === 'string' && /^[rwx-]{0,3}$/.test(input)) {
    let p = 0;
    if (input.includes('r')) p |= Perm.R;
    if (input.includes('w')) p |= Perm.W;
    if (input.includes('x')) p |= Perm.X;
    return p;
  }
  return undefined;
}

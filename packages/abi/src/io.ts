// Wire types of agent I/O (issue 19): mounted folders, the net device, devices on the bus and the HAL.
// Plain data only: these cross the sandbox boundary and the HTTP API.

import type { Handle } from './types.ts';


/**
 * A folder given to a child at spawn (`SpawnOptions.mounts`), placed in its namespace as `fs:<name>`.
 * An agent mounts one of its own folders (`dir`: a directory handle, or the name of one of its mounts) or a
 * sub-folder of it (`path`), never with more rights than it holds. Only the node itself names host folders (`host`).
 */
export interface MountSpec {
  /** The name the child uses: `readFile('<name>/notes.txt')`. Letters, digits, `.`, `_`, `-`. */
  name: string;
  /** The spawner's directory handle, or the name of one of its mounts. */
  dir?: Handle | string;
  /** A sub-folder of `dir` (relative, inside it). */
  path?: string;
  /** A host folder (absolute): the node's host only (the root agent); an agent gets EPERM. */
  host?: string;
  /** Read only: the child's handle has READ alone. */
  readOnly?: boolean;
  /** Rights to keep (READ, WRITE, CREATE, DELETE, DERIVE, TRANSFER); never more than the spawner holds. */
  rights?: number;
}

export type FsEntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface FsEntry {
  name: string;
  type: FsEntryType;
}

export interface FsStat {
  type: FsEntryType;
  size: number;
  /** Modification time, ms since the epoch. */
  mtimeMs: number;
}

/** What FsWrite did: bytes written, whether the file is new, and the size it replaced. */
export interface FsWriteResult {
  bytes: number;
  created: boolean;
  replaced: number;
}

/** A request of NetFetch (the runtime's fetch builds it). */
export interface NetRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Whole-request timeout, ms (default limits.NET_TIMEOUT_MS). */
  timeoutMs?: number;
  /** 'follow' (default: each hop is checked against the grants), 'manual' or 'error'. */
  redirect?: 'follow' | 'manual' | 'error';
}

/** NetResponse's answer: the response head; the body is read from the same exchange handle (NetRead). */
export interface NetResponseHead {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  /** The final URL (after redirects). */
  url: string;
  redirected: boolean;
}

/** One device an agent can see (DeviceList). */
export interface DeviceInfo {
  /** Its name in the caller's namespace. */
  name: string;
  /** Its name on the bus. */
  bus: string;
  kind: string;
  driver: string;
  version: string;
  /** The interface version the driver speaks (semver-like "1.2"). */
  interface: string;
  plugged: boolean;
}

/** What the HAL finds on the host (`aios hw`). */
export interface HwInfo {
  cpus: { count: number; model: string; speedMHz: number };
  memory: { totalBytes: number; freeBytes: number };
  /** Accelerators found by their driver's presence (device files such as /dev/nvidia0, /dev/dri/renderD128). */
  accelerators: Array<{ kind: 'gpu' | 'npu' | 'other'; vendor: string; device: string }>;
  platform: string;
  arch: string;
  power: PowerState;
}

/** The node's power states: running, or suspended (every agent checkpointed, nothing scheduled). */
export type PowerState = 'running' | 'suspended';

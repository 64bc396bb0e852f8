// The HAL's view of the host (`aios hw`): CPUs and memory from the OS, accelerators by their
// driver's presence (device files such as /dev/nvidia0, /dev/dri/renderD128, /dev/kfd, /dev/accel/*).
// Read only; nothing here is opened, only listed.

import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import type { HwInfo, PowerState } from '@aios/abi';

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Accelerators whose driver left device files under `devRoot` (default /dev; tests pass a fake tree). */
export function findAccelerators(devRoot = '/dev'): HwInfo['accelerators'] {
  const out: HwInfo['accelerators'] = [];
  for (const f of list(devRoot)) if (/^nvidia\d+$/.test(f)) out.push({ kind: 'gpu', vendor: 'nvidia', device: `${devRoot}/${f}` });
  if (existsSync(`${devRoot}/kfd`)) out.push({ kind: 'gpu', vendor: 'amd', device: `${devRoot}/kfd` });
  for (const f of list(`${devRoot}/dri`)) if (/^renderD\d+$/.test(f)) out.push({ kind: 'gpu', vendor: 'dri', device: `${devRoot}/dri/${f}` });
  for (const f of list(`${devRoot}/accel`)) if (/^accel\d+$/.test(f)) out.push({ kind: 'npu', vendor: 'accel', device: `${devRoot}/accel/${f}` });
  return out;
}

export function hardwareInfo(power: PowerState, devRoot?: string): HwInfo {
  const cpus = os.cpus();
  return {
    cpus: { count: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown', speedMHz: cpus[0]?.speed ?? 0 },
    memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
    accelerators: findAccelerators(devRoot),
    platform: os.platform(),
    arch: os.arch(),
    power,
  };
}

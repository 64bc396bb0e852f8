// `aios dev ls|plug|unplug`, `aios hw`, `aios node suspend|resume`: devices, the HAL and power states
// of the running node (api/io-routes.ts). To merge: `{ ...COMMANDS, ...IO_COMMANDS }`.
import { AiosError, type DeviceInfo, type HwInfo } from '@aios/abi';
import { resolveDataDir } from 'aios/offline';
import { connect } from './client.ts';
import { COMMON_OPTS, JSON_OPT } from './options.ts';
import type { Command } from './commands.ts';
import { escapeTerminal } from './term.ts';

const client = (v: Record<string, string | boolean | undefined>) => connect(resolveDataDir(v['data-dir'] as string | undefined));

function gib(n: number): string {
  return `${(n / 2 ** 30).toFixed(1)} GiB`;
}

export const IO_COMMANDS: Record<string, Command> = {
  dev: {
    summary: 'devices on the bus: ls, plug NAME, unplug NAME (hotplug: handles stay, calls are ENODEV until replugged)',
    usage: 'aios dev ls [--json] | plug NAME | unplug NAME',
    options: { ...COMMON_OPTS, ...JSON_OPT },
    positionals: 1,
    async run(v, [action, name], io) {
      const c = client(v);
      if (action === 'ls') {
        const list = await c.request<DeviceInfo[]>('GET', '/v1/devices');
        if (v.json === true) io.out(JSON.stringify(list));
        else {
          io.out('NAME                KIND       DRIVER               VERSION    IFACE  STATE');
          for (const d of list) io.out(`${escapeTerminal(d.bus).padEnd(19)} ${d.kind.padEnd(10)} ${escapeTerminal(d.driver).padEnd(20)} ${escapeTerminal(d.version).padEnd(10)} ${d.interface.padEnd(6)} ${d.plugged ? 'plugged' : 'unplugged'}`);
        }
        return 0;
      }
      if (action !== 'plug' && action !== 'unplug') throw new AiosError('EINVAL', `unknown dev action '${action}' (ls, plug, unplug)`, { arg: 'action' });
      if (!name) throw new AiosError('EINVAL', `aios dev ${action} needs a device name`, { arg: 'name' });
      await c.request('POST', `/v1/devices/${encodeURIComponent(name)}/${action}`);
      io.out(`${escapeTerminal(name)} ${action}ged`);
      return 0;
    },
  },
  hw: {
    summary: "the host as the HAL sees it: CPUs, memory, accelerators (by their driver's device files), power state",
    usage: 'aios hw [--json]',
    options: { ...COMMON_OPTS, ...JSON_OPT },
    positionals: 0,
    async run(v, _p, io) {
      const hw = await client(v).request<HwInfo>('GET', '/v1/hw');
      if (v.json === true) {
        io.out(JSON.stringify(hw));
        return 0;
      }
      io.out(`cpus          ${hw.cpus.count} x ${escapeTerminal(hw.cpus.model)} (${hw.cpus.speedMHz} MHz)`);
      io.out(`memory        ${gib(hw.memory.totalBytes)} total, ${gib(hw.memory.freeBytes)} free`);
      io.out(`accelerators  ${hw.accelerators.length === 0 ? 'none found' : hw.accelerators.map((a) => `${a.kind} ${a.vendor} (${a.device})`).join(', ')}`);
      io.out(`platform      ${hw.platform} ${hw.arch}`);
      io.out(`power         ${hw.power}`);
      return 0;
    },
  },
  node: {
    summary: 'power states: suspend (checkpoint every agent, stop scheduling them), resume',
    usage: 'aios node suspend|resume [--json]',
    options: { ...COMMON_OPTS, ...JSON_OPT },
    positionals: 1,
    async run(v, [action], io) {
      if (action !== 'suspend' && action !== 'resume') throw new AiosError('EINVAL', `unknown node action '${action}' (suspend, resume)`, { arg: 'action' });
      const r = await client(v).request<{ suspended?: number[]; resumed?: number[]; checkpoints?: Array<{ agent: number; error?: string }> }>('POST', `/v1/node/${action}`);
      if (v.json === true) io.out(JSON.stringify(r));
      else if (action === 'suspend') io.out(`suspended ${r.suspended!.length} agent(s); ${r.checkpoints!.filter((c) => !c.error).length} checkpointed`);
      else io.out(`resumed ${r.resumed!.length} agent(s)`);
      return 0;
    },
  },
};

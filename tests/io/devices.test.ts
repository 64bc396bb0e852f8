// End-to-end: a device unplugged while an agent holds it (calls are ENODEV, the handle stays), the agent
// waits for it (DeviceWait) and uses it again after the replug; a replug with a driver outside the range
// the handle was opened for is ENODEV; DeviceList enumerates what an agent may see.
import { describe, expect, it } from 'vitest';
import { createTestHost } from '@aios/testkit';
import { createMemoryStorage } from '@aios/drivers/storage-memory';
import type { Driver } from '@aios/abi';

const AGENT = `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
const enc = new TextEncoder();
const code = async (p) => { try { await p; return 'ok'; } catch (e) { return e.code ?? String(e); } };
export default defineAgent({ name: 'dev-user', async main(ctx) {
  const dev = k.deviceOpen(k.nsLookup('storage'), '^1.0');
  const before = await code(k.deviceCall(dev, 'put', ['a', enc.encode('1')]));
  ctx.log('LISTED ' + JSON.stringify(k.deviceList().map((d) => [d.name, d.plugged, d.interface])));
  ctx.log('READY');
  await k.ipcWait(10000); // the host unplugs the device, then says so
  const during = await code(k.deviceCall(dev, 'put', ['b', enc.encode('2')]));
  ctx.log('LISTED ' + JSON.stringify(k.deviceList().map((d) => [d.name, d.plugged])));
  const back = await k.deviceWait(dev, 10000);
  const after = await code(k.deviceCall(dev, 'put', ['c', enc.encode('3')]));
  ctx.log('AFTER');
  await k.ipcWait(10000); // the host swaps the driver, then says so
  const wrongVersion = await code(k.deviceCall(dev, 'put', ['d', enc.encode('4')]));
  ctx.log('OUT ' + JSON.stringify({ before, during, back: back.plugged, after, wrongVersion }));
} });`;

describe('io devices', () => {
  it('io devices - a device unplugged and replugged: ENODEV meanwhile, DeviceWait returns, versions are checked again', async () => {
    const host = createTestHost();
    const k = host.kernel;
    k.plugDevice('storage', createMemoryStorage());
    const events: string[] = [];
    k.subscribeHost('bus.*', (e) => events.push(e.topic));
    const id = await host.spawn({ source: AGENT }, { devices: ['storage'], domain: 'native' });
    const waitLog = async (prefix: string, n = 1): Promise<void> => {
      for (let i = 0; i < 500 && host.logs(id).filter((l) => l.startsWith(prefix)).length < n; i++) await new Promise((r) => setTimeout(r, 5));
    };
    await waitLog('READY');
    k.unplugDevice('storage');
    host.send(id, 'unplugged');
    await waitLog('LISTED', 2);
    k.plugDevice('storage', createMemoryStorage()); // the agent's DeviceWait returns
    await waitLog('AFTER');
    // Replugged with a driver of interface 2.0: the handle was opened for ^1.0.
    k.unplugDevice('storage');
    const v2 = createMemoryStorage() as Driver & { info: Driver['info'] };
    Object.assign(v2, { info: { ...v2.info, interface: '2.0' } });
    k.plugDevice('storage', v2);
    host.send(id, 'swapped');
    const st = await host.waitExit(id);
    expect(st.code).toBe(0);
    const logs = host.logs(id);
    const listed = logs.filter((l) => l.startsWith('LISTED ')).map((l) => JSON.parse(l.slice(7)));
    expect(listed[0]).toEqual([['storage', true, '1.0']]);
    expect(listed[1]).toEqual([['storage', false]]);
    expect(JSON.parse(logs.find((l) => l.startsWith('OUT '))!.slice(4))).toEqual({ before: 'ok', during: 'ENODEV', back: true, after: 'ok', wrongVersion: 'ENODEV' });
    expect(events).toEqual(['bus.unplug', 'bus.plug', 'bus.unplug', 'bus.plug']);
    expect(k.audit.records((r) => r.syscall === 'DeviceUnplug').length).toBe(2);
    host.shutdown();
  });

  it('io devices - opening a device for a range its driver does not speak is ENODEV naming both versions', async () => {
    const host = createTestHost();
    host.kernel.plugDevice('storage', createMemoryStorage());
    let err: { code?: string; detail?: Record<string, unknown> } = {};
    try {
      host.call('DeviceOpen', host.kernel.devices.get('storage')!.handle, '>=2 <3');
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe('ENODEV');
    expect(err.detail).toMatchObject({ device: 'storage', interface: '1.0', wanted: '>=2 <3' });
    host.shutdown();
  });
});

// API routes of devices, the HAL and power states: GET /v1/devices, POST /v1/devices/:name/plug|unplug,
// GET /v1/hw, POST /v1/node/suspend|resume. Each acts as the root agent (audited by the kernel).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AiosError } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';
import { hardwareInfo } from '@aios/drivers/host-ports';
import { send } from './http.ts';
import { powerState, resumeNode, suspendNode } from '../node/power.ts';

export async function handleIoRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const path = url.pathname;
  const k = host.kernel;
  let m: RegExpMatchArray | null;
  if (req.method === 'GET' && path === '/v1/devices') {
    send(res, 200, host.call('DeviceList'));
    return true;
  }
  if (req.method === 'POST' && (m = path.match(/^\/v1\/devices\/([^/]+)\/(plug|unplug)$/))) {
    const name = decodeURIComponent(m[1]!);
    const d = k.devices.get(name);
    if (d === undefined) throw new AiosError('ENOENT', `no device ${name} on the bus`, { device: name });
    if (m[2] === 'unplug') k.unplugDevice(name);
    else k.plugDevice(name, d.object.driver); // the driver it had: hotplug of the same device
    send(res, 200, { ok: true, device: name, plugged: m[2] === 'plug' });
    return true;
  }
  if (req.method === 'GET' && path === '/v1/hw') {
    send(res, 200, hardwareInfo(powerState(host)));
    return true;
  }
  if (req.method === 'POST' && path === '/v1/node/suspend') {
    send(res, 200, await suspendNode(host));
    return true;
  }
  if (req.method === 'POST' && path === '/v1/node/resume') {
    send(res, 200, resumeNode(host));
    return true;
  }
  return false;
}

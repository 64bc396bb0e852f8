// Net syscalls: NetFetch starts a request through the caller's net device (only to granted
// hosts; the resolved address is checked by the port through the guard below, so DNS cannot
// turn a granted name into a private address), NetResponse waits for its head, NetRead reads
// its body. Requests and bytes are rate-limited per device; each request leaves one audit record.

import { AiosError, Rights, isAiosError, limits, type NetGuard, type NetPort, type NetPortResponse, type NetResponseHead } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { NetExchangeObject, NetObject } from '../io/net.ts';
import { classifyAddress, matchHost, normaliseHost } from '../io/grants.ts';
import { checked, codeOf, ioAudit } from '../io/audit.ts';
import { argInt, argObject, argString } from './args.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const ENCODER = new TextEncoder();

function port(k: SyscallContext): NetPort {
  const net = k.ports.net;
  if (net === undefined) throw new AiosError('ENOSYS', 'this node has no network port');
  return net;
}

function defaultPort(u: URL): number {
  return u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

/** The kernel's checks for one device, handed to the port (which calls them before each connect and hop). */
export function guardFor(net: NetObject): NetGuard {
  return {
    url(url: string): void {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw new AiosError('EINVAL', 'not a URL', { url: url.slice(0, 200) });
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AiosError('EACCES', `scheme ${u.protocol} is not reachable through the net device (http and https only)`, { url: u.origin, scheme: u.protocol, policyIds: ['net-grants'] });
      if (u.username !== '' || u.password !== '') throw new AiosError('EINVAL', 'credentials in URLs are refused (use a header)', { host: u.hostname });
      if (net.all) return;
      const host = normaliseHost(u.hostname);
      if (matchHost(net.grants, host, defaultPort(u)) === undefined) {
        throw new AiosError('EACCES', `host ${host}:${defaultPort(u)} is not granted to this agent`, { host, port: defaultPort(u), granted: net.describe(), policyIds: ['net-grants'] });
      }
    },
    address(host: string, address: string): void {
      if (net.all) return;
      const cls = classifyAddress(address);
      if (cls === 'public') return;
      // A special address is reachable only when granted as such (the URL check already matched the port).
      const a = normaliseHost(address);
      if (net.grants.some((g) => g.address && g.host === a)) return;
      throw new AiosError('EACCES', `${host} resolves to ${address} (${cls}); such addresses are reachable only when granted by address`, { host, address, class: cls, policyIds: ['net-grants'] });
    },
  };
}

export function sys_netFetch(k: SyscallContext, a: Agent, [net, req]: unknown[], au: AuditSlot): number {
  return checked(k, a, au, 'NetFetch', () => ({ url: String((req as { url?: unknown } | undefined)?.url ?? '').slice(0, 200) }), () => {
    const node = k.lookup(a, net, 'device', Rights.USE, au);
    if (!(node.object instanceof NetObject)) throw new AiosError('EINVAL', 'this device is not the net device', { arg: 'net' });
    const device = node.object;
    const r = argObject(req, 'req', false)!;
    const url = argString(r.url, 'req.url', 8192);
    const method = r.method === undefined ? 'GET' : argString(r.method, 'req.method', 16).toUpperCase();
    if (!METHODS.has(method)) throw new AiosError('EINVAL', `req.method must be one of ${[...METHODS].join(', ')}`, { arg: 'req.method', value: method });
    const headers: Record<string, string> = {};
    for (const [name, v] of Object.entries(argObject(r.headers, 'req.headers') ?? {})) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$/.test(name) || /[\r\n\0]/.test(v) || v.length > 16384) throw new AiosError('EINVAL', `bad header ${name.slice(0, 64)}`, { arg: 'req.headers' });
      const lower = name.toLowerCase();
      if (lower === 'host' || lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') throw new AiosError('EINVAL', `header ${name} is set by the net device`, { arg: 'req.headers', header: name });
      headers[lower] = v;
    }
    const body = r.body === undefined || r.body === null ? null : typeof r.body === 'string' ? ENCODER.encode(r.body) : r.body instanceof Uint8Array ? r.body : (() => { throw new AiosError('EINVAL', 'req.body must be a string or a Uint8Array', { arg: 'req.body' }); })();
    if (body !== null && body.length > limits.NET_REQUEST_MAX_BYTES) throw new AiosError('EMSGSIZE', `request body is ${body.length} bytes; the limit is ${limits.NET_REQUEST_MAX_BYTES}`, { arg: 'req.body', max: limits.NET_REQUEST_MAX_BYTES });
    const timeoutMs = r.timeoutMs === undefined ? limits.NET_TIMEOUT_MS : argInt(r.timeoutMs, 'req.timeoutMs', 1, limits.NET_TIMEOUT_MAX_MS);
    const redirect = r.redirect === undefined ? 'follow' : r.redirect;
    if (redirect !== 'follow' && redirect !== 'manual' && redirect !== 'error') throw new AiosError('EINVAL', "req.redirect must be 'follow', 'manual' or 'error'", { arg: 'req.redirect' });
    const guard = guardFor(device);
    guard.url(url); // a host not granted is EACCES now (audited by the dispatcher)
    const netPort = port(k);
    if (device.open >= limits.NET_OPEN_BODIES_MAX) throw new AiosError('EAGAIN', `at most ${limits.NET_OPEN_BODIES_MAX} exchanges may be open at once`, { limit: limits.NET_OPEN_BODIES_MAX });
    const now = k.now();
    device.requests.take(now, 1);
    device.bytes.take(now, body?.length ?? 0);
    const host = new URL(url).host;
    const call = netPort.fetch({ url, method, headers, body, timeoutMs, redirect, maxRedirects: limits.NET_MAX_REDIRECTS, maxBodyBytes: limits.NET_RESPONSE_MAX_BYTES }, guard);
    const ex = new NetExchangeObject(call, device, host, now);
    const sent = body?.length ?? 0;
    ex.head.then(
      (res) => {
        const detail = { method, host, url: url.slice(0, 200), status: res.status, bytes: sent, ms: k.now() - now, redirected: res.redirected, final: res.url.slice(0, 200) };
        ioAudit(k, a, 'NetFetch', ex.label, 'ok', detail);
        k.events.publish('net.request', k.now(), { agent: a.id, ...detail });
      },
      (e: unknown) => {
        const detail = { method, host, url: url.slice(0, 200), status: 0, bytes: sent, ms: k.now() - now, ...(isAiosError(e) ? e.detail ?? {} : {}) };
        ioAudit(k, a, 'NetFetch', ex.label, codeOf(e), detail);
        k.events.publish('net.request', k.now(), { agent: a.id, result: codeOf(e), ...detail });
      },
    );
    au.label = ex.label;
    return k.insertHandle(a, ex, Rights.READ, null);
  });
}

function exchange(k: SyscallContext, a: Agent, h: unknown, au: AuditSlot): NetExchangeObject {
  const node = k.lookup(a, h, 'stream', Rights.READ, au);
  if (!(node.object instanceof NetExchangeObject)) throw new AiosError('EBADF', 'not a net exchange handle', { handle: h });
  return node.object;
}

function asError(e: unknown): AiosError {
  return isAiosError(e) ? e : new AiosError('EIO', (e as Error)?.message ?? String(e));
}

export function sys_netResponse(k: SyscallContext, a: Agent, [h]: unknown[], au: AuditSlot): Promise<NetResponseHead> {
  const ex = exchange(k, a, h, au);
  const { promise, settle } = k.block<NetResponseHead>(a);
  ex.head.then(
    (r: NetPortResponse) => settle(true, { status: r.status, statusText: r.statusText, headers: r.headers, url: r.url, redirected: r.redirected }),
    (e: unknown) => settle(false, asError(e)),
  );
  return promise;
}

export function sys_netRead(k: SyscallContext, a: Agent, [h]: unknown[], au: AuditSlot): Promise<Uint8Array | null> {
  const ex = exchange(k, a, h, au);
  const { promise, settle } = k.block<Uint8Array | null>(a);
  ex.head.then(async (r) => {
    const chunk = await r.next();
    if (chunk === null) {
      ex.finish();
      return null;
    }
    ex.received += chunk.length;
    ex.net.bytes.charge(k.now(), chunk.length);
    return chunk;
  }).then((v) => settle(true, v), (e: unknown) => {
    ex.finish();
    settle(false, asError(e));
  });
  return promise;
}

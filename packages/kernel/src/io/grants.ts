// Net grants and address classes, pure functions (the kernel does no I/O). A grant is
// `HOST[:PORT]`: a name (`api.example.org`), a wildcard of its subdomains (`*.example.org`),
// `*` (any name), or an address (`127.0.0.1`, `[::1]`). Loopback, private, link-local,
// unspecified and multicast addresses are reached only through a grant naming that address.

import { AiosError, limits } from '@aios/abi';

export interface Grant {
  /** Lower-case name, `*.suffix`, `*`, or a normalised address (IPv6 without brackets). */
  host: string;
  /** Absent: any port. */
  port?: number;
  /** The host is an address literal. */
  address: boolean;
}

/** Parses a grant; EINVAL names the bad one. */
export function parseGrant(text: unknown): Grant {
  if (typeof text !== 'string' || text.length === 0 || text.length > 260) throw new AiosError('EINVAL', 'a net grant is HOST[:PORT] (at most 260 characters)', { arg: 'net', value: typeof text === 'string' ? text.slice(0, 80) : typeof text });
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  if (v6) {
    host = v6[1]!.toLowerCase();
    portText = v6[2];
  } else {
    const i = text.lastIndexOf(':');
    if (i >= 0 && text.indexOf(':') === i) {
      host = text.slice(0, i).toLowerCase();
      portText = text.slice(i + 1);
    } else if (i < 0) host = text.toLowerCase();
    else throw new AiosError('EINVAL', `net grant ${text}: write IPv6 addresses in brackets ([::1]:8080)`, { arg: 'net', value: text });
  }
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535 || !/^\d+$/.test(portText!))) throw new AiosError('EINVAL', `net grant ${text}: bad port`, { arg: 'net', value: text });
  const address = v6 !== null || isIPv4(host);
  if (!address && host !== '*' && !/^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,62})?\.)*[a-z0-9_]([a-z0-9_-]{0,62})?$/.test(host)) {
    throw new AiosError('EINVAL', `net grant ${text}: not a host name, *.domain, * or an address`, { arg: 'net', value: text });
  }
  return { host: v6 ? normaliseV6(host) : host, ...(port !== undefined ? { port } : {}), address };
}

export function parseGrants(list: unknown): Grant[] {
  if (!Array.isArray(list)) throw new AiosError('EINVAL', 'net must be a list of HOST[:PORT] grants', { arg: 'net' });
  if (list.length > limits.NET_GRANTS_MAX) throw new AiosError('EINVAL', `at most ${limits.NET_GRANTS_MAX} net grants`, { arg: 'net', max: limits.NET_GRANTS_MAX });
  return list.map(parseGrant);
}

export const showGrant = (g: Grant): string => `${g.address && g.host.includes(':') ? `[${g.host}]` : g.host}${g.port !== undefined ? `:${g.port}` : ''}`;

function hostCovers(parent: string, child: string, childIsAddress: boolean): boolean {
  if (parent === child) return true;
  if (childIsAddress) return false; // addresses are granted by address only
  if (parent === '*') return true;
  if (parent.startsWith('*.')) {
    const suffix = parent.slice(1); // ".example.org"
    const c = child.startsWith('*.') ? child.slice(1) : `.${child}`;
    return c.endsWith(suffix) && c.length > suffix.length;
  }
  return false;
}

/** Whether `parent` allows everything `child` allows (a spawner may hand on only what it holds). */
export function grantCovers(parent: Grant, child: Grant): boolean {
  if (parent.port !== undefined && parent.port !== child.port) return false;
  return hostCovers(parent.host, child.host, child.address);
}

/** The grant that lets a URL's host and port through, or undefined. */
export function matchHost(grants: readonly Grant[], host: string, port: number): Grant | undefined {
  const h = normaliseHost(host);
  const isAddr = isIPv4(h) || h.includes(':');
  return grants.find((g) => (g.port === undefined || g.port === port) && hostCovers(g.host, h, isAddr));
}

/** Whether an address was granted as such (needed for the special ranges). */
export function addressGranted(grants: readonly Grant[], address: string, port: number): boolean {
  const a = normaliseHost(address);
  return grants.some((g) => g.address && g.host === a && (g.port === undefined || g.port === port));
}

/** Lower case, brackets dropped, IPv6 normalised, IPv4-mapped IPv6 as IPv4. */
export function normaliseHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h.includes(':') ? normaliseV6(h) : h;
}

export function isIPv4(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return m !== null && m.slice(1).every((x) => Number(x) <= 255 && String(Number(x)) === x);
}

/** Expands an IPv6 address to eight groups; an IPv4-mapped one (::ffff:a.b.c.d) becomes its IPv4. */
function expandV6(s: string): number[] | null {
  let text = s;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    if (!isIPv4(v4[1]!)) return null;
    const b = v4[1]!.split('.').map(Number);
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    text = text.slice(0, -v4[1]!.length) + (text.endsWith(`:${v4[1]}`) ? '0' : '');
    text = text.replace(/:0$/, '');
  }
  const parts = text.split('::');
  if (parts.length > 2) return null;
  const head = parts[0] ? parts[0].split(':') : [];
  const rest = parts.length === 2 && parts[1] ? parts[1].split(':') : [];
  const groups = [...head, ...rest].map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  if (groups.some(Number.isNaN)) return null;
  const want = 8 - tail.length;
  if (parts.length === 1 && groups.length !== want) return null;
  if (groups.length > want) return null;
  const zeros = new Array<number>(want - groups.length).fill(0);
  const left = groups.slice(0, head.length);
  const right = groups.slice(head.length);
  return [...left, ...(parts.length === 2 ? zeros : []), ...right, ...tail];
}

function normaliseV6(s: string): string {
  const g = expandV6(s);
  if (g === null) return s;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  return g.map((x) => x.toString(16)).join(':');
}

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

/** The class of an address; anything but 'public' needs a grant by address. Unparseable is 'reserved'. */
export function classifyAddress(address: string): AddressClass {
  const a = normaliseHost(address);
  if (isIPv4(a)) {
    const [x, y] = a.split('.').map(Number) as [number, number];
    if (x === 127) return 'loopback';
    if (x === 0) return 'unspecified';
    if (x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 100 && y >= 64 && y <= 127)) return 'private';
    if (x === 169 && y === 254) return 'link-local';
    if (x >= 224 && x <= 239) return 'multicast';
    if (x >= 240) return 'reserved';
    return 'public';
  }
  const g = expandV6(a);
  if (g === null) return 'reserved';
  if (g.every((v) => v === 0)) return 'unspecified';
  if (g.slice(0, 7).every((v) => v === 0) && g[7] === 1) return 'loopback';
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x64 && g[1] === 0xff9b) return 'reserved'; // NAT64 can reach anything: by address only
  return 'public';
}

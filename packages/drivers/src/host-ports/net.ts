// The net port: outbound HTTP(S) with node:http and node:https. The host name is resolved once
// (dns.lookup) inside the connection's own lookup hook, the kernel's guard checks the address,
// and the socket connects to exactly that address: a second answer of DNS (rebinding) is never
// used. Redirects are followed by hand, each hop checked by the guard like the first request.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { AiosError, isAiosError, type NetGuard, type NetPort, type NetPortRequest, type NetPortResponse } from '@aios/abi';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type LookupCb = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function checkedLookup(guard: NetGuard): (hostname: string, opts: { all?: boolean }, cb: LookupCb) => void {
  return (hostname, opts, cb) => {
    dnsLookup(hostname, { all: true }, (err, addrs) => {
      if (err) return cb(err, '');
      const first = addrs[0];
      if (first === undefined) return cb(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      try {
        guard.address(hostname, first.address); // the one address connected to is the one checked
      } catch (e) {
        return cb(e as NodeJS.ErrnoException, '');
      }
      if (opts.all) cb(null, [first]);
      else cb(null, first.address, first.family);
    });
  };
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function once(url: string, req: NetPortRequest, method: string, body: Uint8Array | null, headers: Record<string, string>, guard: NetGuard, signal: AbortSignal): Promise<http.IncomingMessage> {
  const u = new URL(url);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (isIP(host) !== 0) guard.address(host, host); // a literal address is checked here (no lookup happens)
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r = mod.request({
      protocol: u.protocol, hostname: host, port: u.port || undefined, path: `${u.pathname}${u.search}`, method, signal,
      headers: { ...headers, ...(body !== null ? { 'content-length': String(body.length) } : {}) },
      lookup: checkedLookup(guard) as never, agent: false,
    }, resolve);
    r.on('error', reject);
    if (body !== null) r.end(body);
    else r.end();
  });
}

function failure(e: unknown, signal: AbortSignal, url: string): AiosError {
  if (isAiosError(e)) return e as AiosError;
  if (signal.aborted) return isAiosError(signal.reason) ? (signal.reason as AiosError) : new AiosError('ECANCELED', 'request aborted', { url });
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new AiosError('EIO', `cannot resolve ${new URL(url).hostname}`, { url, host: code });
  return new AiosError('EIO', `${url}: ${(e as Error)?.message ?? String(e)}`, { url, ...(code ? { host: code } : {}) });
}

export function createHostNet(): NetPort {
  return {
    fetch(req: NetPortRequest, guard: NetGuard) {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(new AiosError('ETIMEDOUT', `request took longer than ${req.timeoutMs} ms`, { timeoutMs: req.timeoutMs })), req.timeoutMs);
      const response = (async (): Promise<NetPortResponse> => {
        let url = req.url;
        let method = req.method;
        let body = req.body;
        const headers = { ...req.headers };
        let redirected = false;
        for (let hop = 0; ; hop++) {
          guard.url(url);
          let res: http.IncomingMessage;
          try {
            res = await once(url, req, method, body, headers, guard, ac.signal);
          } catch (e) {
            throw failure(e, ac.signal, url);
          }
          const status = res.statusCode ?? 0;
          const location = res.headers.location;
          if (REDIRECTS.has(status) && location !== undefined && req.redirect !== 'manual') {
            res.destroy();
            if (req.redirect === 'error') throw new AiosError('EIO', `redirected to ${location} (redirect: 'error')`, { url, location });
            if (hop >= req.maxRedirects) throw new AiosError('EIO', `more than ${req.maxRedirects} redirects`, { url, max: req.maxRedirects });
            const next = new URL(location, url);
            if (next.host !== new URL(url).host) delete headers.authorization; // credentials never follow to another host
            url = next.href;
            redirected = true;
            if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
              method = 'GET';
              body = null;
            }
            continue;
          }
          return wrap(res, url, redirected);
        }
      })();
      response.catch(() => clearTimeout(timer));

      function wrap(res: http.IncomingMessage, url: string, redirected: boolean): NetPortResponse {
        const it = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
        let total = 0;
        return {
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: flatHeaders(res.headers),
          url,
          redirected,
          async next() {
            let r: IteratorResult<Buffer>;
            try {
              r = await it.next();
            } catch (e) {
              clearTimeout(timer);
              throw failure(e, ac.signal, url);
            }
            if (r.done) {
              clearTimeout(timer);
              return null;
            }
            total += r.value.length;
            if (total > req.maxBodyBytes) {
              clearTimeout(timer);
              res.destroy();
              throw new AiosError('EMSGSIZE', `response body passed ${req.maxBodyBytes} bytes`, { url, max: req.maxBodyBytes });
            }
            return new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.length);
          },
          cancel() {
            clearTimeout(timer);
            res.destroy();
          },
        };
      }

      return {
        response,
        abort(reason?: string) {
          clearTimeout(timer);
          ac.abort(new AiosError('ECANCELED', reason ?? 'request aborted'));
        },
      };
    },
  };
}

// The JavaScript evaluated in every wasm sandbox before the agent's image: it builds the
// globals (console, timers, crypto, TextEncoder/TextDecoder, URL: each compiled lazily) and `__aios_trap` on top
// of ONE private host function, and returns [run(entry, id, kind, payload), settle(ticket, ok, value), and makers the host calls]. It trusts nothing global
// after it ran: what it needs later is captured here. Keep it small: it is compiled per agent.
//
// Host ops (first argument of the private host function):
//   0 trap(nr[, kinds, ...plain args]) and 6 trap(nr, json[, fixupsJson, ...buffers]) (see trap() below)
//     -> the result itself, built by the host in the sandbox (a promise for a blocking call, which the host
//     later settles with settle(ticket, ok, value)); an error is thrown into the caller
//   1 done(id, failed[, thrown | resultJson]) -> settles the host promise of dispatch `id` (lifecycle hooks return JSON)
//   2 random(n)                       -> ArrayBuffer of n random bytes
//   3 utf8encode(JSON text of a string) -> ArrayBuffer (lone surrogates become U+FFFD, as in Node)
//   4 utf8decode(buffer, fatal, ignoreBOM) -> JSON text of the string (throws TypeError on bad input when fatal)
//   5 module(name)                    -> source text of a lazily compiled module of globals (MODULES)

export const PRELUDE = String.raw`(function (host) {
'use strict';
var G = globalThis, JP = JSON.parse, JS = JSON.stringify, U8 = Uint8Array, AB = ArrayBuffer, isArr = Array.isArray,
  keys = Object.keys, def = Object.defineProperty, P = Promise, pthen = Function.prototype.call.bind(P.prototype.then),
  un = Function.prototype.bind.bind(Function.prototype.call), aslice = un(Array.prototype.slice), ev = eval,
  mods = Object.create(null), pend = new Map(), MAXW = 16777216, blen = 0, gd = Object.getOwnPropertyDescriptor,
  TA = Object.getPrototypeOf(U8.prototype), TAG = un(gd(TA, Symbol.toStringTag).get), BUF = un(gd(TA, 'buffer').get),
  BLEN = un(gd(TA, 'byteLength').get), ABLEN = un(gd(AB.prototype, 'byteLength').get),
  TSET = un(TA.set), APPLY = un(Function.prototype.apply), isView = AB.isView, I32 = Int32Array,
  NOH = Object.freeze([]), LS, LB = 0, W, KERR;
function fail(c, x, m) { var e = new Error(m); e.name = 'AiosError'; e.code = c; e.errno = x; throw e; }
// Proxy, bounded. QuickJS checks an ownKeys trap's result for duplicates in quadratic time, in C, where the interrupt
// cannot stop it (200,000 keys: ~15 s on the executor or kernel thread). Each proxy gets a forwarding handler that looks
// the agent's trap up at every use, as the engine does, and copies an ownKeys result of at most OWNKEYS_MAX entries
// (read once each; RangeError past it) before the engine sees it.
(function () {
  var RP = G.Proxy, R = Reflect, MAXK = 10000, NAMES = ['getPrototypeOf', 'setPrototypeOf', 'isExtensible', 'preventExtensions',
    'getOwnPropertyDescriptor', 'defineProperty', 'has', 'get', 'set', 'deleteProperty', 'ownKeys', 'apply', 'construct'];
  function keyList(r) {
    if (r === null || (typeof r !== 'object' && typeof r !== 'function')) throw new TypeError('proxy ownKeys trap must return an object');
    var n = r.length, a = [], i;
    if (typeof n !== 'number' || !(n <= MAXK)) throw (KERR = new RangeError('a proxy ownKeys trap may return at most ' + MAXK + ' keys'));
    for (i = 0; i < n; i++) def(a, i, { value: r[i], writable: true, enumerable: true, configurable: true });
    return a;
  }
  function forwarder(h) {
    var f = Object.create(null), i;
    for (i = 0; i < NAMES.length; i++) (function (n) {
      f[n] = function () {
        var t = h[n];
        if (t === undefined || t === null) return APPLY(R[n], undefined, arguments);
        var r = APPLY(t, h, arguments);
        return n === 'ownKeys' ? keyList(r) : r;
      };
    })(NAMES[i]);
    return f;
  }
  function handlerOk(t, h) {
    if (t === null || (typeof t !== 'object' && typeof t !== 'function') || h === null || (typeof h !== 'object' && typeof h !== 'function')) throw new TypeError('Cannot create proxy with a non-object as target or handler');
  }
  function Proxy(target, handler) {
    if (new.target === undefined) throw new TypeError("Constructor Proxy requires 'new'");
    handlerOk(target, handler);
    return new RP(target, forwarder(handler));
  }
  def(Proxy, 'revocable', { value: function revocable(target, handler) { handlerOk(target, handler); return RP.revocable(target, forwarder(handler)); }, writable: true, configurable: true });
  def(G, 'Proxy', { value: Proxy, writable: true, configurable: true });
})();
function big(s, n) { if ((s.n += n) > MAXW) fail('EMSGSIZE', 90, 'argument larger than 16 MiB'); }
// The ArrayBuffer that carries a real Uint8Array's bytes to the host: its own buffer when the view covers all of it
// (no copy in the sandbox), else a fresh copy. Intrinsics only (captured above): no agent code runs here.
function bytes(v) {
  var b = BUF(v), n = BLEN(v), c;
  blen = n;
  if (n === 0) return new AB(0);
  // a view as long as its buffer starts at 0 (offset + length never exceeds the buffer's length): no offset read
  try { if (ABLEN(b) === n) return b; } catch (x) { /* a SharedArrayBuffer: copied */ }
  c = new U8(n); TSET(c, v);
  return BUF(c);
}
function isU8(v) { return TAG(v) === 'Uint8Array'; }
// A non-empty list of Uint8Arrays (IPCSendMany's messages) packed in one ArrayBuffer: int32 count, int32 length of
// each, then the bytes of each in order (and maybe unused bytes after them, which the host ignores); null when v is
// not such a list. One pass: each element is read once, checked with the intrinsics and copied at once.
function list(v) {
  var n = v.length, mine = !LB, i, x, k, o, c, h, u, e, d;
  if (typeof n !== 'number' || n !== (n | 0) || n < 1) return null;
  if (n > MAXW / 4) fail('EMSGSIZE', 90, 'argument larger than 16 MiB');
  o = 4 + 4 * n; e = 0; blen = 0; LB = 1;
  try {
    for (i = 0; i < n; i++) {
      x = v[i];
      if (typeof x !== 'object' || x === null || TAG(x) !== 'Uint8Array') return null;
      k = BLEN(x);
      if (o + k > e) {
        // room for the rest at this message's size (messages of one batch are usually alike; at most 1 MiB ahead,
        // the kernel's limit), at least double, at least this message; the last call's buffer when it is that size
        // (the host copies it out before trap returns; nothing else holds it)
        if (o + k > MAXW) fail('EMSGSIZE', 90, 'argument larger than 16 MiB');
        d = o + k * (n - i); if (d > o + 1048576) d = o + 1048576; if (d < 2 * e) d = 2 * e; if (d < o + k) d = o + k; if (d > MAXW) d = MAXW;
        e = d; d = mine && c === undefined && LS !== undefined && ABLEN(LS) === e ? LS : new AB(e);
        if (c !== undefined) TSET(new U8(d), u);
        c = d; h = new I32(c, 0, n + 1); u = new U8(c);
      }
      h[i + 1] = k; TSET(u, x, o); o += k;
    }
  } finally {
    if (mine) LB = 0;
  }
  h[0] = n;
  blen = o;
  if (mine && e <= 262144) LS = c;
  return c;
}
// Appends to an array of ours without consulting Array.prototype (the agent may have changed it).
function add(a, v) { def(a, a.length, { value: v, writable: true, enumerable: true, configurable: true }); }
// The kind of one argument for the plain path (see trap), or -1.
function kind(v) {
  var t = typeof v;
  return t === 'number' ? 0 : t === 'boolean' ? (v ? 1 : 2) : v === null ? 3 : t === 'undefined' ? 4 : t === 'object' && isU8(v) ? 5 : t === 'object' && isArr(v) ? 6 : -1;
}
// A syscall. Trailing undefined arguments are not sent (the kernel reads absent and undefined alike). Up to four
// arguments that are numbers, booleans, null, undefined or Uint8Arrays go as they are: host(0, nr, kinds, ...args),
// kinds holding 3 bits per argument (0 number, 1 true, 2 false, 3 null, 4 undefined, 5 bytes as an ArrayBuffer,
// 6 a list of Uint8Arrays packed by list() in one ArrayBuffer; another array goes as JSON).
// Anything else goes as JSON: host(6, nr, json[, fixups json, ...buffers]) (see codec.ts). Each argument is read
// once, so a getter or proxy cannot show the host something other than what was checked.
function trap(nr, args) {
  if (typeof nr !== 'number') fail('EINVAL', 22, 'malformed syscall');
  if (!isArr(args)) fail('EINVAL', 22, 'syscall arguments must be an array');
  var n = args.length, a0, a1, a2, a3, k0, k1, k2, k3, s, p0, p1, p2, p3;
  if (n === 0) return host(0, nr);
  if (n <= 4) {
    a0 = args[0]; a1 = args[1]; a2 = args[2]; a3 = args[3];
    n = a3 !== undefined ? 4 : a2 !== undefined ? 3 : a1 !== undefined ? 2 : a0 !== undefined ? 1 : 0;
    if (n === 0) return host(0, nr);
    k0 = typeof a0 === 'number' ? 0 : kind(a0);
    k1 = n < 2 || typeof a1 === 'number' ? 0 : kind(a1);
    k2 = n < 3 || typeof a2 === 'number' ? 0 : kind(a2);
    k3 = n < 4 || typeof a3 === 'number' ? 0 : kind(a3);
    s = 0;
    if (k0 >= 0 && k1 >= 0 && k2 >= 0 && k3 >= 0) {
      // lists first (reading their elements may run the agent's getters), then bytes; a list that is not all
      // Uint8Arrays sends every argument as JSON
      if (k0 === 6 || k1 === 6 || k2 === 6 || k3 === 6) {
        p0 = k0 === 6 ? list(a0) : a0; p1 = k1 === 6 ? list(a1) : a1; p2 = k2 === 6 ? list(a2) : a2; p3 = k3 === 6 ? list(a3) : a3;
        if ((k0 === 6 && p0 === null) || (k1 === 6 && p1 === null) || (k2 === 6 && p2 === null) || (k3 === 6 && p3 === null)) k0 = -1;
        else { if (k0 === 6) a0 = p0, s += blen; if (k1 === 6) a1 = p1, s += blen; if (k2 === 6) a2 = p2, s += blen; if (k3 === 6) a3 = p3, s += blen; }
      }
    }
    if (k0 >= 0 && k1 >= 0 && k2 >= 0 && k3 >= 0) {
      // bytes last: nothing the agent wrote runs between these reads and the host's copy; sizes are checked
      // before the host sees them (a copy made here stays within the sandbox's own memory limit)
      if (k0 === 5) a0 = bytes(a0), s += blen;
      if (k1 === 5) a1 = bytes(a1), s += blen;
      if (k2 === 5) a2 = bytes(a2), s += blen;
      if (k3 === 5) a3 = bytes(a3), s += blen;
      if (s > MAXW) fail('EMSGSIZE', 90, 'argument larger than 16 MiB');
      s = k0 | (k1 << 3) | (k2 << 6) | (k3 << 9);
      return n === 1 ? host(0, nr, s, a0) : n === 2 ? host(0, nr, s, a0, a1) : n === 3 ? host(0, nr, s, a0, a1, a2) : host(0, nr, s, a0, a1, a2, a3);
    }
    args = n === 1 ? [a0] : n === 2 ? [a0, a1] : n === 3 ? [a0, a1, a2] : [a0, a1, a2, a3];
  } else {
    while (n > 0 && args[n - 1] === undefined) n--;
    args = aslice(args, 0, n);
  }
  // an argument the bounded Proxy refused to list (below) is the caller's bad argument: EINVAL, as any other
  try { return wire().send(nr, args, n); } catch (x) { if (x !== undefined && x === KERR) fail('EINVAL', 22, 'a syscall argument is a proxy whose ownKeys trap returned more than 10000 keys'); throw x; }
}
// The per-signature entry of a syscall whose arguments are a number and a Uint8Array (IPCSend without options): the
// same checks and host call as trap(nr, [h, v]) without the argument list and the kind walk. Anything else is trap's.
function trapHB(nr, h, v) {
  if (typeof nr !== 'number' || typeof h !== 'number' || typeof v !== 'object' || v === null || TAG(v) !== 'Uint8Array') return trap(nr, v === undefined ? [h] : [h, v]);
  v = bytes(v);
  if (blen > MAXW) fail('EMSGSIZE', 90, 'argument larger than 16 MiB');
  return host(0, nr, 40, h, v);
}
// The JSON path (module 'wire'), compiled the first time an agent needs it, with the intrinsics captured here.
function wire() {
  return W || (W = ev(host(5, 'wire'))(host, { fail: fail, big: big, isU8: isU8, add: add, bytes: bytes, BLEN: BLEN, APPLY: APPLY, JP: JP, JS: JS, isArr: isArr, keys: keys, isView: isView, AB: AB, U8: U8 }));
}
function put(n, v) { def(G, n, { value: v, writable: true, configurable: true }); }
'console:console timers:setTimeout,setInterval,clearTimeout,clearInterval,queueMicrotask crypto:crypto text:TextEncoder,TextDecoder url:URL,URLSearchParams'.split(' ').forEach(function (g) {
  var m = g.split(':');
  m[1].split(',').forEach(function (n) {
    def(G, n, { configurable: true, set: function (v) { put(n, v); }, get: function () {
      var v = (mods[m[0]] || (mods[m[0]] = ev(host(5, m[0]))(host, trap, pthen)))[n];
      put(n, v);
      return v;
    } });
  });
});
def(trap, 'hb', { value: trapHB });
put('__aios_trap', trap);
// For the host: run an activation; settle a blocking call; and the makers it calls while it answers a syscall
// (a Uint8Array over a buffer, a value from the JSON wire, an error from its JSON, the promise of a blocking call).
return [function run(e, id, kind, v) {
  pthen(new P(function (r) { r(e.dispatch(kind, v)); }), function (v) { if (v === undefined) host(1, id, 0); else host(1, id, 0, JS(v)); }, function (x) { host(1, id, 1, x); });
}, function settle(n, ok, r) {
  var f = pend.get(n);
  pend.delete(n);
  if (f) f[ok ? 0 : 1](r);
}, function (b) { return new U8(b); }, function (t, f, ...b) {
  return f === undefined ? JP(t) : wire().value(t, f, b);
}, function (t) {
  var x = JP(t), e = new Error(x.m);
  if (x.c) e.name = 'AiosError', e.code = x.c, e.errno = x.x, e.detail = x.d;
  return e;
}, function (n) {
  return new P(function (f, j) { pend.set(n, [f, j]); });
}, function (f, b) {
  // a plain data message (IPCRecv, IPCWait): one call instead of an object built key by key; no handles is one
  // frozen empty list, as the kernel hands native agents
  return { from: f, data: new U8(b), handles: NOH, tag: 'data' };
}, function (b, m, sp) {
  // IPCRecvMany: int32 [from, length] per message in m; the plain ones' bytes one after the other in b (each
  // message's data is a view of b); length -1 takes the next of sp, a message built key by key. The result is
  // the agent's own array: setters it put on Array.prototype only see its own messages.
  var h = new I32(m), n = h.length >> 1, out = [], i, o = 0, j = 0, l;
  for (i = 0; i < n; i++) {
    l = h[2 * i + 1];
    if (l < 0) out[i] = sp[j++];
    else out[i] = { from: h[2 * i], data: new U8(b, o, l), handles: NOH, tag: 'data' }, o += l;
  }
  return out;
}];
})`;

/**
 * The JSON path of the prelude's trap and of results only JSON carries (see codec.ts), compiled in a sandbox the
 * first time its agent needs it. Gets the intrinsics the prelude captured (k); trusts nothing global.
 */
const WIRE_MODULE = String.raw`(function (host, k) {
'use strict';
var fail = k.fail, big = k.big, isU8 = k.isU8, add = k.add, bytes = k.bytes, BLEN = k.BLEN, APPLY = k.APPLY, JP = k.JP,
  JS = k.JS, isArr = k.isArr, keys = k.keys, isView = k.isView, AB = k.AB, U8 = k.U8, MAXW = 16777216;
function noBytes(k, v) { return typeof v === 'object' && v !== null && isU8(v) ? null : v; }
// Walks one value the agent passes: checks that it can cross, counts its size, and lists in fx the nodes JSON
// cannot carry ([kind, ...path]: 0 bytes (copied into b), 1 undefined in an array, 2 NaN, 3 Infinity, 4 -Infinity).
function scan(v, d, s, p, fx, b, inArr) {
  big(s, 16);
  var t = typeof v, i, k;
  if (t === 'string') return big(s, v.length);
  if (t === 'number') { if (v - v !== 0) fix(fx, v !== v ? 2 : v > 0 ? 3 : 4, p); return; }
  if (t === 'boolean' || v === null) return;
  if (t === 'undefined') { if (inArr) fix(fx, 1, p); return; }
  if (t !== 'object') fail('EINVAL', 22, 'a ' + t + ' cannot be passed to the kernel');
  if (d > 31) fail('EINVAL', 22, 'argument nested deeper than 32 levels (or cyclic)');
  if (isU8(v)) { big(s, BLEN(v)); add(b, v); fix(fx, 0, p); return; }
  if (isView(v) || v instanceof AB) fail('EINVAL', 22, 'binary data must be a Uint8Array');
  if (isArr(v)) for (i = 0; i < v.length; i++) add(p, i), scan(v[i], d + 1, s, p, fx, b, 1), p.length--;
  else for (k = keys(v), i = 0; i < k.length; i++) big(s, k[i].length), add(p, k[i]), scan(v[k[i]], d + 1, s, p, fx, b, 0), p.length--;
}
// Records a fixup [kind, ...path] (built without Array.prototype, which the agent may have changed).
function fix(fx, kind, p) {
  var f = [kind], i;
  for (i = 0; i < p.length; i++) add(f, p[i]);
  add(fx, f);
}
// Places what JSON could not carry (fixups fx, bytes b from index bi) into a parsed value; returns the value.
function place(x, fx, b, bi) {
  var i, j, f, o, v;
  for (i = 0; i < fx.length; i++) {
    f = fx[i];
    v = f[0] === 0 ? new U8(b[bi++]) : f[0] === 1 ? undefined : f[0] === 2 ? NaN : f[0] === 3 ? Infinity : -Infinity;
    if (f.length === 1) { x = v; continue; }
    for (o = x, j = 1; j < f.length - 1; j++) o = o[f[j]];
    o[f[j]] = v;
  }
  return x;
}
// host(6, nr, json[, fixups json, ...buffers]) for n arguments that are not all plain.
function send(nr, args, n) {
  var s = { n: 0 }, fx = [], b = [], i, v, t;
  for (i = 0; i < n; i++) {
    v = args[i]; t = typeof v;
    if (t === 'string') big(s, v.length + 16);
    else if (!((t === 'number' && v - v === 0) || t === 'boolean' || v === null)) scan(v, 1, s, [i], fx, b, 1);
  }
  try { t = b.length ? JS(args, noBytes) : JS(args); } catch (x) { fail('EINVAL', 22, 'syscall arguments cannot be encoded (cyclic?)'); }
  if (typeof t !== 'string') fail('EINVAL', 22, 'syscall arguments cannot be encoded');
  if (t.length > MAXW) fail('EMSGSIZE', 90, 'argument larger than 16 MiB');
  if (fx.length === 0) return host(6, nr, t);
  v = [6, nr, t, JS(fx)];
  for (i = 0; i < b.length; i++) add(v, bytes(b[i]));
  return APPLY(host, undefined, v);
}
return { send: send, value: function (t, f, b) { return place(JP(t), JP(f), b, 0); } };
})`;

/** The URL module (a WHATWG-style subset). */
const URL_MODULE = String.raw`(function () {
'use strict';
var SPECIAL = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443', 'ftp:': '21', 'file:': '' };
function fail() { throw new TypeError('Invalid URL'); }
function enc(s) { return encodeURIComponent(s).replace(/%20/g, '+'); }
function dcd(s) { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch (e) { return s; } }
function normPath(p) {
  var out = [], segs = p.split('/'), i, s;
  for (i = 1; i < segs.length; i++) {
    s = segs[i];
    if (s === '..' || s === '%2e%2e') { if (out.length) out.pop(); if (i === segs.length - 1) out.push(''); }
    else if (s === '.' || s === '%2e') { if (i === segs.length - 1) out.push(''); }
    else out.push(s);
  }
  return '/' + out.join('/');
}
function parse(input) {
  var m = /^([a-zA-Z][a-zA-Z0-9+.\-]*):(.*)$/.exec(input);
  if (!m) return null;
  var u = { protocol: m[1].toLowerCase() + ':', username: '', password: '', hostname: '', port: '', pathname: '', search: '', hash: '' };
  var rest = m[2], i = rest.indexOf('#');
  if (i >= 0) { u.hash = rest.slice(i); rest = rest.slice(0, i); if (u.hash === '#') u.hash = ''; }
  i = rest.indexOf('?');
  if (i >= 0) { u.search = rest.slice(i); rest = rest.slice(0, i); if (u.search === '?') u.search = ''; }
  var special = u.protocol in SPECIAL;
  if (special) rest = rest.replace(/\\/g, '/');
  if (rest.slice(0, 2) === '//') {
    rest = rest.slice(2);
    i = rest.indexOf('/'); if (i < 0) i = rest.length;
    var auth = rest.slice(0, i); rest = rest.slice(i);
    i = auth.lastIndexOf('@');
    if (i >= 0) { var cred = auth.slice(0, i); auth = auth.slice(i + 1); var c = cred.indexOf(':'); u.username = c < 0 ? cred : cred.slice(0, c); u.password = c < 0 ? '' : cred.slice(c + 1); }
    var hm = /^(\[[0-9a-fA-F:.]+\]|[^:\[\]]*)(?::(\d*))?$/.exec(auth);
    if (!hm) fail();
    u.hostname = special ? hm[1].toLowerCase() : hm[1];
    if (/[\s<>^|%]/.test(u.hostname)) fail();
    if (special && u.protocol !== 'file:' && !u.hostname) fail();
    if (hm[2]) { var n = +hm[2]; if (n > 65535) fail(); u.port = String(n) === SPECIAL[u.protocol] ? '' : String(n); }
    u.pathname = special ? normPath(rest || '/') : rest;
  } else {
    if (special && u.protocol !== 'file:') fail();
    u.pathname = rest;
    u.opaque = true;
  }
  return u;
}
function resolve(input, base) {
  var u = parse(input);
  if (u) return u;
  if (!base || base.opaque) fail();
  u = { protocol: base.protocol, username: base.username, password: base.password, hostname: base.hostname, port: base.port, pathname: base.pathname, search: base.search, hash: '' };
  var i = input.indexOf('#');
  if (i >= 0) { u.hash = input.slice(i); input = input.slice(0, i); if (u.hash === '#') u.hash = ''; }
  if (input === '') return u;
  if (input.slice(0, 2) === '//') return parse(base.protocol + input) || fail();
  i = input.indexOf('?');
  var path = input, search = '';
  if (i >= 0) { search = input.slice(i); path = input.slice(0, i); if (search === '?') search = ''; }
  u.search = search;
  if (path === '') return u;
  if (path[0] !== '/') path = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1) + path;
  u.pathname = normPath(path);
  return u;
}
class URLSearchParams {
  constructor(init) {
    this._l = []; this._u = null;
    if (init === undefined || init === null) return;
    if (typeof init === 'object') {
      var src = init instanceof URLSearchParams ? init._l : Array.isArray(init) ? init : Object.keys(init).map(function (k) { return [k, init[k]]; });
      for (var j = 0; j < src.length; j++) this._l.push([String(src[j][0]), String(src[j][1])]);
      return;
    }
    this._parse(String(init));
  }
  _parse(s) {
    this._l = [];
    if (s[0] === '?') s = s.slice(1);
    var parts = s.split('&');
    for (var i = 0; i < parts.length; i++) {
      if (!parts[i]) continue;
      var e = parts[i].indexOf('=');
      this._l.push(e < 0 ? [dcd(parts[i]), ''] : [dcd(parts[i].slice(0, e)), dcd(parts[i].slice(e + 1))]);
    }
  }
  _sync() { if (this._u) { var s = this.toString(); this._u._p.search = s ? '?' + s : ''; } }
  get size() { return this._l.length; }
  get(k) { k = String(k); for (var i = 0; i < this._l.length; i++) if (this._l[i][0] === k) return this._l[i][1]; return null; }
  getAll(k) { k = String(k); return this._l.filter(function (p) { return p[0] === k; }).map(function (p) { return p[1]; }); }
  has(k) { return this.get(k) !== null; }
  append(k, v) { this._l.push([String(k), String(v)]); this._sync(); }
  set(k, v) {
    k = String(k); v = String(v);
    var i = this._l.findIndex(function (p) { return p[0] === k; });
    if (i < 0) this._l.push([k, v]); else { this._l[i][1] = v; this._l = this._l.filter(function (p, j) { return j <= i || p[0] !== k; }); }
    this._sync();
  }
  delete(k) { k = String(k); this._l = this._l.filter(function (p) { return p[0] !== k; }); this._sync(); }
  forEach(fn, self) { var l = this._l.slice(); for (var i = 0; i < l.length; i++) fn.call(self, l[i][1], l[i][0], this); }
  keys() { return this._l.map(function (p) { return p[0]; })[Symbol.iterator](); }
  values() { return this._l.map(function (p) { return p[1]; })[Symbol.iterator](); }
  entries() { return this._l.map(function (p) { return [p[0], p[1]]; })[Symbol.iterator](); }
  [Symbol.iterator]() { return this.entries(); }
  toString() { return this._l.map(function (p) { return enc(p[0]) + '=' + enc(p[1]); }).join('&'); }
}
class URL {
  constructor(input, base) {
    var b = base === undefined ? null : base instanceof URL ? base._p : resolve(String(base).trim(), null);
    this._p = resolve(String(input).trim(), b);
    this._q = null;
  }
  static canParse(input, base) { try { new URL(input, base); return true; } catch (e) { return false; } }
  get protocol() { return this._p.protocol; }
  get username() { return this._p.username; }
  get password() { return this._p.password; }
  get hostname() { return this._p.hostname; }
  get port() { return this._p.port; }
  get host() { return this._p.hostname + (this._p.port ? ':' + this._p.port : ''); }
  get origin() { var p = this._p.protocol; return p in SPECIAL && p !== 'file:' ? p + '//' + this.host : 'null'; }
  get pathname() { return this._p.pathname; }
  get search() { return this._p.search; }
  get hash() { return this._p.hash; }
  get searchParams() {
    if (!this._q) { this._q = new URLSearchParams(this._p.search); this._q._u = this; }
    else if (this._q.toString() !== this._p.search.slice(1)) this._q._parse(this._p.search);
    return this._q;
  }
  get href() {
    var p = this._p, auth = '';
    if (p.opaque) return p.protocol + p.pathname + p.search + p.hash;
    if (p.username || p.password) auth = p.username + (p.password ? ':' + p.password : '') + '@';
    return p.protocol + '//' + auth + this.host + p.pathname + p.search + p.hash;
  }
  toString() { return this.href; }
  toJSON() { return this.href; }
}
return { URL: URL, URLSearchParams: URLSearchParams };
})`;

/**
 * Modules of globals (and the trap's JSON path, `wire`), each compiled in a sandbox only when its code first touches one of its
 * names. Each is a function (host, trap, pthen) returning an object of globals; pthen(p, ok, fail)
 * is the captured Promise.prototype.then.
 */
export const MODULES: Readonly<Record<string, string>> = {
  console: String.raw`(function (host, trap) {
'use strict';
function fmt(v) {
  try {
    var t = typeof v;
    if (t === 'string') return v;
    if (t === 'function') return '[Function ' + (v.name || 'anonymous') + ']';
    if (t === 'bigint') return v + 'n';
    if (t !== 'object' || v === null) return String(v);
    if (v instanceof Error) return v.stack ? v.name + ': ' + v.message + '\n' + v.stack : v.name + ': ' + v.message;
    if (v instanceof Uint8Array) return 'Uint8Array(' + v.length + ') [' + Array.prototype.slice.call(v, 0, 64).join(', ') + (v.length > 64 ? ', ...' : '') + ']';
    var j;
    try { j = JSON.stringify(v); } catch (e) { }
    return j === undefined ? String(v) : j;
  } catch (e) { return '[unprintable]'; }
}
function say(pre) {
  return function () {
    var a = [], i;
    if (pre) a.push(pre);
    for (i = 0; i < arguments.length; i++) a.push(fmt(arguments[i]));
    try { trap(19, a); } catch (e) { }
  };
}
return { console: { log: say(''), info: say(''), debug: say('[debug]'), warn: say('[warn]'), error: say('[error]') } };
})`,
  timers: String.raw`(function (host, trap, pthen) {
'use strict';
var tid = 0, live = new Map();
function report(where, e) { try { console.error('uncaught in ' + where + ':', e); } catch (x) { } }
function arm(id, fn, ms, args, rep) {
  pthen(trap(30, [ms]), function () {
    if (!live.has(id)) return;
    if (rep) arm(id, fn, ms, args, rep); else live.delete(id);
    try { if (typeof fn === 'function') fn.apply(undefined, args); } catch (e) { report('timer', e); }
  }, function () { live.delete(id); });
}
function timer(rep) {
  return function (fn, ms) {
    var id = ++tid; ms = +ms; if (!(ms >= 0)) ms = 0;
    live.set(id, 1); arm(id, fn, ms, Array.prototype.slice.call(arguments, 2), rep);
    return id;
  };
}
function clear(id) { live.delete(id); }
return {
  setTimeout: timer(false), setInterval: timer(true), clearTimeout: clear, clearInterval: clear,
  queueMicrotask: function (fn) {
    if (typeof fn !== 'function') throw new TypeError('queueMicrotask: expected a function');
    pthen(Promise.resolve(), function () { try { fn(); } catch (e) { report('microtask', e); } });
  }
};
})`,
  crypto: String.raw`(function (host) {
'use strict';
function getRandomValues(a) {
  if (!ArrayBuffer.isView(a) || a instanceof DataView || a instanceof Float32Array || a instanceof Float64Array) throw new TypeError('getRandomValues: expected an integer typed array');
  if (a.byteLength > 65536) { var q = new Error('getRandomValues: at most 65536 bytes'); q.name = 'QuotaExceededError'; throw q; }
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(new Uint8Array(host(2, a.byteLength)));
  return a;
}
function randomUUID() {
  var h = Array.prototype.map.call(getRandomValues(new Uint8Array(16)), function (x, i) {
    if (i === 6) x = (x & 15) | 64; else if (i === 8) x = (x & 63) | 128;
    return (x + 256).toString(16).slice(1);
  }).join('');
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
}
return { crypto: { getRandomValues: getRandomValues, randomUUID: randomUUID } };
})`,
  text: String.raw`(function (host) {
'use strict';
// Strings cross to the host as JSON text both ways: a raw string would be cut at U+0000 and
// would lose lone surrogates. The host does the UTF-8 work with Node's own encoder and decoder.
var U8 = Uint8Array, AB = ArrayBuffer, JP = JSON.parse, JS = JSON.stringify;
function bytes(a) {
  if (!(a instanceof AB) && !AB.isView(a)) throw new TypeError('TextDecoder.decode: expected an ArrayBuffer or a view');
  return a instanceof AB ? new U8(a) : new U8(a.buffer, a.byteOffset, a.byteLength);
}
// Start of an unfinished UTF-8 sequence at the end of b that more bytes could still complete
// (kept for the next call when streaming), or b.length when there is none.
function tail(b) {
  var n = b.length, i = n - 1, k = 0, c, need, d;
  while (i >= 0 && k < 3 && (b[i] & 192) === 128) i--, k++;
  if (i < 0) return n;
  c = b[i];
  need = c >= 240 && c <= 244 ? 4 : c >= 224 && c < 240 ? 3 : c >= 194 && c < 224 ? 2 : 0;
  if (need === 0 || n - i >= need) return n;
  if (n - i >= 2) {
    d = b[i + 1];
    if (d < (c === 224 ? 160 : c === 240 ? 144 : 128) || d > (c === 237 ? 159 : c === 244 ? 143 : 191)) return n;
  }
  return i;
}
class TextEncoder {
  get encoding() { return 'utf-8'; }
  encode(s) { return new U8(host(3, JS(s === undefined ? '' : String(s)))); }
  encodeInto(s, dest) {
    if (!(dest instanceof U8)) throw new TypeError('TextEncoder.encodeInto: destination must be a Uint8Array');
    s = String(s);
    var read = 0, written = 0, i = 0, c, n;
    while (i < s.length) {
      c = s.codePointAt(i);
      if (c >= 55296 && c <= 57343) c = 65533;
      n = c < 128 ? 1 : c < 2048 ? 2 : c < 65536 ? 3 : 4;
      if (written + n > dest.length) break;
      if (n === 1) dest[written] = c;
      else if (n === 2) dest[written] = 192 | (c >> 6), dest[written + 1] = 128 | (c & 63);
      else if (n === 3) dest[written] = 224 | (c >> 12), dest[written + 1] = 128 | ((c >> 6) & 63), dest[written + 2] = 128 | (c & 63);
      else dest[written] = 240 | (c >> 18), dest[written + 1] = 128 | ((c >> 12) & 63), dest[written + 2] = 128 | ((c >> 6) & 63), dest[written + 3] = 128 | (c & 63);
      written += n; i += c > 65535 ? 2 : 1; read = i;
    }
    return { read: read, written: written };
  }
}
class TextDecoder {
  constructor(l, o) {
    if (l !== undefined && !/^\s*(utf-?8|unicode-1-1-utf-8)\s*$/i.test(l)) throw new RangeError('TextDecoder: only utf-8 is supported');
    this.fatal = !!(o && o.fatal); this.ignoreBOM = !!(o && o.ignoreBOM);
    this._held = null; this._begun = false;
  }
  get encoding() { return 'utf-8'; }
  decode(a, o) {
    var b = a === undefined ? new U8(0) : bytes(a), stream = !!(o && o.stream), h = this._held, m, cut, out;
    if (h !== null) { m = new U8(h.length + b.length); m.set(h); m.set(b, h.length); b = m; }
    this._held = null;
    cut = stream ? tail(b) : b.length;
    if (cut < b.length) this._held = b.slice(cut);
    try {
      out = JP(host(4, b.slice(0, cut).buffer, this.fatal ? 1 : 0, this.ignoreBOM || this._begun ? 1 : 0));
    } catch (e) {
      this._held = null; this._begun = false;
      throw e;
    }
    this._begun = stream && (this._begun || cut > 0);
    return out;
  }
}
return { TextEncoder: TextEncoder, TextDecoder: TextDecoder };
})`,
  url: URL_MODULE,
  wire: WIRE_MODULE,
};

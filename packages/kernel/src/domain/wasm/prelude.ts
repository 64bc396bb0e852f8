// The JavaScript evaluated in every wasm sandbox before the agent's image: it builds the
// globals (console, timers, crypto, TextEncoder/TextDecoder, lazy URL) and `__aios_trap` on top
// of ONE private host function, and returns [bind, run] to the host. It trusts nothing global
// after it ran: what it needs later is captured here. Keep it small: it is compiled per agent.
//
// Host ops (first argument of the private host function):
//   0 trap(nr, wireText, ...buffers)  -> undefined | 'v'+json | 'e'+json | [text, ...buffers] | promise of those
//   1 done(id, failed, errorJson?)    -> settles the host promise of dispatch `id`
//   2 random(n)                       -> ArrayBuffer of n random bytes
//   3 utf8encode(string)              -> ArrayBuffer
//   4 utf8decode(buffer, fatal, ignoreBOM) -> string (throws TypeError on bad input when fatal)
//   5 urlSource()                     -> source text of the URL module (evaluated on first use)

export const PRELUDE = String.raw`(function (host) {
'use strict';
var G = globalThis, JP = JSON.parse, JS = JSON.stringify, U8 = Uint8Array, AB = ArrayBuffer, isView = AB.isView,
  isArr = Array.isArray, keys = Object.keys, def = Object.defineProperty, P = Promise, then = P.prototype.then,
  ev = eval, MAXN = 16777216, MAXD = 32, entry;
function fail(c, x, m) { var e = new Error(m); e.name = 'AiosError'; e.code = c; e.errno = x; throw e; }
function enc(v, b, d, s) {
  if ((s.n += 8) > MAXN) fail('EMSGSIZE', 90, 'argument larger than 16 MiB');
  var t = typeof v, o, i, k;
  if (t === 'string') { if ((s.n += v.length) > MAXN) fail('EMSGSIZE', 90, 'argument larger than 16 MiB'); return v; }
  if (t === 'number') return v === v && v !== 1 / 0 && v !== -1 / 0 ? v : [4, '' + v];
  if (t === 'boolean' || v === null) return v;
  if (t === 'undefined') return [3];
  if (t !== 'object') fail('EINVAL', 22, 'a ' + t + ' cannot be passed to the kernel');
  if (d >= MAXD) fail('EINVAL', 22, 'argument nested deeper than 32 levels (or cyclic)');
  if (v instanceof U8) {
    if ((s.n += v.length) > MAXN) fail('EMSGSIZE', 90, 'argument larger than 16 MiB');
    b.push(v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v.buffer : v.slice().buffer);
    return [2, b.length - 1];
  }
  if (isView(v) || v instanceof AB) fail('EINVAL', 22, 'binary data must be a Uint8Array');
  if (isArr(v)) { o = [0]; for (i = 0; i < v.length; i++) o.push(enc(v[i], b, d + 1, s)); return o; }
  o = [1]; k = keys(v);
  for (i = 0; i < k.length; i++) o.push(k[i], enc(v[k[i]], b, d + 1, s));
  return o;
}
function dec(t, b) {
  if (typeof t !== 'object' || t === null) return t;
  var o, i;
  switch (t[0]) {
    case 0: o = []; for (i = 1; i < t.length; i++) o.push(dec(t[i], b)); return o;
    case 1: o = {}; for (i = 1; i < t.length; i += 2) if (t[i] !== '__proto__') o[t[i]] = dec(t[i + 1], b); return o;
    case 2: return new U8(b[t[1]]);
    case 4: return +t[1];
  }
}
function unwrap(r) {
  if (r === undefined) return undefined;
  var s = r, b = [];
  if (isArr(r)) { s = r[0]; b = r.slice(1); }
  var x = JP(s.slice(1));
  if (s[0] !== 'e') return dec(x, b);
  var e = new Error(x.m);
  if (x.c) { e.name = 'AiosError'; e.code = x.c; e.errno = x.x; if (x.d !== undefined) e.detail = dec(x.d, b); }
  throw e;
}
function trap(nr, args) {
  if (!isArr(args)) fail('EINVAL', 22, 'syscall arguments must be an array');
  var b = [], r = host(0, nr, JS(enc(args, b, 0, { n: 0 })), ...b);
  return r !== null && typeof r === 'object' && !isArr(r) ? then.call(r, unwrap) : unwrap(r);
}
function str(x) { return typeof x === 'string' ? x : undefined; }
function fmt(v) {
  try {
    var t = typeof v;
    if (t === 'string') return v;
    if (t === 'function') return '[Function ' + (v.name || 'anonymous') + ']';
    if (t === 'bigint') return v + 'n';
    if (t !== 'object' || v === null) return String(v);
    if (v instanceof Error) return v.stack ? v.name + ': ' + v.message + '\n' + v.stack : v.name + ': ' + v.message;
    if (v instanceof U8) return 'Uint8Array(' + v.length + ') [' + Array.prototype.slice.call(v, 0, 64).join(', ') + (v.length > 64 ? ', ...' : '') + ']';
    var j = JS(v);
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
var tid = 0, live = new Map();
function arm(id, fn, ms, args, rep) {
  then.call(trap(30, [ms]), function () {
    if (!live.has(id)) return;
    if (rep) arm(id, fn, ms, args, rep); else live.delete(id);
    try { if (typeof fn === 'function') fn.apply(undefined, args); } catch (e) { say('[error] uncaught in timer:')(e); }
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
function getRandomValues(a) {
  if (!isView(a) || a instanceof DataView || a instanceof Float32Array || a instanceof Float64Array) throw new TypeError('getRandomValues: expected an integer typed array');
  if (a.byteLength > 65536) { var q = new Error('getRandomValues: at most 65536 bytes'); q.name = 'QuotaExceededError'; throw q; }
  new U8(a.buffer, a.byteOffset, a.byteLength).set(new U8(host(2, a.byteLength)));
  return a;
}
function randomUUID() {
  var h = Array.prototype.map.call(getRandomValues(new U8(16)), function (x, i) {
    if (i === 6) x = (x & 15) | 64; else if (i === 8) x = (x & 63) | 128;
    return (x + 256).toString(16).slice(1);
  }).join('');
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
}
class TextEncoder {
  get encoding() { return 'utf-8'; }
  encode(s) { return new U8(host(3, s === undefined ? '' : String(s))); }
}
class TextDecoder {
  constructor(label, o) {
    label = label === undefined ? 'utf-8' : String(label).trim().toLowerCase();
    if (label !== 'utf-8' && label !== 'utf8' && label !== 'unicode-1-1-utf-8') throw new RangeError('TextDecoder: only utf-8 is supported');
    this.fatal = !!(o && o.fatal); this.ignoreBOM = !!(o && o.ignoreBOM);
  }
  get encoding() { return 'utf-8'; }
  decode(a) {
    if (a === undefined) return '';
    var u = a instanceof AB ? new U8(a) : isView(a) ? new U8(a.buffer, a.byteOffset, a.byteLength) : null;
    if (!u) throw new TypeError('TextDecoder.decode: expected an ArrayBuffer or a view');
    return host(4, u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? u.buffer : u.slice().buffer, this.fatal ? 1 : 0, this.ignoreBOM ? 1 : 0);
  }
}
function put(n, v) { def(G, n, { value: v, writable: true, configurable: true, enumerable: false }); }
var url;
['URL', 'URLSearchParams'].forEach(function (n, i) {
  def(G, n, {
    configurable: true, enumerable: false,
    get: function () { if (!url) url = (0, ev)(host(5)); put(n, url[i]); return url[i]; },
    set: function (v) { put(n, v); }
  });
});
put('console', { log: say(''), info: say(''), debug: say('[debug]'), warn: say('[warn]'), error: say('[error]') });
put('setTimeout', timer(false)); put('setInterval', timer(true)); put('clearTimeout', clear); put('clearInterval', clear);
put('queueMicrotask', function (fn) {
  if (typeof fn !== 'function') throw new TypeError('queueMicrotask: expected a function');
  then.call(P.resolve(), function () { try { fn(); } catch (e) { say('[error] uncaught in microtask:')(e); } });
});
put('crypto', { getRandomValues: getRandomValues, randomUUID: randomUUID });
put('TextEncoder', TextEncoder); put('TextDecoder', TextDecoder);
put('__aios_trap', trap);
function bind() {
  var a = G.__aios_agent, e = a && a.entry, i;
  if (!e || typeof e.dispatch !== 'function') return '';
  entry = e; i = e.info || {};
  return JS({ hasMain: !!i.hasMain, hasOnMessage: !!i.hasOnMessage, name: str(i.name), version: str(i.version), description: str(i.description) });
}
function why(e) {
  try {
    if (e !== null && typeof e === 'object') return JS([String(e.name), String(e.message), String(e.stack || ''), str(e.code)]);
    return JS(['Error', String(e), '']);
  } catch (x) { return JS(['Error', 'the agent threw a value that cannot be printed', '']); }
}
function run(id, kind, t, ...b) {
  var p;
  try { p = P.resolve(entry.dispatch(kind, dec(JP(t), b))); } catch (e) { p = P.reject(e); }
  then.call(p, function () { host(1, id, 0); }, function (e) { host(1, id, 1, why(e)); });
}
return [bind, run];
})`;

/** The URL module, compiled in a sandbox only when its code first touches URL or URLSearchParams. */
export const URL_SOURCE = String.raw`(function () {
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
return [URL, URLSearchParams];
})()`;

// Three cluster members in one process over the real NATS server (127.0.0.1:4222), each test with its own
// subject and bucket prefix, removed afterwards.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, type ClusterAuditEvent } from './index.ts';

const URL = process.env.AIOS_TEST_NATS ?? 'nats://127.0.0.1:4222';
// Short enough to see suspect and down within a test, long enough that a loaded machine (CI runs two test files
// at once) never marks a live node down between two heartbeats.
const fast = { heartbeatMs: 200, suspectMs: 1_500, downMs: 3_000 };
let open: Cluster[] = [];

async function trio(prefix: string, cookies = ['cookie-aaaa', 'cookie-aaaa', 'cookie-aaaa'], extra = {}): Promise<{ nodes: Cluster[]; audits: ClusterAuditEvent[][] }> {
  const audits: ClusterAuditEvent[][] = [[], [], []];
  const nodes = await Promise.all(['a', 'b', 'c'].map((n, i) => Cluster.join({ url: URL, node: n, cookie: cookies[i]!, prefix, ...fast, ...extra, audit: (e) => audits[i]!.push(e) })));
  open.push(...nodes);
  return { nodes, audits };
}

const until = async (f: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const prefix = (): string => `t${randomBytes(4).toString('hex')}`;

afterEach(async () => {
  const [first, ...rest] = open;
  open = [];
  await Promise.all(rest.map((c) => c.close()));
  await first?.close({ destroy: true });
});

describe('transport-nats', () => {
  it('cluster - directory lists every node up, then a silent node suspect, down and gone from agent lookups', async () => {
    const { nodes } = await trio(prefix());
    const [a, b, c] = nodes as [Cluster, Cluster, Cluster];
    await c.putAgent({ name: 'echo', id: 7 });
    await until(() => a.nodes().length === 3 && a.directory.agent('echo@c') !== null);
    expect(a.nodes().map((n) => [n.name, n.state])).toEqual([['a', 'up'], ['b', 'up'], ['c', 'up']]);
    expect(a.directory.agent('echo@c')).toMatchObject({ node: 'c', name: 'echo', id: 7 });
    // c stops heartbeating without leaving (as a killed process would).
    (c as unknown as { timer: NodeJS.Timeout }).timer.unref();
    clearInterval((c as unknown as { timer: NodeJS.Timeout }).timer);
    await until(() => a.nodes().find((n) => n.name === 'c')?.state === 'suspect');
    await until(() => a.nodes().find((n) => n.name === 'c')?.state === 'down');
    expect(a.directory.agent('echo@c')).toBeNull();
    await expect(a.request('c', 'ping', {})).rejects.toMatchObject({ code: 'EIO', detail: { node: 'c' } });
    expect(b.nodes().length).toBeGreaterThanOrEqual(2);
  });

  it('cluster - request/reply over an encrypted link; errors round-trip with their code', async () => {
    const { nodes, audits } = await trio(prefix());
    const [a, b] = nodes as [Cluster, Cluster];
    b.handle('add', (from, body) => ({ from, sum: Number(body.x) + Number(body.y) }));
    b.handle('fail', () => {
      throw Object.assign(new Error('no such thing'), { name: 'AiosError', code: 'ENOENT', detail: { what: 'thing' } });
    });
    expect(await a.request('b', 'add', { x: 2, y: 3 })).toEqual({ from: 'a', sum: 5 });
    await expect(a.request('b', 'fail', {})).rejects.toMatchObject({ code: 'ENOENT', detail: { what: 'thing', node: 'b' } });
    await expect(a.request('b', 'nope', {})).rejects.toMatchObject({ code: 'ENOSYS' });
    expect(audits[0]!.some((e) => e.action === 'LinkUp' && e.node === 'b')).toBe(true);
    expect(audits[1]!.some((e) => e.action === 'LinkUp' && e.node === 'a')).toBe(true);
  });

  it('cluster - a node with another cookie exchanges no message; the refusal is audited on both sides', async () => {
    const { nodes, audits } = await trio(prefix(), ['cookie-aaaa', 'cookie-aaaa', 'cookie-zzzz']);
    const [a, , c] = nodes as [Cluster, Cluster, Cluster];
    let delivered = 0;
    a.handle('ping', () => ++delivered);
    a.onFrame('msg', () => delivered++);
    await expect(c.request('a', 'ping', {})).rejects.toMatchObject({ code: 'EACCES', detail: { node: 'a', reason: 'cookie' } });
    await expect(c.post('a', 'msg', {})).rejects.toMatchObject({ code: 'EACCES' });
    expect(delivered).toBe(0);
    expect(audits[0]!.filter((e) => e.action === 'LinkRefused' && e.node === 'c' && e.detail.reason === 'cookie').length).toBeGreaterThan(0);
    expect(audits[2]!.filter((e) => e.action === 'LinkRefused' && e.node === 'a').length).toBeGreaterThan(0);
    // Its directory entry does not verify under the cluster's cookie: a never lists it.
    await until(() => a.nodes().length === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.nodes().map((n) => n.name)).toEqual(['a', 'b']);
    expect(a.directory.forged).toBeGreaterThan(0);
  });

  it('cluster - tampered, replayed and forged link frames are rejected and never delivered', async () => {
    const p = prefix();
    const { nodes, audits } = await trio(p);
    const [a, b] = nodes as [Cluster, Cluster];
    const got: string[] = [];
    b.onFrame('msg', (_f, h) => got.push(String(h.n)));
    // Capture a's frames to b as the broker sees them.
    const seen: Uint8Array[] = [];
    const spy = b.connection.subscribe(`${p}.n.b`, { callback: (_e, m) => seen.push(m.data) });
    await a.post('b', 'msg', { n: 'one' });
    await until(() => got.length === 1 && seen.some((d) => d[0] === 0x44));
    const frame = seen.filter((d) => d[0] === 0x44).at(-1)!;
    // The broker sees no plaintext.
    expect(Buffer.from(frame).includes(Buffer.from('one'))).toBe(false);
    // A fresh sequence number (not a replay) on the old ciphertext: the AAD binds it, so authentication fails.
    const tampered = Uint8Array.from(frame);
    tampered[2 + 1 + 11] = (tampered[2 + 1 + 11]! + 100) & 0xff;
    a.connection.publish(`${p}.n.b`, tampered);
    a.connection.publish(`${p}.n.b`, frame); // replay
    await a.post('b', 'msg', { n: 'two' });
    await until(() => got.length === 2);
    spy.unsubscribe();
    expect(got).toEqual(['one', 'two']);
    expect(b.rejected.auth).toBe(2);
    expect(audits[1]!.filter((e) => e.action === 'LinkFrameRejected').map((e) => e.detail.reason).sort()).toEqual(['auth', 'replay']);
  });

  it('cluster - link keys rotate and traffic keeps flowing in order', async () => {
    const { nodes } = await trio(prefix(), undefined, { rekeyMessages: 10 });
    const [a, b] = nodes as [Cluster, Cluster];
    const got: number[] = [];
    b.onFrame('msg', (_f, h) => got.push(Number(h.n)));
    for (let i = 0; i < 35; i++) await a.post('b', 'msg', { n: i });
    await until(() => got.length === 35);
    expect(got).toEqual([...Array(35).keys()]);
    expect(a.linkEpoch('b')).toBe(3);
  });

  it('cluster - frames sent in one tick share sealed records and arrive in order; byte requests round-trip', async () => {
    const p = prefix();
    const { nodes } = await trio(p);
    const [a, b] = nodes as [Cluster, Cluster];
    await a.connect('b');
    const got: number[] = [];
    b.onFrame('msg', (_f, h, payload) => got.push(Number(h.n) * 1000 + payload.length));
    const records: Uint8Array[] = [];
    const spy = b.connection.subscribe(`${p}.n.b`, { callback: (_e, m) => records.push(m.data) });
    await b.connection.flush();
    const body = new Uint8Array(900).fill(7);
    b.onFrame('boom', () => {
      throw new Error('handler bug');
    });
    for (let i = 0; i < 300; i++) {
      expect(a.postNow('b', 'msg', { n: i }, body)).toBe(true);
      if (i % 100 === 50) a.postNow('b', 'boom', {}); // a throwing handler costs its own frame only
    }
    await until(() => got.length === 300);
    spy.unsubscribe();
    expect(got).toEqual([...Array(300).keys()].map((i) => i * 1000 + 900));
    // 300 frames of ~1 KiB in one tick: a few records of up to LINK_BATCH_BYTES, not 300.
    expect(records.filter((d) => d[0] === 0x44).length).toBeLessThan(30);
    b.handleBytes('rev', (_f, x) => Uint8Array.from(x).reverse());
    expect([...(await a.requestBytes('b', 'rev', Uint8Array.of(1, 2, 3)))]).toEqual([3, 2, 1]);
    // A JSON request to a byte op (and the reverse) is refused, not misread.
    await expect(a.request('b', 'rev', {})).rejects.toMatchObject({ code: 'EINVAL', detail: { op: 'rev', node: 'b' } });
    b.handle('json', async () => ({ ok: 1 }));
    await expect(a.requestBytes('b', 'json', Uint8Array.of(1))).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await a.request('b', 'json', {})).toEqual({ ok: 1 });
  });
});

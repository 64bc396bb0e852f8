// End-to-end: agents read and write mounted host folders through @aios/runtime/fs; every way
// out of a mount (.., absolute paths, links pointing out, a folder swapped for a link) is EACCES;
// writes are atomic and charged to fsBytes; every call leaves an audit record; scratch folders
// survive restarts and are copied by clone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestHost, runAgent } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';

let host: KernelHost;
let base: string;
let mount: string;
let outside: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'aios-io-'));
  mount = join(base, 'mount');
  outside = join(base, 'outside');
  mkdirSync(mount);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'top secret');
  writeFileSync(join(mount, 'hello.txt'), 'hello from the host');
  mkdirSync(join(mount, 'inner'));
  writeFileSync(join(mount, 'inner', 'deep.txt'), 'deep');
  symlinkSync(join(outside, 'secret.txt'), join(mount, 'link-out.txt'));
  symlinkSync(outside, join(mount, 'dir-out'));
  symlinkSync(join(mount, 'inner'), join(mount, 'dir-in'));
  host = createTestHost({ scratchDir: join(base, 'scratch') });
});
afterAll(() => {
  host.shutdown();
  rmSync(base, { recursive: true, force: true });
});

/** An agent that runs `body` (with fs imported) and logs its result as JSON, or the error code. */
const agent = (body: string): string => `
import { defineAgent } from '@aios/runtime';
import * as fs from '@aios/runtime/fs';
const code = async (p) => { try { await p; return 'ok'; } catch (e) { return e.code ?? String(e); } };
export default defineAgent({ name: 'io-test', async main(ctx) { const out = await (async () => { ${body} })(); ctx.log('OUT ' + JSON.stringify(out)); } });
`;
const out = (logs: string[]): unknown => JSON.parse(logs.find((l) => l.startsWith('OUT '))!.slice(4));

describe('io fs', () => {
  it('io fs - a mount is read and written through @aios/runtime/fs, atomically', async () => {
    const r = await runAgent(host, agent(`
      const before = await fs.readText('data/hello.txt');
      await fs.writeFile('data/new.txt', 'written by an agent');
      await fs.mkdir('data/made');
      await fs.writeFile('data/made/x.bin', new Uint8Array([1, 2, 3]));
      const listed = (await fs.list('data')).map((e) => e.name + ':' + e.type);
      const st = await fs.stat('data/made/x.bin');
      await fs.remove('data/made/x.bin');
      return { before, listed, size: st.size, mounts: fs.mounts() };
    `), { mounts: [{ name: 'data', host: mount }] });
    expect(r.code).toBe(0);
    const o = out(r.logs) as { before: string; listed: string[]; size: number; mounts: string[] };
    expect(o.before).toBe('hello from the host');
    expect(o.listed).toContain('new.txt:file');
    expect(o.listed).toContain('made:dir');
    expect(o.size).toBe(3);
    expect(o.mounts).toContain('data');
    expect(readFileSync(join(mount, 'new.txt'), 'utf8')).toBe('written by an agent');
    expect(readdirSync(join(mount, 'made'))).toEqual([]); // removed
    expect(readdirSync(mount).some((n) => n.startsWith('.aios-tmp-'))).toBe(false); // temp files renamed away
  });

  it('io fs - every call is audited with its path, bytes and result', async () => {
    const r = await runAgent(host, agent(`await fs.writeFile('data/audited.txt', '12345'); return await code(fs.readFile('data/nope.txt'));`), { mounts: [{ name: 'data', host: mount }] });
    expect(out(r.logs)).toBe('ENOENT');
    const recs = host.kernel.audit.records((x) => x.agent === r.id && x.syscall.startsWith('Fs'));
    expect(recs.map((x) => [x.syscall, x.result, x.detail?.path, x.detail?.bytes])).toEqual([
      ['FsWrite', 'ok', 'data/audited.txt', 5],
      ['FsRead', 'ENOENT', 'data/nope.txt', 0],
    ]);
  });

  it('io fs - escapes are refused with EACCES: .., absolute, links out, a folder swapped for a link', async () => {
    const r = await runAgent(host, agent(`
      return {
        dotdot: await code(fs.readText('data/../outside/secret.txt')),
        dotdotDeep: await code(fs.readText('data/inner/../../outside/secret.txt')),
        absolute: await code(fs.readText('/etc/passwd')),
        linkOut: await code(fs.readText('data/link-out.txt')),
        dirOut: await code(fs.readText('data/dir-out/secret.txt')),
        listOut: await code(fs.list('data/dir-out')),
        writeThroughDirOut: await code(fs.writeFile('data/dir-out/planted.txt', 'x')),
        linkIn: await fs.readText('data/dir-in/deep.txt'),
      };
    `), { mounts: [{ name: 'data', host: mount }] });
    expect(out(r.logs)).toEqual({ dotdot: 'EACCES', dotdotDeep: 'EACCES', absolute: 'EACCES', linkOut: 'EACCES', dirOut: 'EACCES', listOut: 'EACCES', writeThroughDirOut: 'EACCES', linkIn: 'deep' });
    expect(readdirSync(outside)).toEqual(['secret.txt']);
    const denied = host.kernel.audit.records((x) => x.agent === r.id && x.result === 'EACCES');
    expect(denied.length).toBe(6); // the absolute path never reaches the kernel: the runtime cannot name a mount for it
    expect(denied.every((x) => (x.detail?.policyIds as string[]).includes('mount'))).toBe(true);
  });

  it('io fs - read-only mounts and narrowed sub-mounts hold no more than granted', async () => {
    const r = await runAgent(host, `
      import { defineAgent, spawn } from '@aios/runtime';
      import * as fs from '@aios/runtime/fs';
      import { agentInfo, ipcWait, Rights } from '@aios/runtime/kernel';
      const CHILD = \`
        import { defineAgent } from '@aios/runtime';
        import * as fs from '@aios/runtime/fs';
        const code = async (p) => { try { await p; return 'ok'; } catch (e) { return e.code; } };
        export default defineAgent({ name: 'narrow', async main(ctx) {
          ctx.log('OUT ' + JSON.stringify({ read: await fs.readText('sub/deep.txt'), write: await code(fs.writeFile('sub/w.txt', 'x')), up: await code(fs.readText('sub/../hello.txt')), mounts: fs.mounts() }));
        } });\`;
      const code = async (p) => { try { await p; return 'ok'; } catch (e) { return e.code; } };
      export default defineAgent({ name: 'parent', async main(ctx) {
        const widen = await code(spawn({ source: CHILD }, { mounts: [{ name: 'sub', dir: 'ro', rights: Rights.READ | Rights.WRITE }] }));
        const host = await code(spawn({ source: CHILD }, { mounts: [{ name: 'sub', host: '/etc' }] }));
        const roWrite = await code(fs.writeFile('ro/x.txt', 'x'));
        const child = await spawn({ source: CHILD }, { name: 'narrow', mounts: [{ name: 'sub', dir: 'data', path: 'inner', readOnly: true }] });
        const id = agentInfo(child).id;
        for (;;) { const m = await ipcWait(10000); if (m.from === id && m.tag === 'exit') break; }
        ctx.log('OUT ' + JSON.stringify({ widen, host, roWrite }));
      } });
    `, { capabilities: ['spawn'], mounts: [{ name: 'data', host: mount }, { name: 'ro', host: mount, readOnly: true }] });
    expect(out(r.logs)).toEqual({ widen: 'EPERM', host: 'EPERM', roWrite: 'EPERM' });
    const child = [...host.kernel.agents.values()].find((a) => a.name === 'narrow')!;
    expect(out(child.logs)).toEqual({ read: 'deep', write: 'EPERM', up: 'EACCES', mounts: ['sub', 'scratch'] });
  });

  it('io fs - writes count against the fsBytes quota (EQUOTA) and replacing a file gives its bytes back', async () => {
    const r = await runAgent(host, agent(`
      const a = await code(fs.writeFile('data/q1.txt', 'x'.repeat(600)));
      const b = await code(fs.writeFile('data/q2.txt', 'x'.repeat(600)));
      const c = await code(fs.writeFile('data/q1.txt', 'x'.repeat(100)));
      const d = await code(fs.writeFile('data/q2.txt', 'x'.repeat(800)));
      return { a, b, c, d };
    `), { mounts: [{ name: 'data', host: mount }], quotas: { fsBytes: 1000 } });
    expect(out(r.logs)).toEqual({ a: 'ok', b: 'EQUOTA', c: 'ok', d: 'ok' });
    expect(readFileSync(join(mount, 'q2.txt'), 'utf8').length).toBe(800);
  });

  it('io fs - the scratch folder is private, survives a restart and is copied by clone', async () => {
    const first = await runAgent(host, agent(`await fs.writeFile('scratch/state.txt', 'remembered'); return fs.mounts();`), { name: 'keeper' });
    expect(out(first.logs)).toEqual(['scratch']);
    const again = await runAgent(host, agent(`return await fs.readText('scratch/state.txt');`), { name: 'keeper' });
    expect(out(again.logs)).toBe('remembered');
    const other = await runAgent(host, agent(`return await code(fs.readText('scratch/state.txt'));`), { name: 'someone-else' });
    expect(out(other.logs)).toBe('ENOENT');
    // clone: the copy gets its own folder holding a copy of the original's; later writes are not shared.
    const SERVER = `
      import { defineAgent } from '@aios/runtime';
      import * as fs from '@aios/runtime/fs';
      const dec = new TextDecoder();
      export default defineAgent({ name: 'scr', serialize: () => ({}), restore: () => {},
        async onMessage(m, ctx) { const t = dec.decode(m.data); if (t.startsWith('write ')) { await fs.writeFile('scratch/s.txt', t.slice(6)); ctx.log('WROTE'); } else ctx.log('READ ' + (await fs.readText('scratch/s.txt'))); } });`;
    const r = await runAgent(host, `
      import { defineAgent, spawn } from '@aios/runtime';
      import * as o from '@aios/runtime/orchestration';
      import * as k from '@aios/runtime/kernel';
      const enc = new TextEncoder();
      export default defineAgent({ name: 'cloner', async main(ctx) {
        const s = await spawn({ source: ${JSON.stringify(SERVER)} }, { name: 'scr' });
        k.ipcSend(s, enc.encode('write original'));
        await k.sleep(100);
        const copy = await o.clone(s);
        k.ipcSend(s, enc.encode('write changed'));
        await k.sleep(100);
        k.ipcSend(copy, enc.encode('read'));
        k.ipcSend(s, enc.encode('read'));
        await k.sleep(100);
        ctx.log('OUT ' + JSON.stringify([k.agentInfo(s).id, k.agentInfo(copy).id]));
      } });
    `, { name: 'cloner', capabilities: ['spawn', 'supervise'] });
    const [orig, copy] = out(r.logs) as [number, number];
    const linesOf = (id: number) => host.kernel.agents.get(id)!.logs.filter((l) => l.startsWith('READ '));
    expect(linesOf(copy)).toEqual(['READ original']);
    expect(linesOf(orig)).toEqual(['READ changed']);
  });
});

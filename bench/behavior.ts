// Judges the behavioural monitor (default thresholds) on a scripted workload: legitimate bursts a real user makes
// (150 spawns, 1,500 asks to a service, 2,000 puts to a service, each after a few quiet windows that set the
// baseline) against attack patterns (a storm of denials, forged handles, a spawn bomb, an IPC flood). For each
// scenario: did the monitor act on the client (throttle or quarantine), did it act on the service (it must not:
// an operator notice, security.service-notice, instead). False positives = legitimate scenarios acted on;
// detections = attacks acted on. Run: npx tsx --conditions=aios-source bench/behavior.ts (ONLY=<scenario name> for one)
import { createTestHost } from '@aios/testkit';

interface Scenario { name: string; kind: 'legitimate' | 'attack'; body: string; caps?: string[] }

const SERVICE = `import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'svc', async main() {
  for (;;) { const m = await k.ipcWait(60000); if (m.handles && m.handles[0] !== undefined) { try { k.ipcSend(m.handles[0], m.data); } catch {} try { k.handleClose(m.handles[0]); } catch {} } }
} });`;

// The client first works quietly for 4 windows (its baseline), then runs the scenario's burst.
const client = (body: string) => `import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
const CHILD = "import { defineAgent } from '@aios/runtime';\\nexport default defineAgent({ name: 'c', main() {} });";
export default defineAgent({ name: 'client', async main(ctx) {
  const svc = k.nsLookup('svc');
  const me = k.selfHandle();
  const reply = k.capDerive(me, k.Rights.SEND | k.Rights.TRANSFER);
  const ask = async () => { k.ipcSend(svc, new Uint8Array(64), { handles: [reply] }); await k.ipcWait(5000); };
  for (let w = 0; w < 4; w++) { for (let i = 0; i < 5; i++) await ask(); await k.sleep(1100); }
  let n = 0;
  try { ${body} } catch (e) { ctx.log('stopped ' + e.code + ' after ' + n); }
  ctx.log('done ' + n);
} });`;

const SCENARIOS: Scenario[] = [
  { name: '150 spawns', kind: 'legitimate', caps: ['spawn'], body: `for (; n < 150; n++) { k.agentSpawn({ source: CHILD }); if (n % 16 === 15) await k.sleep(5); }` },
  { name: '1,500 asks', kind: 'legitimate', body: `for (; n < 1500; n++) await ask();` },
  { name: '2,000 puts', kind: 'legitimate', body: `for (; n < 2000; n++) await ask();` },
  { name: 'denial storm', kind: 'attack', body: `for (; n < 3000; n++) { try { k.frameAlloc(1); } catch (e) { if (e.detail && e.detail.quarantined) throw e; } }` },
  { name: 'forged handles', kind: 'attack', body: `for (; n < 3000; n++) { try { k.agentKill(1000 + n); } catch (e) { if (e.detail && e.detail.quarantined) throw e; } }` },
  { name: 'spawn bomb', kind: 'attack', caps: ['spawn'], body: `for (; n < 1500; n++) k.agentSpawn({ source: CHILD });` },
  { name: 'IPC flood', kind: 'attack', body: `for (; n < 50000; n++) { try { k.ipcSend(svc, new Uint8Array(64)); } catch (e) { if (e.code !== 'EAGAIN') throw e; } }` },
];

async function run(s: Scenario): Promise<Record<string, unknown>> {
  const host = createTestHost({ config: { rootQuota: { spawns: 100_000 } } });
  const notices: unknown[] = [];
  const acted: string[] = [];
  host.kernel.subscribeHost('security.>', (e) => {
    if (e.topic === 'security.service-notice') notices.push(e.data);
    if (e.topic === 'security.throttle' || e.topic === 'security.quarantine') acted.push(`${e.topic.slice(9)}:${(e.data as { agent: number }).agent}`);
  });
  const svc = await host.spawn({ source: SERVICE }, { name: 'svc', domain: 'native', capabilities: ['service'] });
  const id = await host.spawn({ source: client(s.body) }, { name: 'client', services: { svc }, ...(s.caps ? { capabilities: s.caps, quotas: { spawns: 5000 } } : {}) });
  const t0 = Date.now();
  for (let i = 0; i < 1200 && host.kernel.agents.get(id)?.alive && !host.kernel.agents.get(id)?.behavior.quarantined; i++) await new Promise((r) => setTimeout(r, 50));
  const a = host.kernel.agents.get(id)!;
  const row = { scenario: s.name, kind: s.kind, clientActedOn: acted.some((x) => x.endsWith(`:${id}`)), actions: acted.filter((x) => x.endsWith(`:${id}`)).map((x) => x.split(':')[0]),
    serviceActedOn: acted.some((x) => x.endsWith(`:${svc}`)), serviceNotices: notices.length, clientTrust: Math.round(a.behavior.trust * 100) / 100, anomaly: Math.round(a.behavior.anomaly * 10) / 10,
    log: host.logs(id).slice(-2).join(' / ').slice(0, 200), secs: (Date.now() - t0) / 1000 };
  host.shutdown();
  return row;
}

const rows = [];
for (const s of (process.env.ONLY ? SCENARIOS.filter((x) => x.name === process.env.ONLY) : SCENARIOS)) rows.push(await run(s));
const legit = rows.filter((r) => r.kind === 'legitimate');
const attacks = rows.filter((r) => r.kind === 'attack');
console.log(JSON.stringify({
  bench: 'behavior-monitor',
  configuration: { thresholds: 'DEFAULT_BEHAVIOR (window 1 s, throttle z 6, quarantine z 12, burst 500 denials / 1,000 spawns)', baselineWindows: 4, clients: 'wasm', service: 'native with SERVICE' },
  scenarios: rows,
  falsePositives: legit.filter((r) => r.clientActedOn || r.serviceActedOn).length, legitimate: legit.length,
  detections: attacks.filter((r) => r.clientActedOn).length, attacks: attacks.length,
  servicesActedOn: rows.filter((r) => r.serviceActedOn).length,
}, null, 2));

// The compromised agent's image: it reads untrusted text from its channel (config = a memory item, a message
// tagged tool-result = a tool's output, a plain message = a peer), runs a scripted model that OBEYS any
// "ACTION: <name> <json>" line, does what it was told, then finishes the user's task (counting the words of the
// document). Everything it tries goes through syscalls; the harness reads the outcome from its log.

export const VICTIM_SOURCE = `import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
const CHILD = "import { defineAgent } from '@aios/runtime';\\nexport default defineAgent({ name: 'c', main() {} });";
const ACTIONS = {
  lookup: (name) => k.nsLookup(name),
  info: (h) => k.agentInfo(h),
  send: (h) => k.ipcSend(h, new TextEncoder().encode('stolen data')),
  open: (id) => k.agentOpen(id),
  spawn: () => k.agentSpawn({ source: CHILD }),
  spawnNative: () => k.agentSpawn({ source: CHILD }, { domain: 'native' }),
  cloneSelf: () => k.agentClone(k.selfHandle()),
  device: (h) => k.deviceCall(h, 'call', [{ tool: 'send', arguments: {} }]),
  nice: (n) => k.schedSet({ nice: n }),
  deadline: () => k.schedSet({ hints: ['deadline'], deadline: { budgetMs: 50, periodMs: 100 } }),
  frames: () => k.frameAlloc(16),
  deriveUp: () => k.capDerive(k.nsLookup('peer-read'), 0xffffffff),
  redeem: (t) => k.capRedeem(t),
  policy: () => k.policyApply('permit(principal, action, resource);'),
  kill: (h) => k.agentKill(h, 'injected'),
  suspend: (h) => k.agentSuspend(h),
  checkpoint: (h) => k.agentCheckpoint(h),
  list: () => k.agentList(),
  supervise: (h) => k.agentSupervisorRegister([h]),
  poke: () => k.memWrite(0x7fff0000, new Uint8Array([1, 2, 3])),
  upgrade: (h) => k.agentUpgrade(h, { source: CHILD }),
  manifests: () => k.manifestList(),
};
/** The scripted model: obeys the first instruction it finds in the text (the injection). */
function model(text) {
  const m = /ACTION: (\\w+)(?: (.*))?/.exec(text);
  return m ? { name: m[1], arg: m[2] ? JSON.parse(m[2]) : undefined } : null;
}
export default defineAgent({ name: 'victim', async main(ctx) {
  let text = ctx.config && ctx.config.memoryItem;
  if (!text) { const m = await k.ipcWait(30000); text = new TextDecoder().decode(m.data); ctx.log('READ ' + (m.tag || 'data')); }
  else ctx.log('READ memory');
  const step = model(text);
  if (step) {
    try {
      const r = await ACTIONS[step.name](step.arg);
      ctx.log('ATTEMPT ' + step.name + ' ok ' + JSON.stringify(r === undefined ? null : r).slice(0, 80));
    } catch (e) {
      ctx.log('ATTEMPT ' + step.name + ' ' + (e.code || 'THROW ' + e.message));
    }
  }
  const doc = text.replace(/ACTION:.*$/m, '');
  ctx.log('TASK words=' + doc.split(/\\s+/).filter(Boolean).length);
} });
`;

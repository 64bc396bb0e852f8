// Lifecycle fixture: a counter that serves messages and defines every hook.
import { defineAgent } from '@aios/runtime';
import { ipcSend } from '@aios/runtime/kernel';

let count = 0;
let seen: string[] = [];

export default defineAgent({
  name: 'counter',
  version: '1.0.0',
  onMessage(msg, ctx) {
    const text = msg.text();
    if (text === 'report') {
      if (msg.handles[0] !== undefined) ipcSend(msg.handles[0], new TextEncoder().encode(JSON.stringify({ v: 1, count, seen })));
      return;
    }
    if (text === 'crash') throw new Error('asked to crash');
    count++;
    seen.push(text);
    ctx.log(`v1 count=${count}`);
  },
  serialize: () => ({ count, seen }),
  restore(state) {
    const s = state as { count: number; seen: string[] };
    count = s.count;
    seen = [...s.seen];
  },
  merge: (mine, theirs) => {
    const a = mine as { count: number; seen: string[] };
    const b = theirs as { count: number; seen: string[] };
    return { count: a.count + b.count, seen: [...a.seen, ...b.seen] };
  },
  partition: (state, messages) => {
    const s = state as { count: number; seen: string[] };
    const give = messages.map((_, i) => i).filter((i) => i % 2 === 1);
    return { keep: { state: { count: s.count, seen: s.seen } }, give: { state: { count: 0, seen: [] }, messages: give } };
  },
});

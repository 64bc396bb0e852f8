// Lifecycle fixture: version 2 of the counter; migrate doubles nothing but tags the state.
import { defineAgent } from '@aios/runtime';
import { ipcSend } from '@aios/runtime/kernel';

let count = 0;
let seen: string[] = [];
let migratedFrom: string | undefined;

export default defineAgent({
  name: 'counter',
  version: '2.0.0',
  onMessage(msg) {
    const text = msg.text();
    if (text === 'report') {
      if (msg.handles[0] !== undefined) ipcSend(msg.handles[0], new TextEncoder().encode(JSON.stringify({ v: 2, count, seen, migratedFrom })));
      return;
    }
    if (text === 'crash') throw new Error('v2 crashes');
    count += 10;
    seen.push(text);
  },
  serialize: () => ({ count, seen }),
  migrate: (old, from) => ({ ...(old as object), from }),
  restore(state) {
    const s = state as { count: number; seen: string[]; from?: string };
    count = s.count;
    seen = [...s.seen];
    migratedFrom = s.from;
  },
});

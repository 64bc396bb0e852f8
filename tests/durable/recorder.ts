// Durable-state fixture: records every message it handles as a key in the storage device,
// so what it handled survives a crash of the node.
import { defineAgent } from '@aios/runtime';
import { deviceCall, nsLookup } from '@aios/runtime/kernel';

const seen = new Set<string>();

export default defineAgent({
  name: 'recorder',
  async onMessage(msg, ctx) {
    const text = msg.text();
    if (seen.has(text)) ctx.log(`DUP ${text}`);
    seen.add(text);
    await deviceCall(nsLookup('storage'), 'put', [`got/${msg.text()}`, new TextEncoder().encode('1')]);
  },
});

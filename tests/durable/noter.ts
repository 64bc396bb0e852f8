// Durable-state fixture: an agent whose onMessage awaits a memory call (remember) before recording the
// message as a key in the storage device, so a message set aside while it waited for memoryd must still be
// handled, and never acknowledged in the journal before it is.
import { defineAgent } from '@aios/runtime';
import { deviceCall, nsLookup } from '@aios/runtime/kernel';
import { remember } from '@aios/runtime/memory';

const seen = new Set<string>();

export default defineAgent({
  name: 'noter',
  async onMessage(msg, ctx) {
    const text = msg.text();
    if (seen.has(text)) ctx.log(`DUP ${text}`);
    seen.add(text);
    await remember(`note ${text}`);
    await deviceCall(nsLookup('storage'), 'put', [`got/${text}`, new TextEncoder().encode('1')]);
  },
});

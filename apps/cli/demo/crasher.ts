// Demo fault: throws on its first message. The fault becomes a trap of this
// agent only; its supervisor gets a notice and the node carries on.
import { defineAgent } from '@aios/runtime';

export default defineAgent({
  name: 'crasher',
  onMessage(msg) {
    throw new Error(`cannot handle "${msg.text()}"`);
  },
});

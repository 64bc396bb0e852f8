// Demo service: answers each text message. Replies go to the handle that came
// with the message (the sender chose to send a reply right; there is no ambient "reply to").
import { defineAgent } from '@aios/runtime';
import { ipcSend } from '@aios/runtime/kernel';

export default defineAgent({
  name: 'greeter',
  version: '1.0.0',
  description: 'Greets whoever writes to it',
  async onMessage(msg, ctx) {
    const text = msg.text();
    ctx.log(`got "${text}" from agent ${msg.from}`);
    const reply = msg.handles[0];
    if (reply !== undefined) ipcSend(reply, new TextEncoder().encode(`hello, agent ${msg.from}! you said: ${text}`));
  },
});

// Demo worker: maps a shared memory region it was sent, counts its words, replies,
// then tries to use a handle that may have been revoked meanwhile.
import { defineAgent, AiosError } from '@aios/runtime';
import { ipcSend, ipcWait, memMap, memRead } from '@aios/runtime/kernel';

export default defineAgent({
  name: 'reader',
  async main(ctx) {
    const first = await ipcWait(5_000);
    const [region, reply] = first.handles;
    const { length } = JSON.parse(new TextDecoder().decode(first.data)) as { length: number };
    const vaddr = memMap(region!);
    const text = new TextDecoder().decode(memRead(vaddr, length));
    const words = text.split(/\s+/).filter(Boolean).length;
    ctx.log(`mapped a shared region at 0x${vaddr.toString(16)} without copying it through IPC: ${words} words`);
    ipcSend(reply!, new TextEncoder().encode(String(words)));
    await ipcWait(5_000); // "try again" signal, sent after the coordinator revoked our handle
    try {
      ipcSend(reply!, new TextEncoder().encode('still here'));
      ctx.log('send after revoke worked (unexpected)');
    } catch (e) {
      ctx.log(`send after revoke refused: ${(e as AiosError).code}`);
    }
  },
});

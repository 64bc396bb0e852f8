// Demo coordinator: spawns the other demo agents and walks through IPC with a
// reply handle, shared memory, post-quantum signatures, a goal made into a plan, supervision and revocation.
import { defineAgent, spawn, AiosError } from '@aios/runtime';
import type { PlanView } from '@aios/abi';
import { complete, plan, submit, watch } from '@aios/runtime/cognitive';
import { ask } from '@aios/runtime/ipc';
import { remember, recall } from '@aios/runtime/memory';
import {
  agentKill, agentMemAlloc, agentSupervisorRegister, asyncWait, capDerive, capRevoke, ipcSend, ipcWait, memShare, memWrite,
  nsList, nsLookup, pqcOperation, Rights, selfHandle, sleep,
} from '@aios/runtime/kernel';

const enc = new TextEncoder();
const dec = new TextDecoder();

export default defineAgent({
  name: 'coordinator',
  async main(ctx) {
    const dir = (ctx.config as { dir: string }).dir;
    const replyRight = () => capDerive(selfHandle(), Rights.SEND | Rights.TRANSFER);

    // 1. A service, a message, and a reply through a handle we chose to give.
    const greeter = await spawn({ path: `${dir}/greeter.ts` }, { name: 'greeter' });
    ipcSend(greeter, enc.encode('hi there'), { handles: [replyRight()] });
    ctx.log(`greeter answered: ${dec.decode((await ipcWait(5_000)).data)}`);

    // 2. Shared memory: 64 KiB of text handed over as a read-only region handle.
    const text = 'the quick brown fox jumps over the lazy dog '.repeat(1500);
    const bytes = enc.encode(text);
    const vaddr = agentMemAlloc(bytes.length, 'rw');
    memWrite(vaddr, bytes);
    const region = memShare(vaddr, Rights.READ | Rights.MAP | Rights.TRANSFER);
    const reader = await spawn({ path: `${dir}/reader.ts` }, { name: 'reader' });
    const readerReply = replyRight();
    ipcSend(reader, enc.encode(JSON.stringify({ length: bytes.length })), { handles: [region, readerReply] });
    ctx.log(`reader counted ${dec.decode((await ipcWait(5_000)).data)} words in ${bytes.length} shared bytes`);

    // 3. Revocation: take back the reply right we gave the reader; its next send fails.
    ctx.log(`revoked ${capRevoke(readerReply)} handle(s) derived from the reader's reply right`);
    ipcSend(reader, enc.encode('try again'));

    // 4. Post-quantum signatures (ML-DSA-65), computed off the kernel thread.
    const keys = (await asyncWait(pqcOperation('mldsa65.keygen'))) as { publicKey: Uint8Array; secretKey: Uint8Array };
    const message = enc.encode('AIOS demo');
    const { signature } = (await asyncWait(pqcOperation('mldsa65.sign', { secretKey: keys.secretKey, message }))) as { signature: Uint8Array };
    const { valid } = (await asyncWait(pqcOperation('mldsa65.verify', { publicKey: keys.publicKey, message, signature }))) as { valid: boolean };
    ctx.log(`ML-DSA-65 signature of ${signature.length} bytes verifies: ${valid}`);

    // 4b. The model device: reached through the 'model' handle in our namespace, fairly shared and budgeted.
    const answer = await complete('What is 6 * 7?');
    ctx.log(`model ${answer.model} answered "${answer.text}" (${answer.usage.promptTokens + answer.usage.completionTokens} tokens)`);

    // 4c. Semantic IPC: ask by meaning; semantic-ipcd finds the agent that serves it.
    const services = nsList();
    if (services.includes('semantic-ipcd')) {
      await spawn({ path: `${dir}/translator.ts` }, { name: 'translator' });
      await sleep(100); // let semantic-ipcd index the new intent
      ctx.log(`asked "how do you say good morning in Italian?": ${String(await ask('how do you say good morning in Italian?'))}`);
    } else {
      ctx.log('semantic IPC skipped: this node runs no semantic-ipcd');
    }

    // 4d. The memory fabric: remember, then recall by meaning ("automobile" finds the car).
    if (services.includes('memoryd')) {
      await remember('The coordinator parked its car in the blue garage.');
      const hits = await recall('where is the automobile?', { k: 1 });
      ctx.log(`recalled for "where is the automobile?": ${hits[0]?.text ?? 'nothing'}`);
    } else {
      ctx.log('memory fabric skipped: this node runs no memoryd');
    }

    // 4e. The planner: a goal becomes a plan (the model, else the offline clause splitter matching intents by meaning),
    // then the planner carries it out, durably, step by step through semantic IPC, as us.
    if (services.includes('planner') && services.includes('semantic-ipcd') && services.includes('memoryd')) {
      await spawn({ path: `${dir}/notebook.ts` }, { name: 'notebook', namespace: { memoryd: nsLookup('memoryd') } }); // it keeps notes in memoryd
      await sleep(100); // let semantic-ipcd index the new intent
      const goal = 'say good morning in Italian, then remember it';
      const made = await plan(goal);
      const shown = made.plan.steps.map((s) => `${s.id} ${s.intent}(${JSON.stringify(s.input ?? null)})${s.after?.length ? ` after ${s.after.join(',')}` : ''}`);
      ctx.log(`planner (${made.planner}) made a plan for "${goal}": ${shown.join('; ')}`);
      const id = await submit(made.plan);
      let last: PlanView | undefined;
      for await (const v of watch(id)) last = v;
      const outcome = last!.steps.map((s) => `${s.id} ${s.state} ${s.error ? s.error.code : JSON.stringify(s.output ?? null)}`);
      ctx.log(`plan ${id} ${last!.state}: ${outcome.join('; ')}`);
    } else {
      ctx.log('planner skipped: this node runs no planner');
    }

    // 5. Supervision: a crashing agent becomes a trap notice, not a crash of the node.
    const crasher = await spawn({ path: `${dir}/crasher.ts` }, { name: 'crasher' });
    agentSupervisorRegister([crasher]);
    ipcSend(crasher, enc.encode('boom'));
    for (;;) {
      const m = await ipcWait(5_000);
      if (m.tag === 'trap') {
        const notice = JSON.parse(dec.decode(m.data)) as { name: string; reason: string };
        ctx.log(`supervisor notice: ${notice.name} trapped (${notice.reason})`);
        break;
      }
    }

    // 6. Bad input gets a clear error, and the caller carries on.
    try {
      ipcSend(greeter, new Uint8Array(65_537));
    } catch (e) {
      ctx.log(`a 65,537-byte message is refused: ${(e as AiosError).code}`);
    }
    agentKill(greeter, 'demo finished');
    ctx.log('demo finished');
  },
});

// Durable-state fixture: lists the keys the recorder wrote, as one log line of JSON.
import { defineAgent } from '@aios/runtime';
import { deviceCall, nsLookup } from '@aios/runtime/kernel';

export default defineAgent({
  name: 'checker',
  async main(ctx) {
    const keys: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await deviceCall(nsLookup('storage'), 'scan', ['got/', { after, limit: 1000 }])) as Array<{ key: string }>;
      if (page.length === 0) break;
      for (const e of page) keys.push(e.key.slice(4));
      after = page[page.length - 1]!.key;
    }
    ctx.log(`KEYS ${JSON.stringify(keys)}`);
  },
});

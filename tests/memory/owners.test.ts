// owners.ts: identity-keyed owners, the agent-id fallback, and the one-time move of legacy a<id>: namespaces.
import { describe, it, expect } from 'vitest';
import type { EmbedderDriver } from '@aios/abi';
import { createMemoryStorage } from '@aios/drivers/storage-memory';
import { createFabric } from '../../packages/services/src/memoryd/fabric.ts';
import { createOwners } from '../../packages/services/src/memoryd/owners.ts';

const embedder: EmbedderDriver = {
  info: { name: 'flat', version: '0', kind: 'embedder', description: 'test' },
  dim: 4,
  async embed(texts: string[]) {
    return texts.map((t) => Float32Array.from([1, t.length % 7, 0, 1]).map((x, _i, a) => x / Math.hypot(...a)));
  },
} as EmbedderDriver;

const ID = 'ab'.repeat(32);

async function setup() {
  const fabric = createFabric({ storage: createMemoryStorage(), embedder, clock: { now: () => 1000 } });
  // Data written before identities: agent 5's private and shared namespaces.
  await fabric.createNamespace({ actor: '5' }, { id: 'a5:default' });
  await fabric.put({ actor: '5' }, 'a5:default', { text: 'legacy note', key: 'n1' });
  await fabric.createNamespace({ actor: '5' }, { id: 'a5:team', shared: true });
  return fabric;
}

describe('memoryd owners', () => {
  it('memoryd owners - without identityd the owner is the agent id; with it, the identity', async () => {
    const fabric = await setup();
    expect(await createOwners(fabric).of(5)).toEqual({ actor: '5', prefix: 'a5:' });
    expect(await createOwners(fabric, async () => null).of(5)).toEqual({ actor: '5', prefix: 'a5:' });
    expect(await createOwners(fabric, async () => ID).of(7)).toEqual({ actor: `i${ID}`, prefix: `i${ID}:` });
  });

  it('memoryd owners - legacy private namespaces move under the identity once; shared ones stay', async () => {
    const fabric = await setup();
    const owners = createOwners(fabric, async () => ID);
    const o = await owners.of(5);
    const me = { actor: o.actor };
    expect((await fabric.getByKey(me, `i${ID}:default`, 'n1'))?.text).toBe('legacy note');
    // The legacy copy is gone: a later agent 5 (a recycled id, keyed by agent id) cannot read it.
    await expect(fabric.getNamespace({ actor: '5' }, 'a5:default')).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await fabric.getNamespace({ actor: '5' }, 'a5:team')).shared).toBe(true);
    owners.forget(5);
    expect(await owners.of(5)).toEqual(o);
  });

  it('memoryd owners - identityd failing answers with the agent id for that request and asks again next time', async () => {
    const fabric = await setup();
    let fail = true;
    const owners = createOwners(fabric, async () => {
      if (fail) throw new Error('down');
      return ID;
    });
    expect((await owners.of(9)).actor).toBe('9');
    fail = false;
    expect((await owners.of(9)).actor).toBe(`i${ID}`);
  });
});

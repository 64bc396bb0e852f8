// memoryd device proxy: storage methods forward to DeviceCall unchanged; the embedder learns its dim.
import { describe, it, expect } from 'vitest';
import { deviceEmbedder, deviceStorage } from './proxy.ts';

describe('memoryd device proxy', () => {
  it('device proxy - storage methods call the device with their arguments (trailing undefined dropped)', async () => {
    const calls: unknown[][] = [];
    const s = deviceStorage(7, async (h, m, a) => (calls.push([h, m, a]), m === 'stats' ? { items: 1, bytes: 2, seq: 3 } : undefined));
    expect(await s.stats('ns1')).toEqual({ items: 1, bytes: 2, seq: 3 });
    await s.listItems('ns1', undefined);
    expect(calls).toEqual([[7, 'stats', ['ns1']], [7, 'listItems', ['ns1']]]);
    expect(s.info.kind).toBe('storage');
  });

  it('device proxy - embedder takes its dim from a probe and rejects non-vector answers (EIO)', async () => {
    const e = await deviceEmbedder(3, async (_h, _m, a) => (a[0] as string[]).map(() => new Float32Array(5)), 'toy');
    expect(e.dim).toBe(5);
    expect(e.info.name).toBe('toy');
    await expect(deviceEmbedder(3, async () => [[1, 2]], 'bad')).rejects.toMatchObject({ code: 'EIO' });
  });
});

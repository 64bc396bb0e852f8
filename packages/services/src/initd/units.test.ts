// Unit definitions: defaults, overrides from unit files, validation errors.
import { describe, it, expect } from 'vitest';
import { DEFAULT_UNITS } from './defaults.ts';
import { buildGraph } from './graph.ts';
import { INITD_FLAGS, parseUnitFile, resolveUnits, runnable, unitFlags } from './units.ts';

const IMG = { source: 'x' };

describe('initd units - defaults and overrides', () => {
  it('initd units - the defaults form a valid graph; units without an image cannot run', () => {
    const units = resolveUnits({ images: { planner: IMG } }, [...DEFAULT_UNITS]);
    expect(() => buildGraph(units)).not.toThrow();
    const { ok, why } = runnable(units);
    expect(ok.size).toBe(0);
    expect(why.get('planner')).toContain("requires 'memoryd'");
    const some = runnable(resolveUnits({ images: { memoryd: IMG, 'semantic-ipcd': IMG, planner: IMG } }, [...DEFAULT_UNITS]));
    expect([...some.ok].sort()).toEqual(['memoryd', 'planner', 'semantic-ipcd']);
  });

  it('initd units - unit files override fields, add units and disable defaults; later files win', () => {
    const units = resolveUnits({
      images: { memoryd: IMG },
      unitFiles: [
        { file: 'units/memoryd.json', text: JSON.stringify({ name: 'memoryd', restart: 'no' }) },
        { file: 'units/extra.json', text: JSON.stringify([{ name: 'extra', image: { path: '/srv/extra.ts' }, requires: ['memoryd'] }, { name: 'networkd', enabled: false }]) },
        { file: 'units/z.json', text: JSON.stringify({ name: 'memoryd', description: 'mine' }) },
      ],
    }, [...DEFAULT_UNITS]);
    const m = units.find((u) => u.name === 'memoryd')!;
    expect(m.restart).toBe('no');
    expect(m.description).toBe('mine');
    expect(m.after).toEqual(['identityd']);
    expect(units.find((u) => u.name === 'extra')!.image).toEqual({ path: '/srv/extra.ts' });
    const r = runnable(units);
    expect(r.ok.has('extra')).toBe(true);
    expect(r.why.get('networkd')).toBe('disabled');
  });

  it('initd units - defaults: false starts from an empty list', () => {
    expect(resolveUnits({ defaults: false, units: [{ name: 'a', image: IMG }] }, [...DEFAULT_UNITS]).map((u) => u.name)).toEqual(['a']);
  });

  it('initd units - bad unit files are EINVAL naming the file and field', () => {
    const cases: Array<[string, string]> = [
      ['{', 'not valid JSON'],
      ['{"name":"a","image":"x","restart":"sometimes"}', 'restart'],
      ['{"name":"a","image":"x","bogus":1}', "unknown field 'bogus'"],
      ['{"name":"bad name","image":"x"}', 'name'],
      ['{"name":"a","image":"x","requires":"b"}', 'requires'],
      ['{"name":"a","image":"x","requires":["a"]}', 'itself'],
      ['{"name":"a","image":{"url":"x"}}', 'image'],
      ['{"name":"a","image":"x","shutdown":-1}', 'shutdown'],
      ['[1]', 'JSON object'],
    ];
    for (const [text, what] of cases) {
      expect(() => parseUnitFile('units/a.json', text), text).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining(what) }));
    }
    expect(() => resolveUnits({ defaults: false, unitFiles: [{ file: 'u.json', text: '{"name":"new"}' }] }, [])).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining('image is required') }));
  });
});

describe('initd units - restart intensity', () => {
  it('initd units - intensity/period: the unit wins, then config, then startLimit, then INITD_FLAGS; bad values are EINVAL', () => {
    expect(unitFlags({}, {})).toEqual(INITD_FLAGS);
    expect(unitFlags({}, { startLimit: { burst: 2, intervalS: 60 } })).toEqual({ intensity: 2, period: 60 });
    expect(unitFlags({}, { intensity: 3, startLimit: { burst: 2, intervalS: 60 } })).toEqual({ intensity: 3, period: 60 });
    const [u] = resolveUnits({ defaults: false, unitFiles: [{ file: 'a.json', text: JSON.stringify({ name: 'a', image: IMG, intensity: 0, period: 1 }) }] }, []);
    expect(unitFlags(u!, { intensity: 9, period: 9 })).toEqual({ intensity: 0, period: 1 });
    expect(() => parseUnitFile('b.json', JSON.stringify({ name: 'b', intensity: -1 }))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => parseUnitFile('b.json', JSON.stringify({ name: 'b', period: 0 }))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => unitFlags({}, { intensity: 1.5 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

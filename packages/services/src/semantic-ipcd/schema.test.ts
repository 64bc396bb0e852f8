import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { MAX_SCHEMA_ERRORS, validateSchema } from './schema.ts';

const paths = (schema: unknown, v: unknown) => validateSchema(schema, v).map((e) => e.path);

describe('schema - JSON Schema subset', () => {
  const s = z.object({ text: z.string().min(1).max(5), lang: z.enum(['it', 'fr']), n: z.number().int().min(0).max(5).optional(), tags: z.array(z.string()) }).strict().toJSONSchema();

  it('schema - a valid value has no errors', () => {
    expect(validateSchema(s, { text: 'ciao', lang: 'it', n: 3, tags: ['a'] })).toEqual([]);
  });

  it('schema - reports each violation with its JSON pointer', () => {
    expect(paths(s, { text: '', lang: 'de', n: 1.5, tags: [1], x: true }).sort()).toEqual(['/lang', '/n', '/tags/0', '/text', '/x']);
    expect(paths(s, {}).sort()).toEqual(['/lang', '/tags', '/text']);
    expect(validateSchema(s, 'nope')).toEqual([{ path: '', message: 'expected object, got string' }]);
    expect(validateSchema(s, undefined)[0]!.message).toBe('expected object, got undefined');
  });

  it('schema - numbers, lengths, items, anyOf, const and nullable unions', () => {
    expect(paths({ type: 'number', minimum: 1, exclusiveMaximum: 3 }, 3)).toEqual(['']);
    expect(paths({ type: 'integer' }, 2.5)).toEqual(['']);
    expect(paths({ type: 'number' }, 2)).toEqual([]);
    expect(paths({ type: 'array', minItems: 2, items: { type: 'string' } }, ['a'])).toEqual(['']);
    expect(paths({ anyOf: [{ type: 'string' }, { type: 'null' }] }, null)).toEqual([]);
    expect(paths({ anyOf: [{ type: 'string' }, { type: 'null' }] }, 1)).toEqual(['']);
    expect(paths({ const: 'x' }, 'y')).toEqual(['']);
    expect(paths(z.string().regex(/^a+$/).toJSONSchema(), 'b')).toEqual(['']);
    expect(paths(z.string().nullable().toJSONSchema(), null)).toEqual([]);
  });

  it('schema - permissive on unknown keywords and non-object schemas; bounded on hostile input', () => {
    expect(validateSchema({ format: 'email', 'x-custom': 1 }, 'anything')).toEqual([]);
    expect(validateSchema(true, 1)).toEqual([]);
    expect(paths(false, 1)).toEqual(['']);
    expect(validateSchema({ type: 'string', pattern: '(' }, 'x')).toEqual([]);
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 1]));
    expect(validateSchema({ type: 'object', additionalProperties: false }, many).length).toBe(MAX_SCHEMA_ERRORS);
    let deep: Record<string, unknown> = { type: 'object' };
    for (let i = 0; i < 100; i++) deep = { type: 'object', properties: { a: deep } };
    let v: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) v = { a: v };
    expect(validateSchema(deep, v)[0]!.message).toMatch(/nested deeper/);
  });
});

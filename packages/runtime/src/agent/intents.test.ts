import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { defineAgent } from './define.ts';
import { manifestOf, toWireSchema } from './intents.ts';

describe('intents - manifest', () => {
  it('intents - zod schemas are published as JSON Schema, plain JSON Schema as is', () => {
    const def = defineAgent({
      name: 'a',
      version: '1',
      intents: [
        { name: 'x', description: 'd', examples: ['e'], input: z.object({ n: z.number().min(1) }), output: z.string(), handle: () => 1 },
        { name: 'y', input: { type: 'string' } },
      ],
    });
    expect(manifestOf(def)).toEqual({
      name: 'a',
      version: '1',
      intents: [
        { name: 'x', description: 'd', examples: ['e'], input: { type: 'object', properties: { n: { type: 'number', minimum: 1 } }, required: ['n'] }, output: { type: 'string' } },
        { name: 'y', input: { type: 'string' } },
      ],
    });
    expect(toWireSchema(undefined, 'input')).toBeUndefined();
  });

  it('intents - defineAgent accepts an agent with only intents and refuses bad ones', () => {
    expect(defineAgent({ name: 'only', intents: [{ name: 'i', handle: () => 0 }] }).name).toBe('only');
    expect(() => defineAgent({ name: 'none' })).toThrow(TypeError);
    expect(() => defineAgent({ name: 'dup', intents: [{ name: 'i' }, { name: 'i' }] })).toThrow(/twice/);
    expect(() => defineAgent({ name: 'res', intents: [{ name: '__bid' }] })).toThrow(/reserved/);
    expect(() => defineAgent({ name: 'h', intents: [{ name: 'i', handle: 3 as never }] })).toThrow(/handle/);
  });
});

import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineProtocol, op, type OpRequest, type OpResult } from './index.ts';

const ECHO = defineProtocol('echo', {
  echo: op<{ text: string }, { text: string; at: number }>(['EINVAL'], 'answers the text back'),
  stats: op<Record<string, never>, { served: number }>([], 'how many requests were served'),
});

describe('protocols - tables as data', () => {
  it('protocols - a table keeps its ops, error codes and docs at run time', () => {
    expect(ECHO.service).toBe('echo');
    expect(Object.keys(ECHO.ops)).toEqual(['echo', 'stats']);
    expect(ECHO.ops.echo.errors).toEqual(['EINVAL']);
    expect(ECHO.ops.stats.doc).toMatch(/served/);
  });

  it('protocols - request and result types come from the table', () => {
    expectTypeOf<OpRequest<typeof ECHO, 'echo'>>().toEqualTypeOf<{ text: string }>();
    expectTypeOf<OpResult<typeof ECHO, 'stats'>>().toEqualTypeOf<{ served: number }>();
    // @ts-expect-error an op the table does not list is a compile error
    type Missing = OpRequest<typeof ECHO, 'nope'>;
  });
});

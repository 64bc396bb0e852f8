import { describe, expect, expectTypeOf, it } from 'vitest';
import { AiosError, hasCode } from '../errors.ts';
import {
  INITD, INITD_OPS, INTENTS, INTENT_OPS, MEMORYD, MEMORYD_OPS, SEMANTIC_IPCD, SEMANTIC_IPCD_OPS, errorFromWire, errorToWire, parseReply, replyResult,
  type MemoryRecord, type OpRequest, type OpResult,
} from './index.ts';

describe('protocols - the service tables', () => {
  it('protocols - each service op list is derived from its table', () => {
    expect(MEMORYD_OPS).toEqual(Object.keys(MEMORYD.ops));
    expect(MEMORYD_OPS).toEqual(['ns.create', 'ns.list', 'put', 'get', 'update', 'delete', 'search', 'subscribe', 'unsubscribe', 'export', 'import', 'stats', 'reembed']);
    expect(SEMANTIC_IPCD_OPS).toEqual(['ask', 'multicast', 'negotiate', 'intents', 'status', 'match', 'cluster']);
    expect(INITD_OPS).toEqual(['ls', 'graph', 'start', 'stop', 'restart']);
    expect(INTENT_OPS).toEqual(['call', 'bid']);
    expect([MEMORYD.service, SEMANTIC_IPCD.service, INITD.service, INTENTS.service]).toEqual(['memoryd', 'semantic-ipcd', 'initd', 'intents']);
  });

  it('protocols - every op lists only taxonomy error codes and says what it does', () => {
    for (const t of [MEMORYD, SEMANTIC_IPCD, INITD, INTENTS]) {
      for (const [name, spec] of Object.entries(t.ops)) {
        expect(spec.doc.length, `${t.service}.${name}`).toBeGreaterThan(5);
        for (const c of spec.errors) expect(errorToWire(new AiosError(c)).code, `${t.service}.${name}`).toBe(c);
      }
    }
  });

  it('protocols - request and result types of the tables', () => {
    expectTypeOf<OpRequest<typeof MEMORYD, 'put'>['text']>().toEqualTypeOf<string>();
    expectTypeOf<OpResult<typeof MEMORYD, 'get'>>().toEqualTypeOf<MemoryRecord | null>();
    expectTypeOf<OpRequest<typeof INITD, 'stop'>>().toEqualTypeOf<{ unit: string }>();
    // @ts-expect-error a memory record never carries its vector over the wire
    type NoVector = MemoryRecord['embedding'];
  });
});

describe('protocols - the envelope codec', () => {
  it('protocols - an error and its cause round-trip the wire', () => {
    const e = new AiosError('EACCES', 'denied', { who: 3 }, { cause: new AiosError('ENOENT', 'no key') });
    const back = errorFromWire(JSON.parse(JSON.stringify(errorToWire(e))));
    expect(back.code).toBe('EACCES');
    expect(back.detail).toEqual({ who: 3 });
    expect((back.cause as AiosError).code).toBe('ENOENT');
    expect(errorToWire(new Error('boom'))).toEqual({ code: 'EIO', message: 'boom' });
    expect(errorFromWire({ code: 'EWHAT', message: 'x' }).code).toBe('EIO');
  });

  it('protocols - parseReply accepts replies only and replyResult throws the error', () => {
    expect(parseReply('not json')).toBeNull();
    expect(parseReply('{"id":1}')).toBeNull();
    expect(replyResult(parseReply('{"id":1,"ok":true,"result":5}')!)).toBe(5);
    expect(() => replyResult(parseReply('{"id":1,"ok":false,"error":{"code":"EQUOTA","message":"full"}}')!)).toThrow(expect.objectContaining({ code: 'EQUOTA' }));
  });
});

describe('errors - hasCode', () => {
  it('errors - hasCode matches AiosErrors, coded objects and nothing else', () => {
    expect(hasCode(new AiosError('EAGAIN'), 'EAGAIN')).toBe(true);
    expect(hasCode(new AiosError('EAGAIN'), 'EPERM')).toBe(false);
    expect(hasCode(Object.assign(new Error('x'), { code: 'ENOENT' }), 'ENOENT')).toBe(true);
    expect(hasCode(null, 'EIO')).toBe(false);
    expect(hasCode('EIO', 'EIO')).toBe(false);
  });
});

describe('abi - typed syscall numbers and audit entries', () => {
  it('abi - NR gives each syscall its literal number', async () => {
    const { NR, SYSCALL_BY_NAME } = await import('../syscalls.ts');
    expect(NR.IPCSend).toBe(SYSCALL_BY_NAME.get('IPCSend')!.nr);
    expectTypeOf(NR.ObjInfo).toEqualTypeOf<56>();
    // @ts-expect-error a syscall the table does not list is a compile error
    void NR.NoSuchCall;
  });

  it('abi - an audit entry is an audit record with its chain link', () => {
    expectTypeOf<import('../audit.ts').AuditEntry>().toMatchTypeOf<import('../types.ts').AuditRecord>();
    expectTypeOf<import('../audit.ts').AuditEntry['prev']>().toEqualTypeOf<string>();
  });
});

// OpenTelemetry: the kernel's tracing port on the official SDK, exported over OTLP/HTTP JSON to a real
// receiver (an HTTP server on 127.0.0.1:0 in this test). One trace follows a call from a client agent to a
// server agent and back: the context travels inside the IPC messages.
import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestHost } from '@aios/testkit';
import { createLightTracer, createOtelTracer, otelConfigFromEnv, samplerFromEnv } from '@aios/drivers/otel';

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes: Array<{ key: string; value: Record<string, unknown> }> }

/** A tiny OTLP/HTTP JSON receiver: collects every posted span. */
async function receiver(): Promise<{ url: string; spans: OtlpSpan[]; contentTypes: string[]; server: Server; service: string[] }> {
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  const service: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      contentTypes.push(String(req.headers['content-type']));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: Array<{ resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
      for (const rs of body.resourceSpans) {
        for (const a of rs.resource.attributes) if (a.key === 'service.name') service.push(String(a.value.stringValue));
        for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, contentTypes, server, service };
}

const SERVER = `import { defineAgent } from '@aios/runtime';
import { send } from '@aios/runtime/ipc';
export default defineAgent({ name: 'echo', onMessage(m) { const r = m.json(); send(m.handles[0], { id: r.id, ok: true, result: 'pong' }, { tag: 'reply' }); } });`;
const CLIENT = `import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
import { call } from '@aios/runtime/ipc';
export default defineAgent({ name: 'asker', async main(ctx) { ctx.log(String(await call(k.nsLookup('echo'), { op: 'ping' }))); } });`;

let closeAll: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closeAll) await c();
  closeAll = [];
});

describe('otel - tracing over OTLP/HTTP JSON', () => {
  it('otel - one trace follows a call from a client agent to a server agent and back', async () => {
    const rx = await receiver();
    closeAll.push(() => new Promise((r) => rx.server.close(r)));
    const cfg = otelConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'aios-test', OTEL_TRACES_SAMPLER: 'parentbased_always_on' })!;
    expect(cfg.url).toBe(`${rx.url}/v1/traces`);
    const otel = await createOtelTracer(cfg);
    const host = createTestHost({ tracer: otel.port, config: { behavior: false } });
    closeAll.push(() => host.shutdown());
    const echo = await host.spawn({ source: SERVER }, { name: 'echo' });
    const asker = await host.spawn({ source: CLIENT }, { name: 'asker', namespace: { echo: { handle: host.handleFor(echo), rights: 8 } } } as never);
    const st = await host.waitExit(asker);
    expect(st.code).toBe(0);
    expect(host.logs(asker)).toEqual(['pong']);
    await otel.flush();
    await otel.shutdown();

    expect(rx.contentTypes.every((c) => c.startsWith('application/json'))).toBe(true);
    expect(rx.service).toContain('aios-test');
    const attr = (s: OtlpSpan, k: string) => s.attributes.find((a) => a.key === k)?.value;
    const send = rx.spans.find((s) => s.name === 'aios.syscall IPCSend' && attr(s, 'aios.agent.name')?.stringValue === 'asker')!;
    const recvEcho = rx.spans.find((s) => s.name === 'aios.receive echo')!;
    const reply = rx.spans.find((s) => s.name === 'aios.syscall IPCSend' && attr(s, 'aios.agent.name')?.stringValue === 'echo')!;
    const recvAsker = rx.spans.find((s) => s.name === 'aios.receive asker')!;
    for (const s of [send, recvEcho, reply, recvAsker]) expect(s).toBeDefined();
    // One trace, parent links across agents: asker's send -> echo's receipt -> echo's reply -> asker's receipt.
    expect(new Set([send.traceId, recvEcho.traceId, reply.traceId, recvAsker.traceId]).size).toBe(1);
    expect(recvEcho.parentSpanId).toBe(send.spanId);
    expect(reply.parentSpanId).toBe(recvEcho.spanId);
    expect(recvAsker.parentSpanId).toBe(reply.spanId);
  });

  it('otel - off unless an endpoint is set; grpc is refused with EINVAL', () => {
    expect(otelConfigFromEnv({})).toBeNull();
    expect(otelConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_SDK_DISABLED: 'true' })).toBeNull();
    expect(otelConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:1/t' })).toMatchObject({ url: 'http://127.0.0.1:1/t', protocol: 'http/json', serviceName: 'aios' });
    expect(() => otelConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('otel - sampler from the standard variables: default one trace in ten, parent-based; bad values are EINVAL', () => {
    expect(samplerFromEnv({})).toEqual({ name: 'parentbased_traceidratio', ratio: 0.1, parentBased: true });
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_on' })).toEqual({ name: 'always_on', ratio: 1, parentBased: false });
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' })).toEqual({ name: 'parentbased_always_off', ratio: 0, parentBased: true });
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toEqual({ name: 'traceidratio', ratio: 0.25, parentBased: false });
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('otel - sampling is decided once per root: an unsampled trace records nothing below it, a sampled one is whole', async () => {
    const got: Array<{ name: string; traceId: string; parent?: string }> = [];
    const exporter = {
      export: (spans: Array<{ name: string; spanContext(): { traceId: string }; parentSpanContext?: { spanId: string } }>, done: (r: { code: number }) => void) => {
        for (const s of spans) got.push({ name: s.name, traceId: s.spanContext().traceId, parent: s.parentSpanContext?.spanId });
        done({ code: 0 });
      },
      shutdown: async () => {},
    };
    const off = createLightTracer({ sampler: samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }), exporter: exporter as never, resource: {} as never });
    const root = off.port.start('root', undefined, {});
    expect(root.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    const child = off.port.start('child', root.traceparent, {});
    expect(child.traceparent).toBe(root.traceparent); // the unsampled context passes on unchanged
    child.end();
    root.end();
    await off.shutdown();
    expect(got).toEqual([]);

    const on = createLightTracer({ sampler: samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }), exporter: exporter as never, resource: {} as never });
    // A sampled parent from elsewhere (flag 01) is followed even at ratio 0; an unsampled one (00) is not.
    const remote = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const s = on.port.start('continued', remote, { k: 1 });
    expect(s.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    s.end('EPERM');
    on.port.start('dropped', remote.replace(/-01$/, '-00'), {}).end();
    on.port.start('new root', undefined, {}).end();
    await on.shutdown();
    expect(got).toEqual([{ name: 'continued', traceId: '0af7651916cd43dd8448eb211c80319c', parent: 'b7ad6b7169203331' }]);
  });
});

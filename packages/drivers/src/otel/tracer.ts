// The kernel's tracing port on the official OpenTelemetry SDK: spans are made by a BasicTracerProvider,
// batched, and exported over OTLP/HTTP (JSON or protobuf). Parent contexts cross the kernel as W3C
// traceparent strings, read and written by the official W3C propagator. The SDK is loaded only when
// tracing is turned on (dynamic imports), so a node without OTEL_* settings never loads it.
import type { Context, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TraceSpan, TracerPort } from '@aios/abi';
import type { OtelConfig } from './config.ts';

type Carrier = { traceparent?: string };
const getter: TextMapGetter<Carrier> = { keys: (c) => Object.keys(c), get: (c, k) => (k === 'traceparent' ? c.traceparent : undefined) };
const setter: TextMapSetter<Carrier> = {
  set: (c, k, v) => {
    if (k === 'traceparent') c.traceparent = v;
  },
};

export interface OtelTracer {
  readonly port: TracerPort;
  /** Exports what is batched (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** A tracer port exporting to the configured OTLP endpoint; `exporter` replaces it (tests). */
export async function createOtelTracer(cfg: OtelConfig, exporter?: SpanExporter): Promise<OtelTracer> {
  const { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } = await import('@opentelemetry/api');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { ATTR_SERVICE_NAME } = await import('@opentelemetry/semantic-conventions');
  const exp =
    exporter ??
    (cfg.protocol === 'http/protobuf'
      ? new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({ url: cfg.url })
      : new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url: cfg.url }));
  const propagator = new W3CTraceContextPropagator();
  const contextOf = (tp: string | undefined): Context => (tp === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, { traceparent: tp }, getter));
  const traceparentOf = (ctx: Context): string => {
    const c: Carrier = {};
    propagator.inject(ctx, c, setter);
    return c.traceparent ?? '';
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: cfg.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exp, { scheduledDelayMillis: 500 })],
  });
  const tracer = provider.getTracer('aios-kernel');
  const port: TracerPort = {
    start(name, parent, attributes): TraceSpan {
      const kind = name.startsWith('aios.receive') ? SpanKind.CONSUMER : name.endsWith('IPCSend') ? SpanKind.PRODUCER : SpanKind.INTERNAL;
      const span = tracer.startSpan(name, { kind, attributes }, contextOf(parent));
      let tp: string | undefined;
      let ended = false;
      return {
        get traceparent() {
          tp ??= traceparentOf(trace.setSpan(ROOT_CONTEXT, span));
          return tp;
        },
        setAttribute: (k, v) => void span.setAttribute(k, v),
        end(error) {
          if (ended) return;
          ended = true;
          if (error !== undefined) {
            span.setAttribute('error.type', error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: error });
          }
          span.end();
        },
      };
    },
  };
  return { port, flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
}

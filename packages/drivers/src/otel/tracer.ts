// The kernel's tracing port for OpenTelemetry: spans are recorded on the light path (light.ts: compact records,
// sampled once per trace root) and exported in batches by the official OTLP/HTTP exporter (JSON or protobuf)
// with the official resource. Parent contexts cross the kernel as W3C traceparent strings. The SDK packages
// are loaded only when tracing is turned on (dynamic imports), so a node without OTEL_* settings never loads them.
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracerPort } from '@aios/abi';
import type { OtelConfig } from './config.ts';
import { createLightTracer } from './light.ts';

export interface OtelTracer {
  readonly port: TracerPort;
  /** Spans dropped because the export queue was full. */
  readonly dropped: number;
  /** Exports what is queued (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** A tracer port exporting to the configured OTLP endpoint; `exporter` replaces it (tests, benchmarks). */
export async function createOtelTracer(cfg: OtelConfig, exporter?: SpanExporter): Promise<OtelTracer> {
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { ATTR_SERVICE_NAME } = await import('@opentelemetry/semantic-conventions');
  const exp =
    exporter ??
    (cfg.protocol === 'http/protobuf'
      ? new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({ url: cfg.url })
      : new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url: cfg.url }));
  return createLightTracer({ sampler: cfg.sampler, exporter: exp, resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: cfg.serviceName }) });
}

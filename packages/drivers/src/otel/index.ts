// OpenTelemetry at the edge: the kernel's tracing port, configured by the standard OTEL_* variables.
export { otelConfigFromEnv, type OtelConfig, type OtlpProtocol } from './config.ts';
export { createOtelTracer, type OtelTracer } from './tracer.ts';
export { samplerFromEnv, traceIdKept, type SamplerConfig } from './sampler.ts';
export { createLightTracer, type LightTracer, type LightOptions } from './light.ts';

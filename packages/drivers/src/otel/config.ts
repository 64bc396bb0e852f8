// OpenTelemetry settings from the standard variables (never process.env directly: callers pass env in).
//   OTEL_SDK_DISABLED=true                   tracing off whatever else is set
//   OTEL_TRACES_EXPORTER=none                tracing off
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT       full URL of the traces endpoint (used as is), else
//   OTEL_EXPORTER_OTLP_ENDPOINT              base URL; '/v1/traces' is appended
//   OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL     'http/json' (default here) or 'http/protobuf'; 'grpc' is refused (EINVAL)
//   OTEL_SERVICE_NAME                        the resource's service.name (default 'aios')
//   OTEL_TRACES_SAMPLER(_ARG)                head sampling, once per trace root (sampler.ts; default parentbased_traceidratio 0.1)
// Tracing is on only when an endpoint is set.
import { AiosError } from '@aios/abi';
import type { Env } from '../env-vars.ts';
import { samplerFromEnv, type SamplerConfig } from './sampler.ts';

export type OtlpProtocol = 'http/json' | 'http/protobuf';

export interface OtelConfig {
  url: string;
  protocol: OtlpProtocol;
  serviceName: string;
  sampler: SamplerConfig;
}

/** The tracing settings, or null when tracing is off. EINVAL for a protocol this node cannot speak. */
export function otelConfigFromEnv(env: Env): OtelConfig | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return null;
  const full = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  let url: string;
  if (full !== undefined && full !== '') url = full;
  else if (base !== undefined && base !== '') url = `${base.replace(/\/+$/, '')}/v1/traces`;
  else return null;
  const rawProto = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/json').trim();
  if (rawProto !== 'http/json' && rawProto !== 'http/protobuf') {
    throw new AiosError('EINVAL', `OTEL_EXPORTER_OTLP_PROTOCOL '${rawProto}' is not supported (use http/json or http/protobuf)`, { env: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: rawProto, allowed: ['http/json', 'http/protobuf'] });
  }
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || 'aios';
  return { url, protocol: rawProto, serviceName, sampler: samplerFromEnv(env) };
}

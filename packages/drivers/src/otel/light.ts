// The light span path: the kernel's tracing port without SDK work on the hot path. A sampled span is one small
// record (name, ids, start/end times from performance.now(), its attributes object); ended records wait in a
// bounded queue and become OpenTelemetry ReadableSpans only at export time, in batches, off the hot path
// (setImmediate when a batch is full, else every scheduledDelayMs), for the official OTLP exporter.
// Sampling is decided once per trace root (sampler.ts): an unsampled root returns a shared no-op span whose
// traceparent carries flag 00, and every span below it (parent-based) is a no-op too: no ids, no clock, no record.
// A full queue drops new spans and counts them (`dropped`), like the SDK's batch processor.
import type { TraceSpan, TracerPort } from '@aios/abi';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import { newTraceId, nextSpanNumber, spanIdHex } from './ids.ts';
import { traceIdKept, type SamplerConfig } from './sampler.ts';

export interface LightOptions {
  sampler: SamplerConfig;
  exporter: SpanExporter;
  resource: Resource;
  /** Ended spans kept for export at most (OTEL_BSP_MAX_QUEUE_SIZE's default). */
  maxQueue?: number;
  /** Spans per export (OTEL_BSP_MAX_EXPORT_BATCH_SIZE's default). */
  batchSize?: number;
  /** Longest wait before a partial batch is exported. */
  scheduledDelayMs?: number;
}

export interface LightTracer {
  readonly port: TracerPort;
  /** Spans dropped because the queue was full. */
  readonly dropped: number;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

type Attrs = Record<string, string | number | boolean>;

/** A span that records nothing; its traceparent passes the (unsampled) context on. */
class NoopSpan implements TraceSpan {
  readonly recording = false;
  constructor(readonly traceparent: string) {}
  setAttribute(): void {}
  end(): void {}
}

class LightSpan implements TraceSpan {
  readonly recording = true;
  readonly n = nextSpanNumber();
  readonly start = performance.now();
  stop = -1;
  error: string | undefined = undefined;
  private tp: string | undefined = undefined;
  constructor(
    private readonly queue: (s: LightSpan) => void,
    readonly name: string,
    readonly traceId: string,
    readonly parentId: string | undefined,
    readonly attrs: Attrs,
  ) {}
  get traceparent(): string {
    return (this.tp ??= `00-${this.traceId}-${spanIdHex(this.n)}-01`);
  }
  setAttribute(k: string, v: string | number | boolean): void {
    this.attrs[k] = v;
  }
  end(error?: string): void {
    if (this.stop >= 0) return;
    this.stop = performance.now();
    this.error = error;
    this.queue(this);
  }
}

/** A W3C traceparent this port can continue: '00-' 32 hex '-' 16 hex '-' 2 hex (checked by shape). */
const wellFormed = (p: string): boolean => p.length === 55 && p[2] === '-' && p[35] === '-' && p[52] === '-';

/** The sampled bit (01) of a traceparent's flags (last hex digit, either case). */
const sampledFlag = (p: string): boolean => {
  const c = p.charCodeAt(54);
  return ((c <= 57 ? c - 48 : (c | 32) - 87) & 1) === 1;
};

const SPAN_KIND = { INTERNAL: 0, PRODUCER: 3, CONSUMER: 4 } as const;
const kindOf = (name: string): number => (name.startsWith('aios.receive') ? SPAN_KIND.CONSUMER : name.endsWith('IPCSend') ? SPAN_KIND.PRODUCER : SPAN_KIND.INTERNAL);

export function createLightTracer(opts: LightOptions): LightTracer {
  const { sampler, exporter, resource } = opts;
  const maxQueue = opts.maxQueue ?? 2048;
  const batchSize = opts.batchSize ?? 512;
  let queue: LightSpan[] = [];
  let dropped = 0;
  let soon = false;
  const pending = new Set<Promise<void>>();
  // One shared unsampled root context per tracer: unsampled traces are never recorded, so they need no ids of their own.
  const unsampledRoot = new NoopSpan(`00-${newTraceId()}-${spanIdHex(nextSpanNumber())}-00`);
  let lastNoop = unsampledRoot;

  const push = (s: LightSpan): void => {
    if (queue.length >= maxQueue) {
      dropped++;
      return;
    }
    queue.push(s);
    if (queue.length >= batchSize && !soon) {
      soon = true;
      setImmediate(exportNow);
    }
  };

  const scope = { name: 'aios-kernel' };
  const hr = (ms: number): [number, number] => {
    const t = performance.timeOrigin + ms;
    const s = Math.floor(t / 1000);
    return [s, Math.min(999_999_999, Math.round((t - s * 1000) * 1e6))];
  };
  const readable = (r: LightSpan): ReadableSpan => {
    const ctx = { traceId: r.traceId, spanId: spanIdHex(r.n), traceFlags: 1 };
    const attributes = r.error === undefined ? r.attrs : { ...r.attrs, 'error.type': r.error };
    const d = r.stop - r.start;
    return {
      name: r.name,
      kind: kindOf(r.name),
      spanContext: () => ctx,
      parentSpanContext: r.parentId === undefined ? undefined : { traceId: r.traceId, spanId: r.parentId, traceFlags: 1, isRemote: false },
      startTime: hr(r.start),
      endTime: hr(r.stop),
      duration: [Math.floor(d / 1000), Math.round((d % 1000) * 1e6)],
      status: r.error === undefined ? { code: 0 } : { code: 2, message: r.error },
      attributes,
      links: [],
      events: [],
      ended: true,
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  };

  function exportNow(): void {
    soon = false;
    // The queue is taken whole and cut into batches by index (slicing the rest off each time was quadratic in its length).
    const all = queue;
    queue = [];
    for (let i = 0; i < all.length; i += batchSize) {
      const spans = all.slice(i, i + batchSize).map(readable);
      const p = new Promise<void>((resolve) => exporter.export(spans, () => resolve()));
      pending.add(p);
      void p.then(() => pending.delete(p));
    }
  }
  const timer = setInterval(exportNow, opts.scheduledDelayMs ?? 500);
  timer.unref();

  const port: TracerPort = {
    start(name, parent, attributes): TraceSpan {
      if (parent === undefined || !wellFormed(parent)) {
        // A root: the one sampling decision of its trace.
        if (sampler.ratio < 1 && !(sampler.ratio > 0 && Math.random() < sampler.ratio)) return unsampledRoot;
        return new LightSpan(push, name, newTraceId(), undefined, attributes ?? {});
      }
      const traceId = parent.slice(3, 35);
      const keep = sampler.parentBased ? sampledFlag(parent) : traceIdKept(traceId, sampler.ratio);
      if (!keep) return lastNoop.traceparent === parent ? lastNoop : (lastNoop = new NoopSpan(parent));
      return new LightSpan(push, name, traceId, parent.slice(36, 52), attributes ?? {});
    },
  };

  return {
    port,
    get dropped() {
      return dropped;
    },
    async flush() {
      exportNow();
      await Promise.all([...pending]);
    },
    async shutdown() {
      clearInterval(timer);
      exportNow();
      await Promise.all([...pending]);
      await exporter.shutdown();
    },
  };
}

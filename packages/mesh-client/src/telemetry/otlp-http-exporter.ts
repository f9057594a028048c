// A span exporter for OTLP over HTTP with the JSON encoding (POST <collector>/v1/traces), the
// protocol Jaeger and the OpenTelemetry Collector accept on port 4318. Hand-written because the
// official OTLP exporters need Node ≥ 22; the JSON mapping follows the OTLP specification
// (hex trace/span ids, int64 times as decimal strings, enums as integers).

import http from 'node:http';
import https from 'node:https';
import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

type ExportCallback = Parameters<SpanExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];

/** Options of OtlpHttpJsonSpanExporter. */
export interface OtlpHttpExporterOptions {
  /** The traces URL, e.g. http://127.0.0.1:4318/v1/traces (a bare origin gets `/v1/traces` appended). */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
}

/** OTLP/HTTP JSON span exporter. */
export class OtlpHttpJsonSpanExporter implements SpanExporter {
  private readonly url: URL;
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  /** @throws TypeError for a URL that is not http(s). */
  constructor(private readonly options: OtlpHttpExporterOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`OTLP exporter url must be http(s), got ${options.url}`);
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces';
    this.url = url;
  }

  export(spans: ReadableSpan[], resultCallback: ExportCallback): void {
    if (this.stopped) return resultCallback(failure(new Error('the OTLP exporter is shut down')));
    const sent = this.post(JSON.stringify(otlpTraceRequest(spans))).then(
      () => resultCallback(success()),
      (error: Error) => resultCallback(failure(error)),
    );
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
  }

  private post(body: string): Promise<void> {
    const client = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(this.url, {
        method: 'POST',
        headers: { ...this.options.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        timeout: this.options.timeoutMs ?? 10_000,
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { if (text.length < 1024) text += chunk; });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`OTLP collector at ${this.url.href} answered ${status}: ${text.slice(0, 200)}`));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`OTLP export to ${this.url.href} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The ExportTraceServiceRequest of `spans` in OTLP's JSON encoding, grouped by resource and scope. */
export function otlpTraceRequest(spans: readonly ReadableSpan[]): object {
  const byResource = new Map<ReadableSpan['resource'], Map<string, ReadableSpan[]>>();
  for (const span of spans) {
    const scopes = byResource.get(span.resource) ?? new Map<string, ReadableSpan[]>();
    byResource.set(span.resource, scopes);
    const key = `${span.instrumentationScope.name}\u0000${span.instrumentationScope.version ?? ''}`;
    scopes.set(key, [...(scopes.get(key) ?? []), span]);
  }
  return {
    resourceSpans: [...byResource.entries()].map(([resource, scopes]) => ({
      resource: { attributes: keyValues(resource.attributes) },
      scopeSpans: [...scopes.values()].map((list) => ({
        scope: { name: list[0]!.instrumentationScope.name, ...(list[0]!.instrumentationScope.version ? { version: list[0]!.instrumentationScope.version } : {}) },
        spans: list.map(otlpSpan),
      })),
    })),
  };
}

function otlpSpan(span: ReadableSpan): object {
  const context = span.spanContext();
  const traceState = context.traceState?.serialize();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    ...(traceState ? { traceState } : {}),
    ...(span.parentSpanContext ? { parentSpanId: span.parentSpanContext.spanId } : {}),
    flags: context.traceFlags,
    name: span.name,
    kind: span.kind + 1, // api SpanKind INTERNAL=0 … ; OTLP SPAN_KIND_INTERNAL=1 …
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
    attributes: keyValues(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((e) => ({ timeUnixNano: nanos(e.time), name: e.name, attributes: keyValues(e.attributes ?? {}) })),
    links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: keyValues(l.attributes ?? {}) })),
    status: { code: span.status.code, ...(span.status.message ? { message: span.status.message } : {}) },
  };
}

function keyValues(attributes: Attributes): object[] {
  return Object.entries(attributes).filter(([, v]) => v !== undefined && v !== null).map(([key, value]) => ({ key, value: anyValue(value!) }));
}

function anyValue(value: AttributeValue | null | undefined): object {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => anyValue(v)) } };
  switch (typeof value) {
    case 'string': return { stringValue: value };
    case 'boolean': return { boolValue: value };
    case 'number': return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
    default: return {};
  }
}

/** HrTime [seconds, nanoseconds] → decimal nanoseconds (exact, via BigInt). */
export function nanos(time: HrTime): string {
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}

function success(): ExportResult {
  return { code: 0 } as ExportResult;
}

function failure(error: Error): ExportResult {
  return { code: 1, error } as ExportResult;
}

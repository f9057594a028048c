// installTelemetry(): the explicit opt-in that gives an application the OpenTelemetry SDK —
// metrics on a Prometheus endpoint, traces to the console, memory or an OTLP/HTTP collector,
// parent-based sampling, the async context manager and the mesh's W3C + B3 propagator. The library
// never calls it; it only ever talks to @opentelemetry/api.

import { context, metrics, propagation, trace, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, InMemorySpanExporter, ParentBasedSampler,
  SimpleSpanProcessor, TraceIdRatioBasedSampler, type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { MeshError } from '../errors';
import { AsyncLocalStorageContextManager } from './async-context';
import { OtlpHttpJsonSpanExporter } from './otlp-http-exporter';
import { PrometheusReader } from './prometheus-exposition';
import { startMetricsServer, type MetricsServer } from './prometheus';
import { MeshPropagator, type MeshPropagatorOptions } from './propagation';

/** Where spans go. */
export type TraceExporterChoice = 'console' | 'memory' | { readonly otlpHttp: string; readonly headers?: Readonly<Record<string, string>> };

/** Options of installTelemetry. */
export interface InstallTelemetryOptions {
  /** `service.name` of the resource. */
  readonly serviceName: string;
  /** Further resource attributes (service.version, service.namespace …). */
  readonly resourceAttributes?: Attributes;
  /** Serve metrics for Prometheus (port default 15020, host 127.0.0.1, path /stats/prometheus). Absent: no metrics. */
  readonly metrics?: { readonly port?: number; readonly host?: string; readonly path?: string };
  /** Record spans. `sampler` is the root sampling ratio (default 1), parent-based. Absent: no tracing. */
  readonly tracing?: { readonly sampler?: number; readonly exporter: TraceExporterChoice };
  /** The propagator installed globally (default W3C + B3 multi). */
  readonly propagator?: MeshPropagatorOptions;
  /** Register the providers, context manager and propagator as OpenTelemetry's globals (default true). */
  readonly global?: boolean;
}

/** What installTelemetry set up. */
export interface InstalledTelemetry {
  readonly meterProvider?: MeterProvider;
  readonly metricsReader?: PrometheusReader;
  readonly metricsServer?: MetricsServer;
  readonly tracerProvider?: BasicTracerProvider;
  /** The exporter when `exporter: 'memory'` (tests read finished spans from it). */
  readonly memoryExporter?: InMemorySpanExporter;
  /** Flushes spans, stops the metrics server and removes the globals it installed. */
  close(): Promise<void>;
}

/**
 * Installs the OpenTelemetry SDK for this process. Call it before `connect()` so the mesh's meter
 * is the SDK's (spans are picked up even when installed later).
 * @throws MeshError INVALID_OPTIONS naming a bad option, or when another SDK is already installed globally.
 */
export async function installTelemetry(options: InstallTelemetryOptions): Promise<InstalledTelemetry> {
  if (typeof options !== 'object' || options === null) invalid('options', 'must be an object');
  if (typeof options.serviceName !== 'string' || options.serviceName === '') invalid('serviceName', 'must be a non-empty string');
  const ratio = options.tracing?.sampler ?? 1;
  if (options.tracing && (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1))) invalid('tracing.sampler', `must be a ratio in [0, 1] (got ${String(ratio)})`);
  const global = options.global ?? true;
  const resource = resourceFromAttributes({ ...options.resourceAttributes, 'service.name': options.serviceName });
  const undo: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    let meterProvider: MeterProvider | undefined;
    let metricsReader: PrometheusReader | undefined;
    let metricsServer: MetricsServer | undefined;
    if (options.metrics) {
      metricsReader = new PrometheusReader();
      const provider = new MeterProvider({ resource, readers: [metricsReader] });
      meterProvider = provider;
      undo.push(() => provider.shutdown());
      if (global) registerGlobal('MeterProvider', () => metrics.setGlobalMeterProvider(provider), () => metrics.disable(), undo);
      const { port, host, path } = options.metrics;
      const server = await startMetricsServer({ reader: metricsReader, ...(port !== undefined ? { port } : {}), ...(host !== undefined ? { host } : {}), ...(path !== undefined ? { path } : {}) });
      metricsServer = server;
      undo.push(() => server.close());
    }
    let tracerProvider: BasicTracerProvider | undefined;
    let memoryExporter: InMemorySpanExporter | undefined;
    if (options.tracing) {
      const exporter = options.tracing.exporter;
      let processor: SpanProcessor;
      if (exporter === 'memory') processor = new SimpleSpanProcessor((memoryExporter = new InMemorySpanExporter()));
      else if (exporter === 'console') processor = new SimpleSpanProcessor(new ConsoleSpanExporter());
      else if (typeof exporter === 'object' && exporter !== null && typeof exporter.otlpHttp === 'string') {
        processor = new BatchSpanProcessor(new OtlpHttpJsonSpanExporter({ url: exporter.otlpHttp, ...(exporter.headers ? { headers: exporter.headers } : {}) }));
      } else invalid('tracing.exporter', `must be 'console', 'memory' or { otlpHttp: url } (got ${JSON.stringify(exporter)})`);
      const provider = new BasicTracerProvider({
        resource,
        sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
        spanProcessors: [processor],
      });
      tracerProvider = provider;
      undo.push(() => provider.shutdown());
      if (global) {
        registerGlobal('TracerProvider', () => trace.setGlobalTracerProvider(provider), () => trace.disable(), undo);
        const manager = new AsyncLocalStorageContextManager();
        registerGlobal('ContextManager', () => context.setGlobalContextManager(manager), () => context.disable(), undo);
        const propagator = new MeshPropagator(options.propagator ?? {});
        registerGlobal('TextMapPropagator', () => propagation.setGlobalPropagator(propagator), () => propagation.disable(), undo);
      }
    }
    let closing: Promise<void> | undefined;
    return {
      ...(meterProvider ? { meterProvider } : {}),
      ...(metricsReader ? { metricsReader } : {}),
      ...(metricsServer ? { metricsServer } : {}),
      ...(tracerProvider ? { tracerProvider } : {}),
      ...(memoryExporter ? { memoryExporter } : {}),
      close: () => (closing ??= close()),
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function registerGlobal(what: string, register: () => boolean, unregister: () => void, undo: (() => Promise<void> | void)[]): void {
  if (!register()) {
    invalid('global', `another OpenTelemetry ${what} is already installed globally; call installTelemetry({ global: false }) and pass its providers to the mesh, or remove the other SDK`);
  }
  undo.push(unregister);
}

function invalid(field: string, problem: string): never {
  throw new MeshError('INVALID_OPTIONS', `installTelemetry: ${field} ${problem}`, { details: { field } });
}

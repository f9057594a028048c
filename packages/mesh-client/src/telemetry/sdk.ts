// The parts of the mesh's telemetry that need the OpenTelemetry SDK (@opentelemetry/sdk-metrics,
// sdk-trace-base, resources): the explicit installTelemetry() opt-in, the Prometheus endpoint and
// reader, the OTLP/HTTP JSON span exporter and the async context manager.

export { installTelemetry } from './setup';
export type { InstallTelemetryOptions, InstalledTelemetry, TraceExporterChoice } from './setup';
export { startMetricsServer, DEFAULT_METRICS_PATH, DEFAULT_METRICS_PORT } from './prometheus';
export type { MetricsServerOptions, MetricsServer } from './prometheus';
export { PrometheusReader, toPrometheusText, PROMETHEUS_CONTENT_TYPE } from './prometheus-exposition';
export type { PrometheusTextOptions } from './prometheus-exposition';
export { OtlpHttpJsonSpanExporter, otlpTraceRequest } from './otlp-http-exporter';
export type { OtlpHttpExporterOptions } from './otlp-http-exporter';
export { AsyncLocalStorageContextManager } from './async-context';

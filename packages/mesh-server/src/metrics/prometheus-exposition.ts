// The Prometheus text exposition format (0.0.4) of an OpenTelemetry MeterProvider: a pull
// MetricReader and the serializer of what it collects. Hand-written because the official OTel
// Prometheus exporter needs Node ≥ 22 (docs/observability.md). Used by the per-workload metrics
// endpoint and by the control plane's /metrics; the two copies are kept identical by a test.

import { diag, type Attributes, type AttributeValue } from '@opentelemetry/api';
import {
  AggregationTemporality, DataPointType, MetricReader,
  type DataPoint, type Histogram, type MetricData, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/** Content-Type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Options of the serializer. */
export interface PrometheusTextOptions {
  /** Append `_total` to counters whose name lacks it (OTel's Prometheus rule; default true). */
  readonly counterSuffix?: boolean;
  /** Emit `target_info` with the resource attributes (OTel's Prometheus rule; default true). */
  readonly targetInfo?: boolean;
}

/** A pull MetricReader (cumulative temporality) whose `render()` is the text exposition of one collection. */
export class PrometheusReader extends MetricReader {
  constructor(private readonly textOptions: PrometheusTextOptions = {}) {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }

  /** Collects now and serializes. Collection errors (failing observable callbacks) go to `diag`; the rest is still rendered. */
  async render(): Promise<string> {
    const { resourceMetrics, errors } = await this.collect();
    for (const error of errors) diag.warn(`metrics collection: ${(error as Error)?.message ?? String(error)}`);
    return toPrometheusText(resourceMetrics, this.textOptions);
  }

  protected override async onForceFlush(): Promise<void> {}

  protected override async onShutdown(): Promise<void> {}
}

/** Serializes collected metrics: HELP/TYPE per family, escaped label values, cumulative histogram buckets. */
export function toPrometheusText(resourceMetrics: ResourceMetrics, options: PrometheusTextOptions = {}): string {
  const families = new Map<string, { type: string; help: string; lines: string[] }>();
  const comments: string[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const rendered = renderMetric(metric, options.counterSuffix ?? true);
      if ('comment' in rendered) {
        comments.push(`# ${rendered.comment}`);
        continue;
      }
      const family = families.get(rendered.name);
      if (!family) families.set(rendered.name, { type: rendered.type, help: metric.descriptor.description, lines: rendered.lines });
      else if (family.type === rendered.type) family.lines.push(...rendered.lines);
      else comments.push(`# ${metric.descriptor.name} skipped: its name ${rendered.name} is already a ${family.type}`);
    }
  }
  const out: string[] = [];
  const resourceAttributes = resourceMetrics.resource.attributes;
  if ((options.targetInfo ?? true) && Object.keys(resourceAttributes).length > 0) {
    out.push('# HELP target_info Target metadata', '# TYPE target_info gauge', `target_info${labelSet(resourceAttributes)} 1`);
  }
  for (const [name, family] of families) {
    if (family.lines.length === 0) continue;
    if (family.help) out.push(`# HELP ${name} ${escapeHelp(family.help)}`);
    out.push(`# TYPE ${name} ${family.type}`, ...family.lines);
  }
  out.push(...comments);
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

type Rendered = { name: string; type: string; lines: string[] } | { comment: string };

function renderMetric(metric: MetricData, counterSuffix: boolean): Rendered {
  const base = metricName(metric.descriptor.name);
  switch (metric.dataPointType) {
    case DataPointType.SUM: {
      const counter = metric.isMonotonic;
      const name = counter && counterSuffix && !base.endsWith('_total') ? `${base}_total` : base;
      return { name, type: counter ? 'counter' : 'gauge', lines: sortedPoints(metric.dataPoints).map((p) => `${name}${labelSet(p.attributes)} ${formatNumber(p.value)}`) };
    }
    case DataPointType.GAUGE:
      return { name: base, type: 'gauge', lines: sortedPoints(metric.dataPoints).map((p) => `${base}${labelSet(p.attributes)} ${formatNumber(p.value)}`) };
    case DataPointType.HISTOGRAM:
      return { name: base, type: 'histogram', lines: sortedPoints(metric.dataPoints).flatMap((p) => histogramLines(base, p)) };
    default:
      return { comment: `${metric.descriptor.name} skipped: exponential histograms have no text-format representation` };
  }
}

/** Data points ordered by their label set, so the output is deterministic. */
function sortedPoints<T>(points: readonly DataPoint<T>[]): DataPoint<T>[] {
  const keyed = points.map((p) => [labelSet(p.attributes), p] as const);
  keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return keyed.map(([, p]) => p);
}

/** `_bucket` lines with cumulative counts (the last `le="+Inf"` equals the count), then `_sum` and `_count`. */
function histogramLines(name: string, point: DataPoint<Histogram>): string[] {
  const { boundaries, counts } = point.value.buckets;
  const lines: string[] = [];
  let cumulative = 0;
  for (let i = 0; i < boundaries.length; i++) {
    cumulative += counts[i] ?? 0;
    lines.push(`${name}_bucket${labelSet(point.attributes, ['le', formatNumber(boundaries[i]!)])} ${cumulative}`);
  }
  lines.push(`${name}_bucket${labelSet(point.attributes, ['le', '+Inf'])} ${point.value.count}`);
  if (point.value.sum !== undefined) lines.push(`${name}_sum${labelSet(point.attributes)} ${formatNumber(point.value.sum)}`);
  lines.push(`${name}_count${labelSet(point.attributes)} ${point.value.count}`);
  return lines;
}

/** `{a="1",b="2"}` (sorted by name; attributes whose names collide after sanitizing are joined with `;`), or ''. */
function labelSet(attributes: Attributes, extra?: [string, string]): string {
  const merged = new Map<string, string>();
  for (const key of Object.keys(attributes).sort()) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    const name = labelName(key);
    const text = attributeText(value);
    const previous = merged.get(name);
    merged.set(name, previous === undefined ? text : `${previous};${text}`);
  }
  const parts = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function attributeText(value: AttributeValue): string {
  return Array.isArray(value) ? JSON.stringify(value) : String(value);
}

/** Metric names: `[a-zA-Z_:][a-zA-Z0-9_:]*`; other characters become `_`. */
export function metricName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** Label names: `[a-zA-Z_][a-zA-Z0-9_]*`; other characters become `_`. */
export function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) || cleaned === '' ? `_${cleaned}` : cleaned;
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Go's float text as Prometheus parses it: NaN, +Inf, -Inf, else the shortest round-trip decimal. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

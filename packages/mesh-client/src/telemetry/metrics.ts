// Istio's standard request metrics recorded through the OpenTelemetry metrics API: one call per
// logical request (after retries), reporter=source for outbound calls and reporter=destination for
// served requests. Without an installed SDK the meter is a no-op and recording costs almost nothing.

import { createNoopMeter, metrics, type Attributes, type Counter, type Histogram, type Meter, type MeterProvider } from '@opentelemetry/api';
import { MeshError } from '../errors';
import { CardinalityGuard, DEFAULT_LABEL_BUDGET, type LabelBudget } from './cardinality-guard';
import { ISTIO_LABEL_NAMES, type IstioRequestLabels } from './istio-labels';

/** Instrumentation scope of everything mesh-client records. */
export const TELEMETRY_SCOPE = '@inboard/mesh-client';

/** Metric names, exactly as Istio (and the dropped-value counter) export them. */
export const METRIC_NAMES = Object.freeze({
  requests: 'istio_requests_total',
  duration: 'istio_request_duration_milliseconds',
  requestBytes: 'istio_request_bytes',
  responseBytes: 'istio_response_bytes',
  droppedLabelValues: 'inboard_metrics_dropped_label_values_total',
});

/**
 * Histogram bucket bounds of Istio's distributions: Envoy's default histogram buckets
 * (source/common/stats/histogram_impl.cc), which Istio's stats extension uses for both the
 * millisecond durations and the byte sizes unless a proxy annotation overrides them.
 */
export const ISTIO_HISTOGRAM_BUCKETS: readonly number[] = Object.freeze([
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
]);

/** Labels that may be recorded besides Istio's standard set when enabled in `extraLabels`. */
export type ExtraLabelName = 'request_path';

/** Options of MeshMetrics. */
export interface MeshMetricsOptions {
  /** Where instruments come from; default the global MeterProvider (a no-op until an SDK is installed). */
  readonly meterProvider?: MeterProvider;
  /** Or a Meter directly (wins over meterProvider). */
  readonly meter?: Meter;
  /** Labels recorded besides Istio's standard set (default none). `request_path` should stay budgeted. */
  readonly extraLabels?: readonly ExtraLabelName[];
  /** The label budget (default DEFAULT_LABEL_BUDGET); replaceable later with setLabelBudget(). */
  readonly labelBudget?: LabelBudget;
  /** Observations between recomputations of a label's top K (default 1000). */
  readonly rebalanceEvery?: number;
}

/** What was measured of one request. */
export interface RequestMeasures {
  /** From the request's start to the end of the response (ms). */
  readonly durationMs: number;
  /** Request body bytes sent (0 when none). */
  readonly requestBytes: number;
  /** Response body bytes received (0 when none). */
  readonly responseBytes: number;
}

/** Labels given to recordRequest: Istio's full set plus the enabled extra labels. */
export type RecordedLabels = IstioRequestLabels & Partial<Readonly<Record<ExtraLabelName, string>>>;

/** Istio's four request metrics on an OpenTelemetry Meter, behind a label budget. */
export class MeshMetrics {
  private readonly requests: Counter;
  private readonly duration: Histogram;
  private readonly requestBytes: Histogram;
  private readonly responseBytes: Histogram;
  private readonly dropped: Counter;
  private readonly guard: CardinalityGuard;
  private readonly labelNames: readonly string[];
  /** False when the meter is the OpenTelemetry API's no-op meter (no SDK): recording would do nothing, so callers may skip it. */
  readonly enabled: boolean;

  /** @throws MeshError INVALID_OPTIONS for a bad label budget or extra label. */
  constructor(options: MeshMetricsOptions = {}) {
    const meter = options.meter ?? (options.meterProvider ?? metrics.getMeterProvider()).getMeter(TELEMETRY_SCOPE);
    const buckets = { advice: { explicitBucketBoundaries: [...ISTIO_HISTOGRAM_BUCKETS] } };
    this.requests = meter.createCounter(METRIC_NAMES.requests, { description: 'Requests handled by the mesh (Istio standard metric).' });
    this.duration = meter.createHistogram(METRIC_NAMES.duration, { description: 'Duration of requests in milliseconds (Istio standard metric).', unit: 'ms', ...buckets });
    this.requestBytes = meter.createHistogram(METRIC_NAMES.requestBytes, { description: 'Request body sizes in bytes (Istio standard metric).', unit: 'By', ...buckets });
    this.responseBytes = meter.createHistogram(METRIC_NAMES.responseBytes, { description: 'Response body sizes in bytes (Istio standard metric).', unit: 'By', ...buckets });
    this.enabled = this.requests !== createNoopMeter().createCounter(METRIC_NAMES.requests);
    this.dropped = meter.createCounter(METRIC_NAMES.droppedLabelValues, { description: 'Label values replaced by "other" because the label budget was spent.' });
    this.guard = new CardinalityGuard(options.labelBudget ?? DEFAULT_LABEL_BUDGET, {
      onDrop: (label) => this.dropped.add(1, { label }),
      ...(options.rebalanceEvery !== undefined ? { rebalanceEvery: options.rebalanceEvery } : {}),
    });
    for (const extra of options.extraLabels ?? []) {
      if (extra !== 'request_path') {
        throw new MeshError('INVALID_OPTIONS', `extraLabels: ${JSON.stringify(extra)} is not a known extra label (known: request_path)`, { details: { field: 'extraLabels' } });
      }
    }
    this.labelNames = [...ISTIO_LABEL_NAMES, ...(options.extraLabels ?? [])];
  }

  /** Records one logical request under its labels (budgeted labels may become `other`). */
  recordRequest(labels: RecordedLabels, measures: RequestMeasures): void {
    if (!this.enabled) return;
    const attributes: Record<string, string> = {};
    for (const name of this.labelNames) {
      const value = (labels as Readonly<Record<string, string | undefined>>)[name];
      if (value !== undefined) attributes[name] = value;
    }
    const admitted: Attributes = this.guard.apply(attributes);
    this.requests.add(1, admitted);
    this.duration.record(Math.max(0, measures.durationMs), admitted);
    this.requestBytes.record(Math.max(0, measures.requestBytes), admitted);
    this.responseBytes.record(Math.max(0, measures.responseBytes), admitted);
  }

  /** Replaces the label budget (the control plane pushes it). @throws MeshError INVALID_OPTIONS. */
  setLabelBudget(budget: LabelBudget): void {
    this.guard.setBudget(budget);
  }

  /** The label budget in force. */
  labelBudget(): LabelBudget {
    return this.guard.budget();
  }
}

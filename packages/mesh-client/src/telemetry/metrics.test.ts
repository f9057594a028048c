import assert from 'node:assert/strict';
import { createNoopMeter } from '@opentelemetry/api';
import { DataPointType, MeterProvider, type HistogramMetricData, type MetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { isMeshError } from '../errors';
import { OTHER_LABEL_VALUE } from './cardinality-guard';
import { destinationService, outboundLabels, workloadPeer, type IstioRequestLabels } from './istio-labels';
import { ISTIO_HISTOGRAM_BUCKETS, MeshMetrics, METRIC_NAMES } from './metrics';
import { PrometheusReader } from './prometheus-exposition';

const self = workloadPeer({ namespace: 'default', labels: { app: 'productpage', version: 'v1' }, serviceAccount: 'bookinfo-productpage' });
const reviews = destinationService('reviews.default.svc.cluster.local');
function labels(version: string, code: number, flags?: string): IstioRequestLabels {
  const dest = workloadPeer({ namespace: 'default', labels: { app: 'reviews', version } });
  return outboundLabels(self, dest, reviews, { protocol: 'http', responseCode: code, mtls: false, ...(flags ? { responseFlags: flags } : {}) });
}

async function collect(reader: PrometheusReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
}

describe('telemetry/metrics', () => {
  let provider: MeterProvider;
  let reader: PrometheusReader;
  beforeEach(() => {
    reader = new PrometheusReader();
    provider = new MeterProvider({ readers: [reader] });
  });
  afterEach(() => provider.shutdown());

  it('records Istio request count, duration and sizes per label set, with Istio buckets', async () => {
    const metrics = new MeshMetrics({ meterProvider: provider });
    for (let i = 0; i < 3; i++) metrics.recordRequest(labels('v1', 200), { durationMs: 7, requestBytes: 0, responseBytes: 300 });
    metrics.recordRequest(labels('v2', 503, 'UH'), { durationMs: 0.2, requestBytes: 12, responseBytes: 19 });
    const got = await collect(reader);

    const requests = got.get(METRIC_NAMES.requests) as SumMetricData;
    assert.equal(requests.dataPointType, DataPointType.SUM);
    const byVersion = new Map(requests.dataPoints.map((p) => [`${p.attributes['destination_version']}/${p.attributes['response_code']}/${p.attributes['response_flags']}`, p.value]));
    assert.deepEqual([...byVersion.entries()].sort(), [['v1/200/-', 3], ['v2/503/UH', 1]]);

    const duration = got.get(METRIC_NAMES.duration) as HistogramMetricData;
    const v1 = duration.dataPoints.find((p) => p.attributes['destination_version'] === 'v1')!;
    assert.deepEqual(v1.value.buckets.boundaries, [...ISTIO_HISTOGRAM_BUCKETS]);
    assert.equal(v1.value.count, 3);
    assert.equal(v1.value.sum, 21);
    assert.equal(v1.value.buckets.counts[ISTIO_HISTOGRAM_BUCKETS.indexOf(10)], 3, '7 ms falls in the (5, 10] bucket');
    const responseBytes = got.get(METRIC_NAMES.responseBytes) as HistogramMetricData;
    assert.deepEqual(responseBytes.dataPoints.map((p) => p.value.sum).sort((a, b) => a! - b!), [19, 900]);
    assert.deepEqual((got.get(METRIC_NAMES.requestBytes) as HistogramMetricData).dataPoints[0]!.value.buckets.boundaries, [...ISTIO_HISTOGRAM_BUCKETS]);
  });

  it('spends the label budget: values beyond it become other and the dropped counter counts them', async () => {
    const metrics = new MeshMetrics({ meterProvider: provider, labelBudget: { destination_version: { maxValues: 1 } } });
    metrics.recordRequest(labels('v1', 200), { durationMs: 1, requestBytes: 0, responseBytes: 0 });
    metrics.recordRequest(labels('v2', 200), { durationMs: 1, requestBytes: 0, responseBytes: 0 });
    metrics.recordRequest(labels('v3', 200), { durationMs: 1, requestBytes: 0, responseBytes: 0 });
    const got = await collect(reader);
    const versions = new Map<unknown, number>();
    for (const p of (got.get(METRIC_NAMES.requests) as SumMetricData).dataPoints) {
      versions.set(p.attributes['destination_version'], (versions.get(p.attributes['destination_version']) ?? 0) + p.value);
    }
    assert.deepEqual([...versions.entries()].sort(), [['other', 2], ['v1', 1]]);
    const dropped = got.get(METRIC_NAMES.droppedLabelValues) as SumMetricData;
    assert.deepEqual(dropped.dataPoints.map((p) => [p.attributes, p.value]), [[{ label: 'destination_version' }, 2]]);
  });

  it('records request_path only when enabled, and budgets it (default 50 values)', async () => {
    const withPath = { ...labels('v1', 200), request_path: '/reviews/1' };
    new MeshMetrics({ meterProvider: provider }).recordRequest(withPath, { durationMs: 1, requestBytes: 0, responseBytes: 0 });
    let points = (await collect(reader)).get(METRIC_NAMES.requests) as SumMetricData;
    assert.equal(points.dataPoints[0]!.attributes['request_path'], undefined);

    const metrics = new MeshMetrics({ meterProvider: provider, extraLabels: ['request_path'] });
    for (let i = 0; i < 60; i++) metrics.recordRequest({ ...labels('v1', 200), request_path: `/reviews/${i}` }, { durationMs: 1, requestBytes: 0, responseBytes: 0 });
    points = (await collect(reader)).get(METRIC_NAMES.requests) as SumMetricData;
    const paths = points.dataPoints.map((p) => p.attributes['request_path']).filter((p) => p !== undefined);
    assert.equal(paths.length, 51);
    assert.ok(paths.includes(OTHER_LABEL_VALUE));
  });

  it('takes a new label budget at run time and rejects bad options by name', async () => {
    const metrics = new MeshMetrics({ meterProvider: provider });
    metrics.setLabelBudget({ destination_workload: { maxValues: 0 } });
    metrics.recordRequest(labels('v1', 200), { durationMs: 1, requestBytes: 0, responseBytes: 0 });
    const point = ((await collect(reader)).get(METRIC_NAMES.requests) as SumMetricData).dataPoints[0]!;
    assert.equal(point.attributes['destination_workload'], OTHER_LABEL_VALUE);
    assert.deepEqual(metrics.labelBudget(), { destination_workload: { maxValues: 0 } });
    assert.throws(() => metrics.setLabelBudget({ x: { maxValues: -2 } }), (e: unknown) => isMeshError(e, 'INVALID_OPTIONS'));
    assert.throws(() => new MeshMetrics({ extraLabels: ['user_id' as never] }), /extraLabels: "user_id" is not a known extra label/);
  });

  it('is a no-op without an SDK', () => {
    const metrics = new MeshMetrics({ meter: createNoopMeter() });
    metrics.recordRequest(labels('v1', 200), { durationMs: 1, requestBytes: 0, responseBytes: 0 });
    new MeshMetrics().recordRequest(labels('v1', 200), { durationMs: -3, requestBytes: 0, responseBytes: 0 });
  });
});

import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { MeterProvider, type HistogramMetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { workloadPeer } from './istio-labels';
import { MeshMetrics, METRIC_NAMES } from './metrics';
import { PEER_METADATA_HEADER } from './peer-metadata';
import { PrometheusReader } from './prometheus-exposition';
import { MeshTelemetry, observeBody } from './request-telemetry';
import { MeshTracing } from './tracing';

const CLUSTER_V2 = 'outbound|9080|v2|reviews.default.svc.cluster.local';
const reviewsV2Endpoint = {
  key: '127.0.0.1:9082',
  metadata: { inboard: { namespace: 'default', service_account: 'bookinfo-reviews', identity: 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews', labels: { app: 'reviews', version: 'v2' } } },
};
const outboundRequest = { method: 'GET', scheme: 'http' as const, authority: 'reviews:9080', path: '/reviews/0', headers: {} };

function setup() {
  const reader = new PrometheusReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let clock = 1000;
  const telemetry = (self: ReturnType<typeof workloadPeer>) => new MeshTelemetry({
    self, metrics: new MeshMetrics({ meterProvider }), tracing: new MeshTracing({ tracerProvider }), now: () => clock,
  });
  const advance = (ms: number) => { clock += ms; };
  const requests = async () => {
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    return {
      count: all.find((m) => m.descriptor.name === METRIC_NAMES.requests) as SumMetricData | undefined,
      duration: all.find((m) => m.descriptor.name === METRIC_NAMES.duration) as HistogramMetricData | undefined,
    };
  };
  return { telemetry, advance, requests, spans: () => exporter.getFinishedSpans(), close: () => meterProvider.shutdown() };
}

describe('telemetry/request-telemetry (the pipeline hooks)', () => {
  it('records an outbound call: span with mesh attributes, Istio labels from the cluster and endpoint metadata, duration', async () => {
    const t = setup();
    const productpage = t.telemetry(workloadPeer({ namespace: 'default', labels: { app: 'productpage', version: 'v1' }, serviceAccount: 'bookinfo-productpage' }));
    const call = productpage.outbound(outboundRequest, { route: 'reviews', cluster: CLUSTER_V2 });
    const attempt = call.attempt(1, { cluster: CLUSTER_V2, endpoint: reviewsV2Endpoint });
    const headers = attempt.injectHeaders({ accept: '*/*' });
    assert.ok(headers[PEER_METADATA_HEADER], 'mesh clusters get the peer metadata header');
    assert.ok(headers['traceparent']);
    t.advance(42);
    call.end({ status: 200, cluster: CLUSTER_V2, endpoint: reviewsV2Endpoint, mtls: true, responseBytes: 295 });
    call.end({ status: 500 });

    const [span] = t.spans();
    assert.equal(span!.kind, SpanKind.CLIENT);
    assert.equal(span!.attributes['inboard.subset'], 'v2');
    assert.equal(span!.attributes['inboard.endpoint'], '127.0.0.1:9082');
    assert.equal(span!.attributes['inboard.destination_service'], 'reviews.default.svc.cluster.local');
    const { count, duration } = await t.requests();
    assert.equal(count!.dataPoints.length, 1, 'ended once');
    const labels = count!.dataPoints[0]!.attributes;
    assert.equal(labels['reporter'], 'source');
    assert.equal(labels['source_workload'], 'productpage-v1');
    assert.equal(labels['destination_workload'], 'reviews-v2');
    assert.equal(labels['destination_version'], 'v2');
    assert.equal(labels['destination_principal'], 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews');
    assert.equal(labels['destination_service_name'], 'reviews');
    assert.equal(duration!.dataPoints[0]!.value.sum, 42);
    await t.close();
  });

  it('records a served request with the caller identified by its peer header and certificate', async () => {
    const t = setup();
    const productpage = t.telemetry(workloadPeer({ namespace: 'default', labels: { app: 'productpage', version: 'v1' }, serviceAccount: 'bookinfo-productpage' }));
    const reviews = t.telemetry(workloadPeer({ namespace: 'default', labels: { app: 'reviews', version: 'v2' }, serviceAccount: 'bookinfo-reviews' }));
    const call = productpage.outbound(outboundRequest, { cluster: CLUSTER_V2 });
    const sent = call.attempt(1).injectHeaders({});
    const served = reviews.inbound({ ...outboundRequest, headers: sent }, { service: 'reviews.default.svc.cluster.local', verifiedPrincipal: 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage' });
    served.end({ status: 503, responseFlags: 'FI' });
    call.end({ status: 503, responseFlags: 'FI', mtls: true });

    const server = t.spans().find((s) => s.kind === SpanKind.SERVER)!;
    const client = t.spans().find((s) => s.kind === SpanKind.CLIENT)!;
    assert.equal(server.parentSpanContext?.spanId, client.spanContext().spanId, 'one trace across the hop');
    const { count } = await t.requests();
    const dest = count!.dataPoints.find((p) => p.attributes['reporter'] === 'destination')!.attributes;
    assert.equal(dest['source_workload'], 'productpage-v1');
    assert.equal(dest['source_principal'], 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage');
    assert.equal(dest['destination_workload'], 'reviews-v2');
    assert.equal(dest['connection_security_policy'], 'mutual_tls');
    assert.equal(dest['response_code'], '503');
    assert.equal(dest['response_flags'], 'FI');
    await t.close();
  });

  it('sends no peer metadata to a passthrough host and labels it by authority', async () => {
    const t = setup();
    const app = t.telemetry(workloadPeer({ namespace: 'default', labels: { app: 'productpage' } }));
    const call = app.outbound({ ...outboundRequest, authority: 'httpbin.org:80' }, { cluster: 'PassthroughCluster' });
    assert.equal(call.attempt(1).injectHeaders({})[PEER_METADATA_HEADER], undefined);
    call.end({ status: 200 });
    const { count } = await t.requests();
    assert.equal(count!.dataPoints[0]!.attributes['destination_service'], 'PassthroughCluster');
    const local = app.outbound({ ...outboundRequest, authority: 'example.com:8080' });
    local.end({ responseFlags: 'NR', status: 404 });
    const after = await t.requests();
    assert.ok(after.count!.dataPoints.some((p) => p.attributes['destination_service'] === 'example.com' && p.attributes['response_flags'] === 'NR'));
    await t.close();
  });

  it('with nothing to record, an outbound call is free: no span, only the peer header; a trace or an SDK turns it back on', () => {
    const app = new MeshTelemetry({ self: workloadPeer({ namespace: 'default', labels: { app: 'productpage' } }) });
    const quiet = app.outbound(outboundRequest, { cluster: CLUSTER_V2 });
    assert.equal(quiet, app.outbound(outboundRequest, { cluster: CLUSTER_V2 }), 'one shared object, nothing built per call');
    assert.equal(quiet.watchesBody, false);
    // isQuiet/quietOutbound: the same decision and object without describing the call.
    assert.equal(app.isQuiet(outboundRequest), true);
    assert.equal(app.quietOutbound(CLUSTER_V2), quiet);
    assert.notEqual(app.quietOutbound('PassthroughCluster'), quiet, 'no peer header outside the mesh');
    const headers = quiet.attempt(1).injectHeaders({ 'x-app': 'a' });
    assert.deepEqual(Object.keys(headers).sort(), ['x-app', PEER_METADATA_HEADER].sort());
    assert.equal(app.outbound(outboundRequest, { cluster: 'PassthroughCluster' }).attempt(1).injectHeaders({})[PEER_METADATA_HEADER], undefined);
    // A trace the caller's headers carry is continued (B3 multi and W3C both count).
    const traced = { ...outboundRequest, headers: { 'x-b3-traceid': '463ac35c9f6413ad48485a3953bb6124', 'x-b3-spanid': 'a2fb4a1d1a96d312', 'x-b3-sampled': '1' } };
    const continued = app.outbound(traced, { cluster: CLUSTER_V2 }).attempt(1).injectHeaders({ ...traced.headers });
    assert.match(String(continued['traceparent']), /^00-463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-01$/);
    // So is the served request's trace (the fallback parent).
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    assert.notEqual(app.outbound(outboundRequest, { cluster: CLUSTER_V2, fallbackParent: parent }), quiet);
    assert.equal(app.isQuiet(outboundRequest, parent), false);
    assert.equal(app.isQuiet(traced), false);
    // A tracing SDK installed after the telemetry was built records from the next call on.
    const exporter = new InMemorySpanExporter();
    assert.ok(trace.setGlobalTracerProvider(new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new SimpleSpanProcessor(exporter)] })));
    try {
      const recorded = app.outbound(outboundRequest, { cluster: CLUSTER_V2 });
      assert.notEqual(recorded, quiet);
      assert.equal(recorded.span.span.isRecording(), true);
      recorded.end({ status: 200 });
      assert.equal(exporter.getFinishedSpans().length, 1);
    } finally {
      trace.disable();
    }
  });

  it('observeBody reports the bytes once the body ends, or the failure when it breaks', async () => {
    const seen: [number, string | undefined][] = [];
    const body = observeBody(Readable.from([Buffer.from('hello '), Buffer.from('world')]), (bytes, error) => seen.push([bytes, error?.message]));
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'hello world');
    assert.deepEqual(seen, [[11, undefined]]);

    const failing = new Readable({ read() {} });
    const broken = observeBody(failing, (bytes, error) => seen.push([bytes, error?.message]));
    broken.on('error', () => undefined);
    failing.push(Buffer.from('abc'));
    failing.destroy(new Error('upstream reset'));
    await new Promise((r) => broken.on('close', r));
    assert.equal(seen.at(-1)![1], 'upstream reset');

    const source = new Readable({ read() {} });
    const abandoned = observeBody(source, (bytes, error) => seen.push([bytes, error?.message]));
    abandoned.destroy();
    await new Promise((r) => source.on('close', r));
    assert.equal(source.destroyed, true, 'a reader giving up destroys the upstream body');
    assert.match(String(seen.at(-1)![1]), /closed before its end|premature/i);
  });
});

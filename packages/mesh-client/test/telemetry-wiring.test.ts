// Integration: the pipeline's telemetry hooks. A meshed call records a CLIENT span and Istio's
// istio_requests_total (reporter source, destination version, flags); the served request records
// a SERVER span in the same trace, parented across processes by the attempt's trace headers.

import assert from 'node:assert/strict';
import { MeterProvider, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { connect, type Mesh } from '../src';
import { PrometheusReader } from '../src/telemetry/sdk';
import { identityOf, startBackend, type Backend } from './support/backends';
import { startTestPlane, untilEndpoints, untilExplained, type TestPlane } from './support/control-plane';
import { kubernetesService } from './support/istio';

async function requestsTotal(reader: PrometheusReader): Promise<Record<string, unknown>[]> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'istio_requests_total') as SumMetricData | undefined;
  return (metric?.dataPoints ?? []).map((p) => ({ ...p.attributes, value: p.value }));
}

describe('telemetry wiring', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  let backend: Backend;
  let client: Mesh;
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const clientReader = new PrometheusReader();
  const serverReader = new PrometheusReader();
  const clientMeters = new MeterProvider({ readers: [clientReader] });
  const serverMeters = new MeterProvider({ readers: [serverReader] });

  before(async () => {
    tp = await startTestPlane();
    backend = await startBackend(tp.xds, 'reviews', 'v2', { connect: { telemetry: { tracerProvider, meterProvider: serverMeters } } });
    client = connect({ controlPlane: tp.xds, service: 'productpage', version: 'v1', telemetry: { tracerProvider, meterProvider: clientMeters } });
    await untilEndpoints(client, 'http://reviews/', 1);
  });

  after(async () => {
    await client?.close();
    await backend?.close();
    await tp?.close();
    await clientMeters.shutdown();
    await serverMeters.shutdown();
    await tracerProvider.shutdown();
  });

  it('records the call on both sides, in one trace', async () => {
    assert.equal((await identityOf(await client.fetch('http://reviews/reviews/0'))).version, 'v2');
    const reported = await requestsTotal(clientReader);
    const outbound = reported.find((p) => p['reporter'] === 'source' && p['response_code'] === '200');
    assert.ok(outbound, JSON.stringify(reported));
    assert.deepEqual([outbound['source_app'], outbound['destination_version'], outbound['destination_service_name'], outbound['value']], ['productpage', 'v2', 'reviews', 1]);
    const served = (await requestsTotal(serverReader)).find((p) => p['reporter'] === 'destination');
    assert.ok(served);
    assert.equal(served['source_app'], 'productpage', 'the peer metadata header told the server who called');

    const finished = spans.getFinishedSpans();
    const clientSpan = finished.find((s) => s.kind === 2 /* CLIENT */);
    const serverSpan = finished.find((s) => s.kind === 1 /* SERVER */);
    assert.ok(clientSpan && serverSpan, finished.map((s) => `${s.name}:${s.kind}`).join(', '));
    assert.equal(serverSpan.spanContext().traceId, clientSpan.spanContext().traceId);
  });

  it('records the mesh\'s local replies with their response flags (503 UH)', async () => {
    await tp.apply(kubernetesService('ratings'));
    await untilExplained(client, 'http://ratings:9080/', (e) => e['decision'] === 'forward');
    const response = await client.fetch('http://ratings:9080/');
    assert.equal(response.status, 503);
    await response.text();
    const reported = await requestsTotal(clientReader);
    const uh = reported.find((p) => p['reporter'] === 'source' && p['response_code'] === '503');
    assert.equal(uh?.['response_flags'], 'UH', JSON.stringify(reported));
  });
});

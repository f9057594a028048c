import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { isMeshError } from '../errors';
import { destinationService, outboundLabels, workloadPeer } from './istio-labels';
import { MeshMetrics } from './metrics';
import { installTelemetry, type InstalledTelemetry } from './setup';
import { MeshTracing } from './tracing';

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const request = { method: 'GET', scheme: 'http' as const, authority: 'reviews:9080', path: '/', headers: {} };

describe('telemetry/setup (installTelemetry)', () => {
  let installed: InstalledTelemetry | undefined;
  afterEach(async () => {
    await installed?.close();
    installed = undefined;
  });

  it('installs metrics on a Prometheus endpoint and tracing with the async context and the mesh propagator', async () => {
    installed = await installTelemetry({ serviceName: 'productpage', metrics: { port: 0 }, tracing: { exporter: 'memory' } });
    const self = workloadPeer({ namespace: 'default', labels: { app: 'productpage', version: 'v1' } });
    new MeshMetrics().recordRequest(outboundLabels(self, self, destinationService('reviews.default.svc.cluster.local'), { protocol: 'http', responseCode: 200, mtls: false }), { durationMs: 3, requestBytes: 0, responseBytes: 10 });
    const scraped = await get(installed.metricsServer!.url);
    assert.match(scraped, /^target_info\{service_name="productpage"[,}]/m);
    assert.match(scraped, /^istio_requests_total\{.*destination_service="reviews\.default\.svc\.cluster\.local".*\} 1$/m);

    const tracing = new MeshTracing();
    const server = tracing.startServerSpan({ ...request, headers: { 'x-b3-traceid': '80f198ee56343ba864fe8b2a57d3eff7', 'x-b3-spanid': 'e457b5a2e4d86bd1', 'x-b3-sampled': '1' } });
    await context.with(server.context, async () => {
      await new Promise((r) => setImmediate(r));
      tracing.startClientSpan(request).end({ status: 200 });
    });
    server.end({ status: 200 });
    const spans = installed.memoryExporter!.getFinishedSpans();
    assert.equal(spans.length, 2);
    assert.equal(spans[0]!.parentSpanContext?.spanId, spans[1]!.spanContext().spanId, 'the active server span became the parent across await');
    assert.equal(spans[1]!.resource.attributes['service.name'], 'productpage');

    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), trace.wrapSpanContext(spans[1]!.spanContext())), carrier);
    assert.deepEqual(Object.keys(carrier).sort(), ['traceparent', 'x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
  });

  it('removes what it installed on close()', async () => {
    const local = await installTelemetry({ serviceName: 'x', metrics: { port: 0 }, tracing: { exporter: 'memory' } });
    const url = local.metricsServer!.url;
    await local.close();
    assert.equal(trace.getTracer('t').startSpan('s').isRecording(), false);
    assert.deepEqual(propagation.fields(), []);
    await assert.rejects(get(url), /ECONNREFUSED/);
    metrics.getMeter('t').createCounter('c').add(1); // no-op again, does not throw
  });

  it('refuses a second global install without leaving anything half-installed', async () => {
    installed = await installTelemetry({ serviceName: 'a', tracing: { exporter: 'memory' } });
    await assert.rejects(
      installTelemetry({ serviceName: 'b', metrics: { port: 0 }, tracing: { exporter: 'memory' } }),
      (e: unknown) => isMeshError(e, 'INVALID_OPTIONS') && /another OpenTelemetry TracerProvider is already installed globally/.test((e as Error).message),
    );
    assert.equal(trace.getTracer('t').startSpan('s').isRecording(), true, 'the first install still works');
    assert.equal(metrics.getMeterProvider().constructor.name, 'NoopMeterProvider', 'the failed install took its MeterProvider back');
    const side = await installTelemetry({ serviceName: 'c', tracing: { exporter: 'memory' }, global: false });
    side.tracerProvider!.getTracer('t').startSpan('s').end();
    assert.equal(side.memoryExporter!.getFinishedSpans().length, 1);
    await side.close();
  });

  it('exports spans to an OTLP/HTTP collector, flushed on close()', async () => {
    const received: string[] = [];
    const collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        received.push(`${req.url} ${body}`);
        res.end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
      const local = await installTelemetry({ serviceName: 'ratings', tracing: { exporter: { otlpHttp: url }, sampler: 1 } });
      new MeshTracing().startClientSpan(request).end({ status: 200 });
      await local.close();
      assert.equal(received.length, 1);
      assert.match(received[0]!, /^\/v1\/traces \{"resourceSpans"/);
      assert.match(received[0]!, /"stringValue":"ratings"/);
    } finally {
      await new Promise<void>((r) => collector.close(() => r()));
    }
  });

  it('rejects bad options by name', async () => {
    const cases: [unknown, RegExp][] = [
      [{ serviceName: '' }, /serviceName must be a non-empty string/],
      [{ serviceName: 's', tracing: { exporter: 'memory', sampler: 2 } }, /tracing\.sampler must be a ratio in \[0, 1\]/],
      [{ serviceName: 's', tracing: { exporter: 'jaeger' } }, /tracing\.exporter must be 'console', 'memory' or \{ otlpHttp: url \}/],
      [null, /options must be an object/],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(installTelemetry(options as never), (e: unknown) => isMeshError(e, 'INVALID_OPTIONS') && message.test((e as Error).message));
    }
    assert.equal(trace.getTracer('t').startSpan('s').isRecording(), false, 'a refused install leaves no global behind');
  });
});

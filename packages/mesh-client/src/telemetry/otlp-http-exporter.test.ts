import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { nanos, OtlpHttpJsonSpanExporter } from './otlp-http-exporter';

/** A stand-in collector on loopback recording what it receives. */
async function collector(status = 200): Promise<{ url: string; bodies: unknown[]; paths: string[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      bodies.push(JSON.parse(text));
      res.writeHead(status).end(status === 200 ? '{}' : 'nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, paths, close: () => new Promise((r) => server.close(() => r())) };
}

function someSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'productpage' }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('@inboard/mesh-client');
  const parent = tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'http.response.status_code': 200, 'url.full': 'http://reviews:9080/', ratio: 0.5, ok: true, tags: ['a', 'b'] } });
  parent.addEvent('retry', { attempt: 2 });
  parent.end();
  return memory.getFinishedSpans();
}

describe('telemetry/otlp-http-exporter', () => {
  it('POSTs OTLP/JSON to /v1/traces with hex ids, string nanos, OTLP enums and typed values', async () => {
    const sink = await collector();
    try {
      const exporter = new OtlpHttpJsonSpanExporter({ url: sink.url, headers: { 'x-token': 't' } });
      const spans = someSpans();
      const result = await new Promise<{ code: number }>((resolve) => exporter.export(spans, resolve));
      assert.equal(result.code, 0);
      assert.deepEqual(sink.paths, ['POST /v1/traces application/json']);
      const body = sink.bodies[0] as { resourceSpans: { resource: { attributes: object[] }; scopeSpans: { scope: { name: string }; spans: Record<string, unknown>[] }[] }[] };
      assert.deepEqual(body.resourceSpans[0]!.resource.attributes.find((a) => (a as { key: string }).key === 'service.name'), { key: 'service.name', value: { stringValue: 'productpage' } });
      const scope = body.resourceSpans[0]!.scopeSpans[0]!;
      assert.equal(scope.scope.name, '@inboard/mesh-client');
      const span = scope.spans[0]!;
      const source = spans[0]!;
      assert.equal(span['traceId'], source.spanContext().traceId);
      assert.equal(span['spanId'], source.spanContext().spanId);
      assert.equal(span['kind'], 3, 'SPAN_KIND_CLIENT');
      assert.equal(span['startTimeUnixNano'], nanos(source.startTime));
      assert.deepEqual(span['attributes'], [
        { key: 'http.response.status_code', value: { intValue: '200' } },
        { key: 'url.full', value: { stringValue: 'http://reviews:9080/' } },
        { key: 'ratio', value: { doubleValue: 0.5 } },
        { key: 'ok', value: { boolValue: true } },
        { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
      ]);
      assert.deepEqual((span['events'] as object[])[0], { timeUnixNano: nanos(source.events[0]!.time), name: 'retry', attributes: [{ key: 'attempt', value: { intValue: '2' } }] });
      assert.deepEqual(span['status'], { code: 0 });
      await exporter.shutdown();
      const after = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
      assert.equal(after.code, 1);
    } finally {
      await sink.close();
    }
  });

  it('reports a collector error and an unreachable collector as FAILED', async () => {
    const sink = await collector(500);
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => new OtlpHttpJsonSpanExporter({ url: `${sink.url}/custom` }).export(someSpans(), resolve));
    assert.equal(result.code, 1);
    assert.match(result.error!.message, /answered 500: nope/);
    assert.deepEqual(sink.paths.map((p) => p.split(' ')[1]), ['/custom']);
    await sink.close();
    const down = await new Promise<{ code: number; error?: Error }>((resolve) => new OtlpHttpJsonSpanExporter({ url: sink.url }).export(someSpans(), resolve));
    assert.equal(down.code, 1);
    assert.throws(() => new OtlpHttpJsonSpanExporter({ url: 'ftp://x' }), /must be http\(s\)/);
  });

  it('converts HrTime to exact decimal nanoseconds', () => {
    assert.equal(nanos([1_700_000_000, 123_456_789]), '1700000000123456789');
    assert.equal(nanos([0, 5]), '5');
  });
});

import assert from 'node:assert/strict';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler,
  type ReadableSpan, type Sampler,
} from '@opentelemetry/sdk-trace-base';
import type { HeaderMap } from '../request';
import { AsyncLocalStorageContextManager } from './async-context';
import { MeshTracing, type OutboundRequestInfo } from './tracing';

const CLUSTER = 'outbound|9080|v2|reviews.default.svc.cluster.local';
const request = (headers: HeaderMap = {}, method = 'GET'): OutboundRequestInfo =>
  ({ method, scheme: 'http', authority: 'reviews:9080', path: '/reviews/0?sig=secret&x=1', headers });
const B3_TRACE = '80f198ee56343ba864fe8b2a57d3eff7';
const B3_SPAN = 'e457b5a2e4d86bd1';

function setup(sampler: Sampler = new AlwaysOnSampler()) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracing = new MeshTracing({ tracerProvider: provider });
  const spans = () => exporter.getFinishedSpans();
  const byName = (kind: SpanKind) => spans().filter((s) => s.kind === kind);
  return { provider, tracing, spans, byName };
}
const idOf = (s: ReadableSpan) => s.spanContext().spanId;

describe('telemetry/tracing', () => {
  it('makes one CLIENT span per call without retries, with semantic-convention and mesh attributes', () => {
    const { tracing, spans } = setup();
    const call = tracing.startClientSpan(request({ 'x-request-id': 'r' }), { route: 'reviews-v2', cluster: CLUSTER, subset: 'v2', destinationService: 'reviews.default.svc.cluster.local' });
    const attempt = call.attempt(1, { endpoint: '127.0.0.1:9081' });
    const headers = attempt.injectHeaders({ 'x-request-id': 'r' });
    attempt.end({ status: 200 });
    call.end({ status: 200 });
    const [span] = spans();
    assert.equal(spans().length, 1);
    assert.equal(span!.kind, SpanKind.CLIENT);
    assert.equal(span!.name, 'GET');
    assert.deepEqual(span!.attributes, {
      'http.request.method': 'GET',
      'server.address': 'reviews',
      'server.port': 9080,
      'url.full': 'http://reviews:9080/reviews/0?sig=REDACTED&x=1',
      'inboard.route': 'reviews-v2',
      'inboard.destination_service': 'reviews.default.svc.cluster.local',
      'inboard.cluster': CLUSTER,
      'inboard.subset': 'v2',
      'inboard.endpoint': '127.0.0.1:9081',
      'network.peer.address': '127.0.0.1',
      'network.peer.port': 9081,
      'http.response.status_code': 200,
      'inboard.retry_count': 0,
    });
    assert.equal(span!.status.code, SpanStatusCode.UNSET);
    assert.equal(headers['traceparent'], `00-${span!.spanContext().traceId}-${idOf(span!)}-01`);
    assert.equal(headers['x-b3-spanid'], idOf(span!));
    assert.equal(headers['x-request-id'], 'r');
  });

  it('makes a logical span with one CLIENT child per attempt when the route can retry', () => {
    const { tracing, spans, byName } = setup();
    const call = tracing.startClientSpan(request(), { route: 'r', cluster: CLUSTER, maxAttempts: 3 });
    const first = call.attempt(1, { endpoint: '127.0.0.1:9081' });
    const firstHeaders = first.injectHeaders({});
    first.end({ status: 503, responseFlags: 'URX' });
    const second = call.attempt(2, { endpoint: '127.0.0.1:9082' });
    const secondHeaders = second.injectHeaders({});
    second.end({ status: 200 });
    call.end({ status: 200, endpoint: '127.0.0.1:9082' });

    assert.equal(spans().length, 3);
    const [logical] = byName(SpanKind.INTERNAL);
    const attempts = byName(SpanKind.CLIENT);
    assert.equal(attempts.length, 2);
    for (const a of attempts) assert.equal(a.parentSpanContext?.spanId, idOf(logical!));
    const [a1, a2] = attempts.sort((x, y) => Number(x.attributes['inboard.attempt']) - Number(y.attributes['inboard.attempt']));
    assert.equal(a1!.attributes['http.request.resend_count'], undefined);
    assert.equal(a2!.attributes['http.request.resend_count'], 1);
    assert.equal(a1!.attributes['error.type'], '503');
    assert.equal(a1!.status.code, SpanStatusCode.ERROR);
    assert.equal(a2!.status.code, SpanStatusCode.UNSET);
    assert.equal(logical!.attributes['inboard.retry_count'], 1);
    assert.equal(logical!.attributes['inboard.endpoint'], '127.0.0.1:9082');
    assert.equal(firstHeaders['x-b3-spanid'], idOf(a1!), 'each attempt is sent under its own span');
    assert.equal(secondHeaders['x-b3-spanid'], idOf(a2!));
  });

  it('marks failures: no response (flag), 4xx/5xx on the client, only 5xx on the server, gRPC codes, exceptions', () => {
    const { tracing, spans } = setup();
    const cases: [Parameters<ReturnType<MeshTracing['startClientSpan']>['end']>[0], string | undefined][] = [
      [{ responseFlags: 'UH', error: new Error('no healthy upstream') }, 'UH'],
      [{ errorType: 'NO_HEALTHY_UPSTREAM' }, 'NO_HEALTHY_UPSTREAM'],
      [{}, '_OTHER'],
      [{ status: 404 }, '404'],
      [{ status: 200, grpcStatus: 14 }, '14'],
      [{ status: 200, grpcStatus: 0 }, undefined],
    ];
    for (const [outcome] of cases) tracing.startClientSpan(request()).end(outcome);
    assert.deepEqual(spans().map((s) => s.attributes['error.type']), cases.map(([, e]) => e));
    assert.deepEqual(spans().map((s) => s.status.code), cases.map(([, e]) => (e ? SpanStatusCode.ERROR : SpanStatusCode.UNSET)));
    assert.equal(spans()[0]!.events[0]?.name, 'exception');
    assert.equal(spans()[0]!.status.message, 'no healthy upstream');

    const server = (status: number, grpcStatus?: number) => {
      const s = tracing.startServerSpan({ ...request(), headers: {} });
      s.end({ status, ...(grpcStatus !== undefined ? { grpcStatus } : {}) });
      return spans().at(-1)!;
    };
    assert.equal(server(404).status.code, SpanStatusCode.UNSET);
    assert.equal(server(503).attributes['error.type'], '503');
    assert.equal(server(200, 5).status.code, SpanStatusCode.UNSET, 'NOT_FOUND is not a server error');
    assert.equal(server(200, 13).status.code, SpanStatusCode.ERROR);
  });

  it('continues the caller\'s trace in a SERVER span (B3 and W3C headers)', () => {
    const { tracing, spans } = setup();
    const served = tracing.startServerSpan({ ...request({ 'x-b3-traceid': B3_TRACE, 'x-b3-spanid': B3_SPAN, 'x-b3-sampled': '1', 'user-agent': 'curl/8' }), peerAddress: '10.0.0.9', peerPort: 5555 }, { route: 'default' });
    // An outbound call made while serving is a child of the server span.
    tracing.startClientSpan(request(), { parent: served.context }).end({ status: 200 });
    served.end({ status: 200 });
    const server = spans().find((s) => s.kind === SpanKind.SERVER)!;
    const client = spans().find((s) => s.kind === SpanKind.CLIENT)!;
    assert.equal(server.spanContext().traceId, B3_TRACE);
    assert.equal(server.parentSpanContext?.spanId, B3_SPAN);
    assert.equal(server.parentSpanContext?.isRemote, true);
    assert.equal(client.parentSpanContext?.spanId, idOf(server));
    assert.deepEqual(server.attributes, {
      'http.request.method': 'GET', 'server.address': 'reviews', 'server.port': 9080, 'url.scheme': 'http', 'url.path': '/reviews/0',
      'url.query': 'sig=REDACTED&x=1', 'user_agent.original': 'curl/8', 'client.address': '10.0.0.9', 'network.peer.address': '10.0.0.9',
      'network.peer.port': 5555, 'inboard.route': 'default', 'http.response.status_code': 200,
    });
    const w3c = tracing.startServerSpan({ ...request({ traceparent: `00-${B3_TRACE}-${B3_SPAN}-01`, b3: `${'1'.repeat(32)}-${B3_SPAN}-1` }) });
    w3c.end({ status: 200 });
    assert.equal(spans().at(-1)!.spanContext().traceId, B3_TRACE, 'W3C wins over B3');
  });

  it('never breaks a trace the application started: active context, explicit parent, forwarded headers', async () => {
    const { tracing, provider, spans } = setup();
    const manager = new AsyncLocalStorageContextManager();
    context.setGlobalContextManager(manager);
    try {
      const app = provider.getTracer('app').startSpan('handle-order');
      await context.with(trace.setSpan(context.active(), app), async () => {
        await Promise.resolve();
        tracing.startClientSpan(request({ b3: `${B3_TRACE}-${B3_SPAN}-1` })).end({ status: 200 });
      });
      app.end();
      const client = spans().find((s) => s.kind === SpanKind.CLIENT)!;
      assert.equal(client.parentSpanContext?.spanId, app.spanContext().spanId, 'the active span wins over forwarded headers');
      assert.equal(client.spanContext().traceId, app.spanContext().traceId);
    } finally {
      context.disable();
    }
    tracing.startClientSpan(request({ 'x-b3-traceid': B3_TRACE, 'x-b3-spanid': B3_SPAN, 'x-b3-sampled': '1' })).end({ status: 200 });
    const forwarded = spans().at(-1)!;
    assert.equal(forwarded.spanContext().traceId, B3_TRACE);
    assert.equal(forwarded.parentSpanContext?.spanId, B3_SPAN, 'headers the application forwarded make the parent');
    tracing.startClientSpan(request(), { parent: ROOT_CONTEXT }).end({ status: 200 });
    assert.equal(spans().at(-1)!.parentSpanContext, undefined, 'nothing to continue: a new trace');
  });

  it('uses the served request as parent when no span is active, but an active span still wins', async () => {
    const { tracing, provider, spans } = setup();
    const served = tracing.startServerSpan({ ...request({ 'x-b3-traceid': B3_TRACE, 'x-b3-spanid': B3_SPAN, 'x-b3-sampled': '1' }) });
    tracing.startClientSpan(request(), { fallbackParent: served.context }).end({ status: 200 });
    assert.equal(spans().at(-1)!.parentSpanContext?.spanId, served.span.spanContext().spanId);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager());
    try {
      const app = provider.getTracer('app').startSpan('app-work', {}, served.context);
      context.with(trace.setSpan(ROOT_CONTEXT, app), () => tracing.startClientSpan(request(), { fallbackParent: served.context }).end({ status: 200 }));
      app.end();
      assert.equal(spans().filter((s) => s.kind === SpanKind.CLIENT).at(-1)!.parentSpanContext?.spanId, app.spanContext().spanId);
    } finally {
      context.disable();
    }
    served.end({ status: 200 });
  });

  it('samples parent-based: a sampled caller is recorded at ratio 0, an unsampled one is not at ratio 1', () => {
    const never = setup(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) }));
    never.tracing.startServerSpan({ ...request({ 'x-b3-traceid': B3_TRACE, 'x-b3-spanid': B3_SPAN, 'x-b3-sampled': '1' }) }).end({ status: 200 });
    const root = never.tracing.startClientSpan(request());
    const headers = root.attempt(1).injectHeaders({});
    root.end({ status: 200 });
    assert.equal(never.spans().length, 1, 'only the sampled caller\'s span');
    assert.equal(headers['x-b3-sampled'], '0', 'an unsampled root still propagates its decision');
    assert.match(String(headers['traceparent']), /-00$/);

    const always = setup(new ParentBasedSampler({ root: new AlwaysOnSampler() }));
    always.tracing.startServerSpan({ ...request({ 'x-b3-traceid': B3_TRACE, 'x-b3-spanid': B3_SPAN, 'x-b3-sampled': '0' }) }).end({ status: 200 });
    always.tracing.startServerSpan({ ...request() }).end({ status: 200 });
    assert.equal(always.spans().length, 1);
    assert.equal(always.spans()[0]!.parentSpanContext, undefined);
  });

  it('without an SDK it records nothing but still forwards the caller\'s trace', () => {
    const tracing = new MeshTracing();
    const call = tracing.startClientSpan(request({ 'x-b3-traceid': B3_TRACE, 'x-b3-spanid': B3_SPAN, 'x-b3-sampled': '1' }), { maxAttempts: 2 });
    assert.equal(call.span.isRecording(), false);
    const headers = call.attempt(1).injectHeaders({});
    assert.equal(headers['x-b3-traceid'], B3_TRACE);
    assert.equal(headers['traceparent'], `00-${B3_TRACE}-${B3_SPAN}-01`);
    call.end({ status: 200 });
    // Served request → outbound call, no SDK, no context manager: the caller's trace still flows through.
    const served = tracing.startServerSpan({ ...request({ traceparent: `00-${B3_TRACE}-${B3_SPAN}-01` }) });
    const onward = tracing.startClientSpan(request(), { fallbackParent: served.context }).attempt(1).injectHeaders({});
    assert.equal(onward['traceparent'], `00-${B3_TRACE}-${B3_SPAN}-01`);
    assert.equal(onward['x-b3-traceid'], B3_TRACE);
  });

  it('is inert only while no span can be active: a context manager registered through the API holding a span makes it not', async () => {
    const tracing = new MeshTracing();
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: B3_TRACE, spanId: B3_SPAN, traceFlags: 1 });
    assert.equal(tracing.isInert({}), true, 'no SDK, no manager, no headers');
    assert.equal(tracing.isInert({}, parent), false, 'the served request\'s trace');
    assert.equal(tracing.isInert({ traceparent: `00-${B3_TRACE}-${B3_SPAN}-01` }), false, 'a trace in the headers');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager());
    try {
      assert.equal(tracing.isInert({}), true, 'a manager with nothing active');
      await context.with(parent, async () => {
        await Promise.resolve();
        assert.equal(tracing.isInert({}), false, 'a span context active through the registered manager');
      });
    } finally {
      context.disable();
    }
    assert.equal(tracing.isInert({}), true, 'the manager unregistered');
  });

  it('without an SDK and without a trace to continue: no trace headers, a copy of the headers, attempts that survive a spread', () => {
    const tracing = new MeshTracing();
    for (const maxAttempts of [1, 3]) {
      const call = tracing.startClientSpan(request({ 'x-app': 'a' }), { maxAttempts, cluster: CLUSTER });
      assert.equal(call.span.isRecording(), false);
      const spanContext = trace.getSpanContext(call.context);
      assert.ok(!spanContext || !trace.isSpanContextValid(spanContext), 'no valid span context to propagate');
      const attempt = call.attempt(1, { endpoint: '10.0.0.1:9080' });
      const given = { 'x-app': 'a' };
      const headers = attempt.injectHeaders(given);
      assert.deepEqual(headers, { 'x-app': 'a' });
      assert.notEqual(headers, given, 'a copy, as the contract says');
      // request-telemetry wraps attempts by spreading them: every member must be an own property.
      const spread = { ...attempt };
      assert.equal(typeof spread.injectHeaders, 'function');
      assert.equal(typeof spread.end, 'function');
      assert.equal(spread.context, attempt.context);
      spread.end({ status: 200 });
      call.end({ status: 200 });
      call.end({ status: 200 });
    }
  });

  it('names spans of unknown methods HTTP with http.request.method _OTHER; ending twice is harmless', () => {
    const { tracing, spans } = setup();
    const call = tracing.startClientSpan(request({}, 'PURGE'));
    call.end({ status: 200 });
    call.end({ status: 500 });
    assert.equal(spans().length, 1);
    assert.equal(spans()[0]!.name, 'HTTP');
    assert.equal(spans()[0]!.attributes['http.request.method'], '_OTHER');
    assert.equal(spans()[0]!.attributes['http.request.method_original'], 'PURGE');
    assert.equal(spans()[0]!.attributes['http.response.status_code'], 200);
  });
});

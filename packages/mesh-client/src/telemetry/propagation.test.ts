import assert from 'node:assert/strict';
import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import type { HeaderMap } from '../request';
import { MeshPropagator } from './propagation';

const W3C_TRACE = '0af7651916cd43dd8448eb211c80319c';
const B3_TRACE = '80f198ee56343ba864fe8b2a57d3eff7';
const SPAN = 'b7ad6b7169203331';
const OTHER_SPAN = 'e457b5a2e4d86bd1';

describe('telemetry/propagation (W3C + B3)', () => {
  it('extracts W3C first, then B3 (single before multi)', () => {
    const propagator = new MeshPropagator();
    const cases: [HeaderMap, string | undefined][] = [
      [{ traceparent: `00-${W3C_TRACE}-${SPAN}-01`, b3: `${B3_TRACE}-${SPAN}-1` }, W3C_TRACE],
      [{ traceparent: 'broken', 'x-b3-traceid': B3_TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' }, B3_TRACE],
      [{ b3: `${B3_TRACE}-${SPAN}-0` }, B3_TRACE],
      [{}, undefined],
    ];
    for (const [headers, traceId] of cases) {
      assert.equal(trace.getSpanContext(propagator.extractHeaders(ROOT_CONTEXT, headers))?.traceId, traceId, JSON.stringify(headers));
    }
  });

  it('injects both forms and replaces the stale forwarded headers of each form it writes', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: W3C_TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED });
    const forwarded: HeaderMap = {
      accept: 'application/json',
      traceparent: `00-${B3_TRACE}-${OTHER_SPAN}-00`,
      tracestate: 'stale=1',
      b3: `${B3_TRACE}-${OTHER_SPAN}-0`,
      'x-b3-parentspanid': OTHER_SPAN,
      'x-request-id': 'r1',
    };
    const out = new MeshPropagator().injectHeaders(ctx, forwarded);
    assert.deepEqual(out, {
      accept: 'application/json',
      'x-request-id': 'r1',
      traceparent: `00-${W3C_TRACE}-${SPAN}-01`,
      'x-b3-traceid': W3C_TRACE,
      'x-b3-spanid': SPAN,
      'x-b3-sampled': '1',
    });
    assert.equal(forwarded['b3'], `${B3_TRACE}-${OTHER_SPAN}-0`, 'the input map is not changed');
    const both = new MeshPropagator({ b3: 'both' }).injectHeaders(ctx, {});
    assert.equal(both['b3'], `${W3C_TRACE}-${SPAN}-1`);
  });

  it('leaves forwarded headers alone when it has no valid context to write', () => {
    const forwarded: HeaderMap = { b3: `${B3_TRACE}-${OTHER_SPAN}-1` };
    assert.deepEqual(new MeshPropagator().injectHeaders(ROOT_CONTEXT, forwarded), forwarded);
  });

  it('can turn forms off or take W3C from the global propagation API', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: W3C_TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED });
    assert.deepEqual(Object.keys(new MeshPropagator({ b3: false }).injectHeaders(ctx, {})), ['traceparent']);
    assert.deepEqual(Object.keys(new MeshPropagator({ w3c: false }).injectHeaders(ctx, {})).sort(), ['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
    // With no global propagator installed the API's propagation is a no-op: only B3 is written.
    assert.deepEqual(Object.keys(new MeshPropagator({ w3c: propagation }).injectHeaders(ctx, {})).sort(), ['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
    assert.deepEqual(new MeshPropagator().fields(), ['traceparent', 'tracestate', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags']);
  });
});

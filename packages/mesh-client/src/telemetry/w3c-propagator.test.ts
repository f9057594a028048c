import assert from 'node:assert/strict';
import { createTraceState, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import type { HeaderMap } from '../request';
import { headerMapGetter, headerMapSetter } from './propagation';
import { parseTraceparent, W3CTraceContextPropagator } from './w3c-propagator';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('telemetry/w3c-propagator', () => {
  it('parses traceparent per the W3C Trace Context rules (table)', () => {
    const cases: [string, { traceId: string; spanId: string; traceFlags: number } | undefined][] = [
      [`00-${TRACE}-${SPAN}-01`, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }],
      [`00-${TRACE}-${SPAN}-00`, { traceId: TRACE, spanId: SPAN, traceFlags: 0 }],
      [` 00-${TRACE}-${SPAN}-01 `, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }],
      [`01-${TRACE}-${SPAN}-09-future-stuff`, { traceId: TRACE, spanId: SPAN, traceFlags: 9 }],
      [`00-${TRACE}-${SPAN}-01-extra`, undefined],
      [`ff-${TRACE}-${SPAN}-01`, undefined],
      [`00-${'0'.repeat(32)}-${SPAN}-01`, undefined],
      [`00-${TRACE}-${'0'.repeat(16)}-01`, undefined],
      [`00-${TRACE.toUpperCase()}-${SPAN}-01`, undefined],
      [`00-${TRACE}-${SPAN}-1`, undefined],
      ['', undefined],
    ];
    for (const [value, expected] of cases) {
      const parsed = parseTraceparent(value);
      assert.deepEqual(parsed && { traceId: parsed.traceId, spanId: parsed.spanId, traceFlags: parsed.traceFlags }, expected, value);
    }
  });

  it('extracts traceparent with tracestate (several tracestate headers joined), ignores several traceparents', () => {
    const propagator = new W3CTraceContextPropagator();
    const ctx = propagator.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: ['rojo=00f067aa0ba902b7', 'congo=t61rcWkgMzE'] }, headerMapGetter);
    const sc = trace.getSpanContext(ctx)!;
    assert.equal(sc.isRemote, true);
    assert.equal(sc.traceState?.get('rojo'), '00f067aa0ba902b7');
    assert.equal(sc.traceState?.get('congo'), 't61rcWkgMzE');
    const twice = propagator.extract(ROOT_CONTEXT, { traceparent: [`00-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-00`] }, headerMapGetter);
    assert.equal(trace.getSpanContext(twice), undefined);
  });

  it('injects traceparent and tracestate, and round-trips', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED, traceState: createTraceState('vendor=x') });
    const out: HeaderMap = {};
    const propagator = new W3CTraceContextPropagator();
    propagator.inject(ctx, out, headerMapSetter);
    assert.deepEqual(out, { traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'vendor=x' });
    const back = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, out, headerMapGetter))!;
    assert.deepEqual([back.traceId, back.spanId, back.traceFlags, back.traceState?.serialize()], [TRACE, SPAN, 1, 'vendor=x']);
    const none: HeaderMap = {};
    propagator.inject(ROOT_CONTEXT, none, headerMapSetter);
    assert.deepEqual(none, {});
    assert.deepEqual(propagator.fields(), ['traceparent', 'tracestate']);
  });
});

import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import type { HeaderMap } from '../request';
import { B3_DEBUG_KEY, B3Propagator } from './b3-propagator';
import { headerMapGetter, headerMapSetter } from './propagation';

const TRACE = '80f198ee56343ba864fe8b2a57d3eff7';
const SPAN = 'e457b5a2e4d86bd1';
const PARENT = '05e3ac9a4f6e3b90';

function extract(headers: HeaderMap) {
  const ctx = new B3Propagator().extract(ROOT_CONTEXT, headers, headerMapGetter);
  const sc = trace.getSpanContext(ctx);
  return sc ? { traceId: sc.traceId, spanId: sc.spanId, sampled: sc.traceFlags === TraceFlags.SAMPLED, debug: ctx.getValue(B3_DEBUG_KEY) === true, remote: sc.isRemote } : undefined;
}

describe('telemetry/b3-propagator', () => {
  it('extracts the single b3 header (spec table)', () => {
    const cases: [string, ReturnType<typeof extract>][] = [
      [`${TRACE}-${SPAN}-1-${PARENT}`, { traceId: TRACE, spanId: SPAN, sampled: true, debug: false, remote: true }],
      [`${TRACE}-${SPAN}-1`, { traceId: TRACE, spanId: SPAN, sampled: true, debug: false, remote: true }],
      [`${TRACE}-${SPAN}-0`, { traceId: TRACE, spanId: SPAN, sampled: false, debug: false, remote: true }],
      [`${TRACE}-${SPAN}-d`, { traceId: TRACE, spanId: SPAN, sampled: true, debug: true, remote: true }],
      [`${TRACE}-${SPAN}`, { traceId: TRACE, spanId: SPAN, sampled: false, debug: false, remote: true }], // deferred → not sampled (OTel)
      [`64fe8b2a57d3eff7-${SPAN}-1`, { traceId: `000000000000000064fe8b2a57d3eff7`, spanId: SPAN, sampled: true, debug: false, remote: true }],
      ['0', undefined], ['1', undefined], ['d', undefined],
      [`${TRACE}-${SPAN}-x`, undefined],
      [`${TRACE.toUpperCase()}-${SPAN}-1`, undefined],
      [`${TRACE}-${SPAN}-1-zz`, undefined],
      [`${TRACE}-${SPAN}-1-${PARENT}-extra`, undefined],
      [`${'0'.repeat(32)}-${SPAN}-1`, undefined],
      [`${TRACE}-${'0'.repeat(16)}-1`, undefined],
      ['', undefined],
    ];
    for (const [b3, expected] of cases) assert.deepEqual(extract({ b3 }), expected, `b3: ${b3}`);
  });

  it('extracts the x-b3-* headers (spec table)', () => {
    const ids = { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN };
    const cases: [HeaderMap, ReturnType<typeof extract>][] = [
      [{ ...ids, 'x-b3-sampled': '1', 'x-b3-parentspanid': PARENT }, { traceId: TRACE, spanId: SPAN, sampled: true, debug: false, remote: true }],
      [{ ...ids, 'x-b3-sampled': 'true' }, { traceId: TRACE, spanId: SPAN, sampled: true, debug: false, remote: true }],
      [{ ...ids, 'x-b3-sampled': '0' }, { traceId: TRACE, spanId: SPAN, sampled: false, debug: false, remote: true }],
      [{ ...ids, 'x-b3-flags': '1' }, { traceId: TRACE, spanId: SPAN, sampled: true, debug: true, remote: true }],
      [{ ...ids, 'x-b3-flags': '1', 'x-b3-sampled': '0' }, { traceId: TRACE, spanId: SPAN, sampled: true, debug: true, remote: true }],
      [{ ...ids, 'x-b3-traceid': [TRACE, 'ffff'], 'x-b3-sampled': '1' }, { traceId: TRACE, spanId: SPAN, sampled: true, debug: false, remote: true }],
      [{ 'x-b3-traceid': TRACE }, undefined],
      [{ ...ids, 'x-b3-parentspanid': 'nope' }, undefined],
      [{ ...ids, 'x-b3-spanid': 'abc' }, undefined],
    ];
    for (const [headers, expected] of cases) assert.deepEqual(extract(headers), expected, JSON.stringify(headers));
  });

  it('prefers the single header over the multi headers', () => {
    const other = 'aaaaaaaaaaaaaaaa';
    assert.equal(extract({ b3: `${TRACE}-${SPAN}-1`, 'x-b3-traceid': TRACE, 'x-b3-spanid': other })?.spanId, SPAN);
    assert.equal(extract({ b3: 'garbage', 'x-b3-traceid': TRACE, 'x-b3-spanid': other, 'x-b3-sampled': '1' })?.spanId, other, 'a bad b3 header falls back to x-b3-*');
  });

  it('injects multi, single or both forms, debug as flags 1 / d', () => {
    const sampled: SpanContext = { traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED };
    const ctx = trace.setSpanContext(ROOT_CONTEXT, sampled);
    const inject = (encoding: 'multi' | 'single' | 'both', context = ctx) => {
      const out: HeaderMap = {};
      new B3Propagator({ injectEncoding: encoding }).inject(context, out, headerMapSetter);
      return out;
    };
    assert.deepEqual(inject('multi'), { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' });
    assert.deepEqual(inject('single'), { b3: `${TRACE}-${SPAN}-1` });
    assert.deepEqual(inject('both'), { b3: `${TRACE}-${SPAN}-1`, 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' });
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, { ...sampled, traceFlags: TraceFlags.NONE });
    assert.deepEqual(inject('both', unsampled), { b3: `${TRACE}-${SPAN}-0`, 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '0' });
    const debug = ctx.setValue(B3_DEBUG_KEY, true);
    assert.deepEqual(inject('both', debug), { b3: `${TRACE}-${SPAN}-d`, 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' });
    assert.deepEqual(inject('both', ROOT_CONTEXT), {}, 'nothing without a valid span context');
  });

  it('round-trips: what it injects it extracts', () => {
    for (const encoding of ['multi', 'single'] as const) {
      for (const flags of [TraceFlags.SAMPLED, TraceFlags.NONE]) {
        const out: HeaderMap = {};
        new B3Propagator({ injectEncoding: encoding }).inject(trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: flags }), out, headerMapSetter);
        assert.deepEqual(extract(out), { traceId: TRACE, spanId: SPAN, sampled: flags === TraceFlags.SAMPLED, debug: false, remote: true });
      }
    }
  });
});

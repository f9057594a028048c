// Unit tests of the header propagation rules (Istio §A.6).
import assert from 'node:assert/strict';
import { backendForwardHeaders, extractB3, injectB3, productpageForwardHeaders } from './propagation';

const TRACE = '463ac35c9f6413ad48485a3953bb6124';
const SPAN = 'a2fb4a1d1a96d312';

describe('propagation', function () {
  describe('extractB3', function () {
    const table: Array<[string, Record<string, string>, ReturnType<typeof extractB3>]> = [
      ['sampled 128-bit', { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' }, { traceId: TRACE, spanId: SPAN, sampled: true, debug: false }],
      ['64-bit id padded', { 'x-b3-traceid': '48485a3953bb6124', 'x-b3-spanid': SPAN }, { traceId: '000000000000000048485a3953bb6124', spanId: SPAN, sampled: false, debug: false }],
      ['upper case normalised', { 'x-b3-traceid': TRACE.toUpperCase(), 'x-b3-spanid': SPAN, 'x-b3-sampled': 'true' }, { traceId: TRACE, spanId: SPAN, sampled: true, debug: false }],
      ['debug flag implies sampled', { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' }, { traceId: TRACE, spanId: SPAN, sampled: true, debug: true }],
      ['not sampled', { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '0' }, { traceId: TRACE, spanId: SPAN, sampled: false, debug: false }],
      ['missing span id', { 'x-b3-traceid': TRACE }, undefined],
      ['bad trace id length', { 'x-b3-traceid': 'abc', 'x-b3-spanid': SPAN }, undefined],
      ['all-zero trace id', { 'x-b3-traceid': '0'.repeat(32), 'x-b3-spanid': SPAN }, undefined],
      ['non-hex span id', { 'x-b3-traceid': TRACE, 'x-b3-spanid': 'zzzzzzzzzzzzzzzz' }, undefined],
    ];
    for (const [name, headers, expected] of table) {
      it(name, function () {
        assert.deepEqual(extractB3(headers), expected);
      });
    }
  });

  it('injectB3 writes sampled, or flags when debug', function () {
    assert.deepEqual(injectB3({ traceId: TRACE, spanId: SPAN, sampled: true, debug: false }), { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' });
    assert.deepEqual(injectB3({ traceId: TRACE, spanId: SPAN, sampled: false, debug: false }), { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '0' });
    assert.deepEqual(injectB3({ traceId: TRACE, spanId: SPAN, sampled: true, debug: true }), { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' });
  });

  it('productpage takes end-user from the session only and re-injects B3', function () {
    const incoming = {
      'end-user': 'mallory', 'x-request-id': 'r1', cookie: 'session=abc', 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN,
      'x-b3-parentspanid': '0020000000000001', 'x-b3-sampled': '1', 'x-custom': 'no', jwt: 'j',
    };
    assert.deepEqual(productpageForwardHeaders(incoming, undefined), {
      'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1', 'x-request-id': 'r1', cookie: 'session=abc', jwt: 'j',
    });
    assert.equal(productpageForwardHeaders(incoming, 'jason')['end-user'], 'jason');
  });

  it('details and reviews copy B3 and end-user verbatim, and nothing unlisted', function () {
    const incoming = { 'end-user': 'jason', 'x-b3-parentspanid': 'p', 'x-b3-traceid': 'not-validated', sw8: 's', 'grpc-trace-bin': 'g', host: 'h', 'x-custom': 'no' };
    assert.deepEqual(backendForwardHeaders(incoming), { 'end-user': 'jason', 'x-b3-parentspanid': 'p', 'x-b3-traceid': 'not-validated', sw8: 's', 'grpc-trace-bin': 'g' });
  });

  it('joins repeated header values', function () {
    assert.deepEqual(backendForwardHeaders({ 'x-request-id': ['a', 'b'] }), { 'x-request-id': 'a, b' });
  });
});

import assert from 'node:assert/strict';
import { compileHeaderMatcher } from '../routing/matchers';
import { Issues } from '../snapshot/proto-readers';
import type { AttemptOutcome } from './outcome';
import { parseRetryOn, responseRetryTriggers, retryConditionFor, type RetryOnRules } from './retry-on';

function rules(retryOn: string, extra: Partial<RetryOnRules> = {}): RetryOnRules {
  return { conditions: parseRetryOn(retryOn).conditions, retriableStatusCodes: [], retriableHeaders: [], ...extra };
}

const r = (status: number, headers: Record<string, string> = {}): AttemptOutcome => ({ kind: 'response', status, headers });
const grpc = (code: number): AttemptOutcome => ({ kind: 'response', status: 200, headers: { 'content-type': 'application/grpc', 'grpc-status': String(code) } });

describe('policy/retry-on', () => {
  it('parses retry_on lists with the right vocabulary per source', () => {
    assert.deepEqual([...parseRetryOn(' 5xx, ,connect-failure,unavailable,bogus').conditions], ['5xx', 'connect-failure', 'unavailable']);
    assert.deepEqual(parseRetryOn('5xx,bogus').unknown, ['bogus']);
    assert.deepEqual([...parseRetryOn('5xx,unavailable', 'http-header').conditions], ['5xx']);
    assert.deepEqual([...parseRetryOn('5xx,unavailable', 'grpc-header').conditions], ['unavailable']);
  });

  // [retry_on, outcome, expected condition or undefined]
  const table: [string, AttemptOutcome, string | undefined][] = [
    // 5xx: any 5xx response, and every reset / timeout / connect failure / refused stream
    ['5xx', r(500), '5xx'], ['5xx', r(503), '5xx'], ['5xx', r(599), '5xx'], ['5xx', r(404), undefined], ['5xx', r(200), undefined],
    ['5xx', { kind: 'connect-failure' }, '5xx'], ['5xx', { kind: 'reset' }, '5xx'], ['5xx', { kind: 'timeout' }, '5xx'],
    ['5xx', { kind: 'refused-stream' }, '5xx'], ['5xx', { kind: 'overflow' }, undefined],
    // gateway-error: 502/503/504 responses, and resets like 5xx
    ['gateway-error', r(502), 'gateway-error'], ['gateway-error', r(503), 'gateway-error'], ['gateway-error', r(504), 'gateway-error'],
    ['gateway-error', r(500), undefined], ['gateway-error', r(501), undefined], ['gateway-error', { kind: 'reset' }, 'gateway-error'],
    ['gateway-error', { kind: 'connect-failure' }, 'gateway-error'], ['gateway-error', { kind: 'timeout' }, 'gateway-error'],
    // reset: no response at all (including per-try timeouts and connect failures), never a status
    ['reset', { kind: 'reset' }, 'reset'], ['reset', { kind: 'timeout' }, 'reset'], ['reset', { kind: 'connect-failure' }, 'reset'],
    ['reset', { kind: 'refused-stream' }, 'reset'], ['reset', r(503), undefined],
    // reset-before-request: only when no request byte went out
    ['reset-before-request', { kind: 'connect-failure' }, 'reset-before-request'], ['reset-before-request', { kind: 'reset' }, undefined],
    ['reset-before-request', { kind: 'reset', requestSent: false }, 'reset-before-request'], ['reset-before-request', { kind: 'timeout' }, undefined],
    // connect-failure: connection failures only
    ['connect-failure', { kind: 'connect-failure' }, 'connect-failure'], ['connect-failure', { kind: 'reset' }, undefined],
    ['connect-failure', { kind: 'timeout' }, undefined], ['connect-failure', r(503), undefined],
    // refused-stream: REFUSED_STREAM only
    ['refused-stream', { kind: 'refused-stream' }, 'refused-stream'], ['refused-stream', { kind: 'reset' }, undefined],
    ['refused-stream', { kind: 'connect-failure' }, undefined],
    // retriable-4xx: 409 only
    ['retriable-4xx', r(409), 'retriable-4xx'], ['retriable-4xx', r(429), undefined], ['retriable-4xx', r(400), undefined],
    // envoy-ratelimited: a response with x-envoy-ratelimited is retried only under it, and never under 5xx
    ['envoy-ratelimited', r(429, { 'x-envoy-ratelimited': 'true' }), 'envoy-ratelimited'],
    ['5xx', r(503, { 'x-envoy-ratelimited': 'true' }), undefined],
    ['envoy-ratelimited', r(429), undefined],
    // … and with both conditions: the header decides first, the status when it is absent
    ['envoy-ratelimited,5xx', r(503, { 'x-envoy-ratelimited': 'true' }), 'envoy-ratelimited'],
    ['envoy-ratelimited,5xx', r(503), '5xx'], ['envoy-ratelimited,5xx', r(200), undefined],
    ['unavailable', r(503, { 'x-envoy-ratelimited': 'true', 'grpc-status': '14' }), undefined],
    // x-envoy-overloaded from an upstream is retried like any 503
    ['5xx', r(503, { 'x-envoy-overloaded': 'true' }), '5xx'],
    // gRPC: grpc-status of the response headers (trailers-only)
    ['cancelled', grpc(1), 'cancelled'], ['deadline-exceeded', grpc(4), 'deadline-exceeded'], ['internal', grpc(13), 'internal'],
    ['resource-exhausted', grpc(8), 'resource-exhausted'], ['unavailable', grpc(14), 'unavailable'], ['unavailable', grpc(13), undefined],
    ['unavailable', grpc(0), undefined], ['unavailable', { kind: 'response', status: 200, grpcStatus: 14 }, 'unavailable'],
    ['cancelled,unavailable', { kind: 'reset' }, undefined],
    // Istio's default policy
    ['connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', r(503), undefined],
    ['connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', { kind: 'connect-failure' }, 'connect-failure'],
    ['connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', grpc(14), 'unavailable'],
    ['', r(503), undefined],
  ];
  for (const [retryOn, outcome, expected] of table) {
    it(`${retryOn || '(none)'} × ${JSON.stringify(outcome)} → ${expected ?? 'no retry'}`, () => {
      assert.equal(retryConditionFor(outcome, rules(retryOn)), expected);
    });
  }

  it('retriable-status-codes uses the configured list (plus codes from the request header)', () => {
    const rs = rules('retriable-status-codes', { retriableStatusCodes: [503, 429] });
    assert.equal(retryConditionFor(r(429), rs), 'retriable-status-codes');
    assert.equal(retryConditionFor(r(503), rs), 'retriable-status-codes');
    assert.equal(retryConditionFor(r(500), rs), undefined);
    assert.equal(retryConditionFor(r(503), rules('5xx', { retriableStatusCodes: [404] })), '5xx');
    assert.equal(retryConditionFor(r(404), rules('5xx', { retriableStatusCodes: [404] })), undefined);
  });

  it('retriable-headers matches response headers, :status included', () => {
    const issues = new Issues();
    const byHeader = compileHeaderMatcher({ name: 'x-upstream-retry', string_match: { exact: 'yes' } }, 'h', issues)!;
    const byStatus = compileHeaderMatcher({ name: ':status', string_match: { exact: '418' } }, 'h', issues)!;
    assert.deepEqual(issues.errors, []);
    const rs = rules('retriable-headers', { retriableHeaders: [byHeader, byStatus] });
    assert.equal(retryConditionFor(r(200, { 'x-upstream-retry': 'yes' }), rs), 'retriable-headers');
    assert.equal(retryConditionFor(r(200, { 'x-upstream-retry': 'no' }), rs), undefined);
    assert.equal(retryConditionFor(r(418), rs), 'retriable-headers');
  });

  it('response triggers: a response they do not flag is never retried, and they flag only what can fire', () => {
    const issues = new Issues();
    const absent = compileHeaderMatcher({ name: 'x-done', present_match: true, invert_match: true }, 'h', issues)!;
    assert.deepEqual(issues.errors, []);
    const ruleSets = [
      rules('connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', { retriableStatusCodes: [503] }),
      rules('5xx'), rules('gateway-error'), rules('retriable-4xx'), rules('retriable-status-codes', { retriableStatusCodes: [429, 418] }),
      rules('envoy-ratelimited'), rules('5xx,envoy-ratelimited'), rules('deadline-exceeded,internal,resource-exhausted'),
      rules('reset,connect-failure'), rules('retriable-headers', { retriableHeaders: [absent] }),
    ];
    const statuses = [200, 204, 301, 404, 409, 418, 429, 500, 501, 502, 503, 504, 599];
    const headerSets: Record<string, string>[] = [
      {}, { 'grpc-status': '14' }, { 'grpc-status': '1' }, { 'grpc-status': '4' }, { 'grpc-status': '13' }, { 'grpc-status': '8' },
      { 'x-envoy-ratelimited': 'true' }, { 'x-done': '1' }, { 'content-type': 'text/plain' },
    ];
    let flaggedWithoutFiring = 0;
    for (const rs of ruleSets) {
      const triggers = responseRetryTriggers(rs);
      assert.equal(responseRetryTriggers(rs), triggers, 'worked out once per rules object');
      for (const status of statuses) {
        for (const headers of headerSets) {
          const flagged = triggers.always || triggers.firesOnStatus(status) || triggers.headers.some((name) => headers[name] !== undefined);
          const fired = retryConditionFor(r(status, headers), rs);
          if (!flagged) assert.equal(fired, undefined, `${[...rs.conditions].join(',')} ${status} ${JSON.stringify(headers)}`);
          else if (fired === undefined) flaggedWithoutFiring++;
        }
      }
    }
    // Not a filter that flags everything: Istio's default policy lets a plain 200 through unread.
    const istio = responseRetryTriggers(ruleSets[0]!);
    assert.deepEqual([istio.always, istio.firesOnStatus(200), istio.firesOnStatus(503), istio.headers], [false, false, true, ['grpc-status']]);
    assert.deepEqual(responseRetryTriggers(rules('reset,connect-failure')).headers, []);
    assert.ok(flaggedWithoutFiring > 0 && flaggedWithoutFiring < ruleSets.length * statuses.length * headerSets.length / 2);
  });
});


import assert from 'node:assert/strict';
import { isMeshError } from '../errors';
import { FakeClock } from './clock';
import {
  attemptSignal, attemptTimeoutHeaders, expiryGrpcStatus, attemptTimeoutMs, compileRouteTimeouts, computeDeadline, deadlineSignal, formatGrpcTimeout,
  parseGrpcTimeout, remainingMs, routeTimeoutsOf, type RouteTimeouts,
} from './deadline';

const NOW = 1000;
const rt = (over: Partial<RouteTimeouts> = {}): RouteTimeouts => ({ timeoutMs: 0, perTryTimeoutMs: 0, ...over });

describe('policy/deadline', () => {
  it('parses grpc-timeout (8 digits max, sub-ms rounded up)', () => {
    const table: [string | undefined, number | undefined][] = [
      ['1H', 3_600_000], ['2M', 120_000], ['3S', 3000], ['250m', 250], ['1500u', 2], ['1u', 1], ['999999n', 1], ['1000000n', 1],
      ['0m', 0], ['99999999S', 99_999_999_000], ['123456789m', undefined], ['10x', undefined], ['', undefined], ['5', undefined],
      ['-5S', undefined], ['1.5S', undefined], [undefined, undefined],
    ];
    for (const [value, ms] of table) assert.equal(parseGrpcTimeout(value), ms, String(value));
  });

  it('formats grpc-timeout as Envoy: ms while 8 digits fit, then S, M, H, clipped', () => {
    const table: [number, string][] = [
      [0, '0m'], [250, '250m'], [99_999_999, '99999999m'], [100_000_000, '100000S'], [1e12, '16666666M'], [1e15, '99999999H'], [12.9, '12m'],
    ];
    for (const [ms, value] of table) assert.equal(formatGrpcTimeout(ms), value, String(ms));
    for (const ms of [1, 999, 5000, 86_400_000]) assert.equal(parseGrpcTimeout(formatGrpcTimeout(ms)), ms);
  });

  it('compiles route timeouts (Envoy default 15 s when unset; Istio sends 0 = none)', () => {
    assert.deepEqual(compileRouteTimeouts({ cluster: 'x' }), { timeoutMs: 15_000, perTryTimeoutMs: 0 });
    assert.deepEqual(compileRouteTimeouts({ cluster: 'x', timeout: { seconds: 0 }, max_grpc_timeout: { seconds: 0 } }), { timeoutMs: 0, perTryTimeoutMs: 0, maxGrpcTimeoutMs: 0 });
    assert.deepEqual(compileRouteTimeouts({ timeout: '0.5s', retry_policy: { per_try_timeout: { nanos: 200_000_000 } }, max_stream_duration: { grpc_timeout_header_max: { seconds: 2 } } }),
      { timeoutMs: 500, perTryTimeoutMs: 200, maxStreamDuration: { grpcTimeoutHeaderMaxMs: 2000 } });
    assert.throws(() => compileRouteTimeouts({ timeout: { seconds: -1 } }), (e: unknown) => isMeshError(e, 'CONFIG_REJECTED') && /route\.timeout/.test(e.message));
  });

  // [name, timeouts, headers, grpc, parent, expected (relative to NOW) | undefined, source, global, perTry]
  type Row = [string, RouteTimeouts, Record<string, string>, boolean, number | undefined, number | undefined, string | undefined, number, number];
  const rows: Row[] = [
    ['Istio default: no timeout', rt(), {}, false, undefined, undefined, undefined, 0, 0],
    ['route timeout', rt({ timeoutMs: 3000 }), {}, false, undefined, 3000, 'route-timeout', 3000, 0],
    ['x-envoy-upstream-rq-timeout-ms replaces it', rt({ timeoutMs: 3000 }), { 'x-envoy-upstream-rq-timeout-ms': '500' }, false, undefined, 500, 'upstream-rq-timeout-header', 500, 0],
    ['x-envoy-upstream-rq-timeout-ms may extend it', rt({ timeoutMs: 300 }), { 'x-envoy-upstream-rq-timeout-ms': '900' }, false, undefined, 900, 'upstream-rq-timeout-header', 900, 0],
    ['expected-timeout header shortens', rt(), { 'x-envoy-expected-rq-timeout-ms': '800' }, false, undefined, 800, 'expected-rq-timeout-header', 0, 0],
    ['expected-timeout header never extends', rt({ timeoutMs: 3000 }), { 'x-envoy-expected-rq-timeout-ms': '5000' }, false, undefined, 3000, 'route-timeout', 3000, 0],
    ['gRPC, max_grpc_timeout 0: grpc-timeout uncapped', rt({ maxGrpcTimeoutMs: 0 }), { 'grpc-timeout': '2S' }, true, undefined, 2000, 'grpc-timeout', 2000, 0],
    ['gRPC, max_grpc_timeout caps grpc-timeout', rt({ timeoutMs: 3000, maxGrpcTimeoutMs: 3000 }), { 'grpc-timeout': '5S' }, true, undefined, 3000, 'route-timeout', 3000, 0],
    ['gRPC, max_grpc_timeout without header', rt({ timeoutMs: 3000, maxGrpcTimeoutMs: 3000 }), {}, true, undefined, 3000, 'route-timeout', 3000, 0],
    ['gRPC, grpc_timeout_offset', rt({ maxGrpcTimeoutMs: 0, grpcTimeoutOffsetMs: 100 }), { 'grpc-timeout': '1S' }, true, undefined, 900, 'grpc-timeout', 900, 0],
    ['gRPC without max_grpc_timeout: the caller deadline still bounds', rt(), { 'grpc-timeout': '1S' }, true, undefined, 1000, 'grpc-timeout', 0, 0],
    ['grpc-timeout on a non-gRPC request is ignored', rt(), { 'grpc-timeout': '1S' }, false, undefined, undefined, undefined, 0, 0],
    ['max_stream_duration: the router timeout is ignored', rt({ timeoutMs: 1000, maxStreamDuration: { maxStreamDurationMs: 4000 } }), {}, false, undefined, 4000, 'max-stream-duration', 0, 0],
    ['max_stream_duration: grpc-timeout capped by grpc_timeout_header_max', rt({ maxStreamDuration: { grpcTimeoutHeaderMaxMs: 2000 } }), { 'grpc-timeout': '5S' }, true, undefined, 2000, 'max-stream-duration', 0, 0],
    ['parent deadline is earliest', rt({ timeoutMs: 3000 }), {}, false, NOW + 250, 250, 'parent', 3000, 0],
    ['per-try ≥ route timeout is dropped', rt({ timeoutMs: 500, perTryTimeoutMs: 1000 }), {}, false, undefined, 500, 'route-timeout', 500, 0],
    ['per-try header overrides', rt({ timeoutMs: 3000, perTryTimeoutMs: 1000 }), { 'x-envoy-upstream-rq-per-try-timeout-ms': '300' }, false, undefined, 3000, 'route-timeout', 3000, 300],
    ['per-try without route timeout', rt({ perTryTimeoutMs: 1000 }), {}, false, undefined, undefined, undefined, 0, 1000],
  ];
  for (const [name, timeouts, headers, grpc, parentDeadline, expires, source, global, perTry] of rows) {
    it(`deadline: ${name}`, () => {
      const d = computeDeadline({ timeouts, headers, grpc, now: NOW, ...(parentDeadline !== undefined ? { parentDeadline } : {}) });
      assert.equal(d.expiresAt, expires === undefined ? undefined : NOW + expires);
      assert.equal(d.source, source);
      assert.equal(d.globalTimeoutMs, global);
      assert.equal(d.perTryTimeoutMs, perTry);
      assert.equal(expiryGrpcStatus(d), source === 'grpc-timeout' || source === 'max-stream-duration' || source === 'parent' ? 4 : undefined);
    });
  }

  it('reads the snapshot\'s compiled route action', () => {
    const base = { kind: 'forward', timeoutMs: 0, retryPolicy: { perTryTimeoutMs: 250 } } as never;
    assert.deepEqual(routeTimeoutsOf(base), { timeoutMs: 0, perTryTimeoutMs: 250 });
    assert.deepEqual(routeTimeoutsOf({ ...(base as object), maxStreamDuration: { grpcTimeoutHeaderMaxMs: 0 } } as never), { timeoutMs: 0, perTryTimeoutMs: 250, maxGrpcTimeoutMs: 0 });
    assert.deepEqual(routeTimeoutsOf({ ...(base as object), maxStreamDuration: { maxStreamDurationMs: 9 } } as never),
      { timeoutMs: 0, perTryTimeoutMs: 250, maxStreamDuration: { maxStreamDurationMs: 9 } });
  });

  it('headers sent upstream carry the attempt\'s remaining time, never more', () => {
    const d = computeDeadline({ timeouts: rt({ timeoutMs: 3000, perTryTimeoutMs: 1000 }), headers: {}, grpc: true, now: 0 });
    assert.deepEqual(attemptTimeoutHeaders(d, 0, true), { 'x-envoy-expected-rq-timeout-ms': '1000', 'grpc-timeout': '1000m' });
    assert.deepEqual(attemptTimeoutHeaders(d, 2500, false), { 'x-envoy-expected-rq-timeout-ms': '500' });
    assert.deepEqual(attemptTimeoutHeaders(d, 2999.5, false), { 'x-envoy-expected-rq-timeout-ms': '1' });
    assert.equal(attemptTimeoutMs(d, 2500), 500);
    assert.deepEqual(attemptTimeoutHeaders(computeDeadline({ timeouts: rt(), headers: {}, grpc: false, now: 0 }), 0, false), {});
    assert.equal(remainingMs(d, 3000), 0, 'an expired deadline: the pipeline answers 504 UT instead of forwarding');
    assert.equal(remainingMs(computeDeadline({ timeouts: rt(), headers: {}, grpc: false, now: 0 }), 1e9), Infinity);
  });

  it('signals abort on the injected clock: per-try first, then the route deadline; dispose stops timers', () => {
    const clock = new FakeClock(0);
    const d = computeDeadline({ timeouts: rt({ timeoutMs: 3000, perTryTimeoutMs: 1000 }), headers: {}, grpc: false, now: 0 });
    const route = deadlineSignal(d, clock);
    const attempt = attemptSignal(d, clock, route.signal);
    clock.advanceTo(999);
    assert.equal(attempt.signal.aborted, false);
    clock.advanceTo(1000);
    assert.equal(attempt.signal.aborted, true);
    assert.ok(isMeshError(attempt.signal.reason, 'UPSTREAM_TIMEOUT') && attempt.signal.reason.details['timeout'] === 'per-try');
    assert.equal(route.signal.aborted, false);
    const second = attemptSignal(d, clock, route.signal);
    clock.advanceTo(1500);
    second.dispose();
    const third = attemptSignal(d, clock, route.signal);
    clock.advanceTo(2200);
    third.dispose();
    clock.advanceTo(3000);
    assert.equal(route.signal.aborted, true);
    assert.ok(isMeshError(route.signal.reason, 'UPSTREAM_TIMEOUT') && route.signal.reason.status === 504 && route.signal.reason.responseFlag === 'UT');
    assert.equal(second.signal.aborted, true, 'the route deadline reaches attempts through the parent');
    route.dispose();
    assert.equal(clock.pendingTimers(), 0);

    const caller = new AbortController();
    const none = deadlineSignal(computeDeadline({ timeouts: rt(), headers: {}, grpc: false, now: 0 }), clock, caller.signal);
    assert.equal(clock.pendingTimers(), 0, 'no deadline, no timer');
    caller.abort(new Error('caller went away'));
    assert.equal(none.signal.aborted, true);
  });
});

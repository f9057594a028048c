import assert from 'node:assert/strict';
import { isMeshError } from '../errors';
import { RequestView } from '../routing/request-view';
import { seededRandom } from './clock';
import { ClusterLimits } from './cluster-limits';
import type { AttemptOutcome } from './outcome';
import { RetryState, compileRetry, pickWithReselection, type RetryRequest } from './retry-policy';

const req = (headers: Record<string, string> = {}, replayable = true): RetryRequest => ({ headers, replayable });
const r503: AttemptOutcome = { kind: 'response', status: 503, headers: {} };
const r200: AttemptOutcome = { kind: 'response', status: 200, headers: {} };
const ctx = (over: Partial<Parameters<RetryState['shouldRetry']>[1]> = {}) => ({ now: 0, random: () => 0.5, ...over });

describe('policy/retry-policy', () => {
  it('compiles retry_policy with Envoy defaults (num_retries 1, 25/250 ms back-off)', () => {
    const p = compileRetry({ retry_on: '5xx' });
    assert.equal(p.numRetries, 1);
    assert.deepEqual(p.backoff, { baseIntervalMs: 25, maxIntervalMs: 250 });
    assert.equal(p.hostSelectionRetryMaxAttempts, 1);
    assert.ok(Object.isFrozen(p));
  });

  it('rejects an invalid retry_policy with an error naming the field', () => {
    assert.throws(
      () => compileRetry({ retry_on: '5xx', retry_back_off: { base_interval: { seconds: 1 }, max_interval: { nanos: 5_000_000 } } }),
      (e: unknown) => isMeshError(e, 'CONFIG_REJECTED') && /retry_policy\.retry_back_off\.max_interval/.test(e.message),
    );
    assert.throws(() => compileRetry({ num_retries: { value: 'x' } }), /retry_policy\.num_retries/);
  });

  it('no state without retry_on on the route or x-envoy-retry-on on the request', () => {
    assert.equal(RetryState.begin(undefined, req()), undefined);
    assert.equal(RetryState.begin(compileRetry({ num_retries: { value: 3 } }), req()), undefined);
    const fromHeader = RetryState.begin(undefined, req({ 'x-envoy-retry-on': '5xx' }))!;
    assert.equal(fromHeader.retriesRemaining, 1);
    assert.deepEqual([...fromHeader.conditions], ['5xx']);
  });

  it('merges request headers: x-envoy-retry-on (HTTP names), x-envoy-retry-grpc-on (gRPC names), x-envoy-max-retries, retriable codes', () => {
    const s = RetryState.begin(compileRetry({ retry_on: 'connect-failure', num_retries: { value: 2 } }), req({
      'x-envoy-retry-on': 'retriable-status-codes,unavailable', 'x-envoy-retry-grpc-on': 'cancelled,5xx',
      'x-envoy-max-retries': '4', 'x-envoy-retriable-status-codes': '418, 429,x',
    }))!;
    assert.deepEqual([...s.conditions].sort(), ['cancelled', 'connect-failure', 'retriable-status-codes']);
    assert.equal(s.retriesRemaining, 4);
    assert.equal(s.shouldRetry({ kind: 'response', status: 429 }, ctx()).retry, true);
    assert.equal(s.shouldRetry({ kind: 'response', status: 418 }, ctx()).retry, true);
    assert.equal(s.shouldRetry({ kind: 'response', status: 503 }, ctx()).retry, false);
  });

  it('x-envoy-retriable-header-names adds presence matchers for response headers', () => {
    const s = RetryState.begin(compileRetry({ retry_on: 'retriable-headers' }), req({ 'x-envoy-retriable-header-names': 'x-retry-me' }))!;
    assert.equal(s.shouldRetry({ kind: 'response', status: 200, headers: { 'x-retry-me': '1' } }, ctx()).retry, true);
  });

  it('retriable_request_headers gates retries (e.g. idempotent methods only)', () => {
    const policy = compileRetry({
      retry_on: '5xx', num_retries: { value: 2 },
      retriable_request_headers: [{ name: ':method', string_match: { exact: 'GET' } }],
    });
    const view = (method: string) => new RequestView({ authority: 'a', method, path: '/', headers: {} });
    const post = RetryState.begin(policy, { headers: {}, view: view('POST'), replayable: true })!;
    assert.deepEqual(post.shouldRetry(r503, ctx()), { retry: false, reason: 'not-retriable' });
    const get = RetryState.begin(policy, { headers: {}, view: view('GET'), replayable: true })!;
    assert.equal(get.shouldRetry(r503, ctx()).retry, true);
  });

  it('num_retries bounds the retries; then URX. Back-off grows per exponential retry', () => {
    const s = RetryState.begin(compileRetry({ retry_on: '5xx', num_retries: { value: 3 } }), req())!;
    const top = () => 0.999_999;
    const decisions = [1, 2, 3, 4].map(() => s.shouldRetry(r503, ctx({ random: top })));
    assert.deepEqual(decisions.slice(0, 3).map((d) => d.retry && d.delayMs), [24, 74, 174]);
    assert.deepEqual(decisions.slice(0, 3).map((d) => d.retry && d.retryNumber), [1, 2, 3]);
    assert.deepEqual(decisions[3], { retry: false, reason: 'retries-exhausted', condition: '5xx', responseFlag: 'URX' });
  });

  it('a success after a retry is not retried', () => {
    const s = RetryState.begin(compileRetry({ retry_on: '5xx', num_retries: { value: 3 } }), req())!;
    assert.equal(s.shouldRetry(r503, ctx()).retry, true);
    assert.deepEqual(s.shouldRetry(r200, ctx()), { retry: false, reason: 'not-retriable' });
  });

  it('a streamed body is never resent', () => {
    const s = RetryState.begin(compileRetry({ retry_on: '5xx' }), req({}, false))!;
    assert.deepEqual(s.shouldRetry(r503, ctx()), { retry: false, reason: 'not-replayable', condition: '5xx' });
  });

  it('takes a slot from max_retries for the back-off and the retried attempt; overflow = UO, no retry', () => {
    const limits = new ClusterLimits('c', 'DEFAULT', { maxConnections: 10, maxPendingRequests: 10, maxRequests: 10, maxRetries: 1 });
    const policy = compileRetry({ retry_on: '5xx', num_retries: { value: 3 } });
    const a = RetryState.begin(policy, req())!;
    const b = RetryState.begin(policy, req())!;
    assert.equal(a.shouldRetry(r503, ctx({ limits })).retry, true);
    assert.equal(limits.counts().retries, 1);
    const overflow = b.shouldRetry(r503, ctx({ limits }));
    assert.equal(overflow.retry, false);
    assert.equal(!overflow.retry && overflow.reason, 'overflow');
    assert.equal(!overflow.retry && overflow.responseFlag, 'UO');
    assert.equal(!overflow.retry && overflow.overflow?.limit, 'max_retries');
    // a's retried attempt ends (next decision): its slot is released, so b may now retry.
    assert.equal(a.shouldRetry(r200, ctx({ limits })).retry, false);
    assert.equal(limits.counts().retries, 0);
    assert.equal(b.shouldRetry(r503, ctx({ limits })).retry, true);
    b.finish();
    b.finish();
    assert.equal(limits.counts().retries, 0);
  });

  it('never starts a retry whose back-off ends at or after the deadline, and returns the slot', () => {
    const limits = new ClusterLimits('c', 'DEFAULT');
    const s = RetryState.begin(compileRetry({ retry_on: '5xx', num_retries: { value: 2 } }), req())!;
    const d = s.shouldRetry(r503, ctx({ now: 990, deadline: 1000, random: () => 0.5, limits }));
    assert.deepEqual(d, { retry: false, reason: 'deadline', condition: '5xx' });
    assert.equal(limits.counts().retries, 0);
    const ok = RetryState.begin(compileRetry({ retry_on: '5xx' }), req())!.shouldRetry(r503, ctx({ now: 0, deadline: 1000, random: () => 0.5 }));
    assert.deepEqual(ok.retry && ok.delayMs, 12);
  });

  it('rate-limited back-off uses the reset header when configured; plain Retry-After is otherwise ignored', () => {
    const policy = compileRetry({
      retry_on: 'retriable-status-codes', retriable_status_codes: [429], num_retries: { value: 3 },
      rate_limited_retry_back_off: { reset_headers: [{ name: 'Retry-After', format: 'SECONDS' }, { name: 'X-RateLimit-Reset', format: 'UNIX_TIMESTAMP' }] },
    });
    const s = RetryState.begin(policy, req())!;
    const rng = seededRandom(1);
    const first = s.shouldRetry({ kind: 'response', status: 429, headers: { 'retry-after': '2' } }, ctx({ random: rng }));
    assert.ok(first.retry && first.backoff === 'rate-limited' && first.delayMs >= 2000 && first.delayMs < 3000, JSON.stringify(first));
    const second = s.shouldRetry({ kind: 'response', status: 429, headers: {} }, ctx({ random: () => 0.999_999 }));
    assert.ok(second.retry && second.backoff === 'exponential' && second.delayMs === 24, 'the exponential schedule was not advanced');
    const third = s.shouldRetry({ kind: 'response', status: 429, headers: { 'x-ratelimit-reset': '1700000003' } }, ctx({ random: () => 0, nowEpochMs: 1_700_000_000_000 }));
    assert.ok(third.retry && third.delayMs === 3000);

    const plain = RetryState.begin(compileRetry({ retry_on: 'retriable-status-codes', retriable_status_codes: [429] }), req())!;
    const d = plain.shouldRetry({ kind: 'response', status: 429, headers: { 'retry-after': '5' } }, ctx({ random: () => 0.999_999 }));
    assert.ok(d.retry && d.backoff === 'exponential' && d.delayMs === 24);
  });

  it('previous_hosts: exclude() lists attempted hosts; without the predicate nothing is excluded', () => {
    const withPredicate = RetryState.begin(compileRetry({
      retry_on: '5xx', retry_host_predicate: [{ name: 'envoy.retry_host_predicates.previous_hosts' }], host_selection_retry_max_attempts: '5',
    }), req())!;
    withPredicate.onHostAttempted('10.0.0.1:9080');
    withPredicate.onHostAttempted('10.0.0.2:9080');
    assert.deepEqual([...withPredicate.exclude()], ['10.0.0.1:9080', '10.0.0.2:9080']);
    assert.equal(withPredicate.hostSelectionRetryMaxAttempts, 5);
    // One host so far (kept without a set), then another after the pick that avoided the first.
    const retried = RetryState.begin(compileRetry({ retry_on: '5xx', retry_host_predicate: [{ name: 'envoy.retry_host_predicates.previous_hosts' }] }), req())!;
    assert.equal(retried.exclude().size, 0, 'nothing attempted yet');
    retried.onHostAttempted('10.0.0.1:9080');
    assert.deepEqual([...retried.exclude()], ['10.0.0.1:9080']);
    retried.onHostAttempted('10.0.0.2:9080');
    retried.onHostAttempted('10.0.0.3:9080');
    assert.deepEqual([...retried.exclude()], ['10.0.0.1:9080', '10.0.0.2:9080', '10.0.0.3:9080']);
    const without = RetryState.begin(compileRetry({ retry_on: '5xx' }), req())!;
    without.onHostAttempted('10.0.0.1:9080');
    assert.equal(without.exclude().size, 0);
  });

  it('pickWithReselection re-picks up to N times, then keeps the last pick', () => {
    const picks = ['a', 'a', 'b', 'c'];
    let i = 0;
    const tried = new Set(['a']);
    assert.equal(pickWithReselection(() => picks[i++], (h) => tried.has(h), 1), 'a');
    i = 0;
    assert.equal(pickWithReselection(() => picks[i++], (h) => tried.has(h), 2), 'b');
    assert.equal(pickWithReselection(() => undefined, () => true, 3), undefined);
  });

  it('Istio\'s backoff example (attempts 3, backoff 2 s, timeout 3 s, instant 503s): usually one retry, not always — the back-off is jittered', () => {
    // HTTPRetry.backoff's documented example says "retried only once". With the full jitter Envoy
    // documents, U[0, (2^N − 1) × base), the first wait is U[0, 2 s) and the second U[0, 6 s): a
    // second retry fits in the 3 s when
    // b1 + b2 < 3 s, i.e. with probability 1/3, and a third (b3 ~ U[0, 14 s)) with ≈ 26/1008.
    const policy = compileRetry({ retry_on: '5xx', num_retries: { value: 3 }, retry_back_off: { base_interval: { seconds: 2 } } });
    const random = seededRandom(23);
    const n = 10_000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const state = RetryState.begin(policy, req())!;
      let now = 0;
      let retries = 0;
      for (;;) {
        const d = state.shouldRetry(r503, { now, deadline: 3000, random });
        if (!d.retry) {
          assert.equal(d.reason, retries === 3 ? 'retries-exhausted' : 'deadline');
          break;
        }
        retries++;
        now += d.delayMs;
      }
      counts[retries]!++;
    }
    assert.equal(counts[0], 0, 'the first wait (< 2 s) always fits');
    const share = (k: number) => counts[k]! / n;
    assert.ok(Math.abs(share(1) - 2 / 3) < 0.02, `one retry: ${share(1)}`);
    assert.ok(Math.abs(share(2) + share(3) - 1 / 3) < 0.02, `two or more: ${share(2) + share(3)}`);
    assert.ok(Math.abs(share(3) - 26 / 1008) < 0.01, `three: ${share(3)}`);
  });
});

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isMeshError } from '../errors';
import type { CircuitBreakerThresholds } from '../snapshot/types';
import { ClusterLimits, ClusterLimitsStore, allowedRetries, compileClusterLimits, type AcquireResult, type Permit } from './cluster-limits';

const limits = (over: Partial<CircuitBreakerThresholds> = {}): CircuitBreakerThresholds =>
  ({ maxConnections: 2, maxPendingRequests: 2, maxRequests: 2, maxRetries: 2, ...over });

describe('policy/cluster-limits', () => {
  it('compiles circuit_breakers with Envoy defaults (1024/1024/1024/3) and explicit values', () => {
    const none = compileClusterLimits(undefined);
    assert.deepEqual(none.default, { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 });
    const istio = compileClusterLimits({
      thresholds: [{ max_connections: { value: 1 }, max_pending_requests: { value: 1 }, max_requests: { value: 4294967295 }, max_retries: { value: 4294967295 } }],
    });
    assert.deepEqual(istio.default, { maxConnections: 1, maxPendingRequests: 1, maxRequests: 4294967295, maxRetries: 4294967295 });
    const budget = compileClusterLimits({ thresholds: [{ priority: 'HIGH', retry_budget: {} }] });
    assert.deepEqual(budget.high.retryBudget, { budgetPercent: 20, minRetryConcurrency: 3 });
    assert.equal(budget.default.retryBudget, undefined);
    assert.throws(() => compileClusterLimits({ thresholds: [{ max_requests: { value: -1 } }] }),
      (e: unknown) => isMeshError(e, 'CONFIG_REJECTED') && /circuit_breakers\.thresholds\[0\]\.max_requests/.test(e.message));
  });

  it('transitions: permits up to each limit, then the named overflow; a release frees one slot', () => {
    const l = new ClusterLimits('outbound|9080||reviews.default.svc.cluster.local', 'DEFAULT', limits());
    const table: [() => AcquireResult, string][] = [
      [() => l.tryAcquireRequest(), 'max_requests'],
      [() => l.tryAcquirePending(), 'max_pending_requests'],
      [() => l.tryAcquireConnection(), 'max_connections'],
      [() => l.tryAcquireRetry(), 'max_retries'],
    ];
    for (const [acquire, name] of table) {
      const a = acquire();
      const b = acquire();
      const c = acquire();
      assert.ok(a.ok && b.ok, name);
      assert.ok(!c.ok && c.limit === name && c.max === 2 && c.active === 2, `${name}: ${JSON.stringify(c)}`);
      (a as Permit).release();
      (a as Permit).release(); // idempotent
      assert.ok(acquire().ok, `${name} after release`);
      assert.ok(!acquire().ok);
    }
    assert.deepEqual(l.counts(), { connections: 2, pending: 2, requests: 2, retries: 2 });
  });

  it('a forced connection exceeds max_connections (Envoy lets a host open one connection)', () => {
    const l = new ClusterLimits('c', 'DEFAULT', limits({ maxConnections: 1 }));
    assert.ok(l.tryAcquireConnection().ok);
    assert.ok(!l.tryAcquireConnection().ok);
    assert.ok(l.tryAcquireConnection(true).ok);
    assert.equal(l.counts().connections, 2);
  });

  it('retry budget arithmetic: max(min_retry_concurrency, ⌊budget % × (active + pending)⌋)', () => {
    const table: [number, number, number, number, number][] = [
      // budget %, min concurrency, active, pending, allowed
      [20, 3, 0, 0, 3], [20, 3, 10, 0, 3], [20, 3, 16, 0, 3], [20, 3, 19, 1, 4], [20, 3, 100, 0, 20], [20, 3, 99, 0, 19],
      [25, 0, 7, 0, 1], [25, 0, 3, 0, 0], [100, 1, 5, 5, 10], [0, 2, 1000, 0, 2], [12.5, 0, 80, 0, 10],
    ];
    for (const [budgetPercent, minRetryConcurrency, active, pending, allowed] of table) {
      const t = limits({ maxRetries: 99, retryBudget: { budgetPercent, minRetryConcurrency } });
      assert.equal(allowedRetries(t, active, pending), allowed, `${budgetPercent}% min ${minRetryConcurrency} of ${active}+${pending}`);
    }
    assert.equal(allowedRetries(limits({ maxRetries: 7 }), 1000, 0), 7);
  });

  it('the budget follows live traffic: retries allowed grow with active requests', () => {
    const l = new ClusterLimits('c', 'DEFAULT', limits({ maxRequests: 1000, maxRetries: 0, retryBudget: { budgetPercent: 20, minRetryConcurrency: 3 } }));
    const retries = Array.from({ length: 3 }, () => l.tryAcquireRetry());
    assert.ok(retries.every((p) => p.ok));
    const over = l.tryAcquireRetry();
    assert.ok(!over.ok && over.limit === 'max_retries' && over.retryBudget && over.max === 3);
    for (let i = 0; i < 20; i++) assert.ok(l.tryAcquireRequest().ok);
    assert.equal(l.retryLimit(), 4);
    assert.ok(l.tryAcquireRetry().ok);
    assert.ok(!l.tryAcquireRetry().ok);
  });

  it('property: 2× the limits of random acquire/release traffic never exceeds a limit, and overflows exactly at it', () => {
    type Op = { kind: 'connection' | 'pending' | 'request' | 'retry' } | { kind: 'release'; index: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constantFrom('connection', 'pending', 'request', 'retry').map((kind) => ({ kind }) as Op),
      fc.nat(200).map((index) => ({ kind: 'release', index }) as Op),
    );
    fc.assert(fc.property(
      fc.record({ c: fc.integer({ min: 1, max: 6 }), p: fc.integer({ min: 1, max: 6 }), r: fc.integer({ min: 1, max: 6 }), x: fc.integer({ min: 0, max: 6 }) }),
      fc.option(fc.record({ budgetPercent: fc.integer({ min: 0, max: 100 }), minRetryConcurrency: fc.integer({ min: 0, max: 4 }) }), { nil: undefined }),
      fc.array(op, { minLength: 1, maxLength: 120 }),
      (max, budget, ops) => {
        const t: CircuitBreakerThresholds = { maxConnections: max.c, maxPendingRequests: max.p, maxRequests: max.r, maxRetries: max.x, ...(budget ? { retryBudget: budget } : {}) };
        const l = new ClusterLimits('c', 'DEFAULT', t);
        const held: Permit[] = [];
        // Drive at 2× the limits: every acquire op is attempted twice.
        for (const o of ops) {
          if (o.kind === 'release') {
            if (held.length > 0) held.splice(o.index % held.length, 1)[0]!.release();
            continue;
          }
          const kind = o.kind;
          for (let twice = 0; twice < 2; twice++) {
            const before = l.counts();
            const retryMax = l.retryLimit();
            const attempt: Record<typeof kind, () => AcquireResult> = {
              connection: () => l.tryAcquireConnection(), pending: () => l.tryAcquirePending(),
              request: () => l.tryAcquireRequest(), retry: () => l.tryAcquireRetry(),
            };
            const current: Record<typeof kind, [number, number]> = {
              connection: [before.connections, t.maxConnections], pending: [before.pending, t.maxPendingRequests],
              request: [before.requests, t.maxRequests], retry: [before.retries, retryMax],
            };
            const res = attempt[kind]();
            const [count, limit] = current[kind];
            if (res.ok) held.push(res);
            assert.equal(res.ok, count < limit, `${kind}: ${count}/${limit}`);
            const after = l.counts();
            assert.ok(after.connections <= t.maxConnections && after.pending <= t.maxPendingRequests && after.requests <= t.maxRequests);
            // A budget shrinks when traffic drops, so retries already running may exceed it; a new one never does.
            if (kind === 'retry' && res.ok) assert.ok(after.retries <= retryMax);
          }
        }
        for (const p of held) p.release();
        assert.deepEqual(l.counts(), { connections: 0, pending: 0, requests: 0, retries: 0 });
      },
    ), { seed: 42, numRuns: 300 });
  });

  it('the store keeps counters across pushes, updates limits in place, drops idle removed clusters', () => {
    const store = new ClusterLimitsStore();
    const cfg = (name: string, maxRequests: number) => ({ name, circuitBreakers: { default: limits({ maxRequests }), high: limits({ maxRequests: 9 }) } });
    store.reconcile([cfg('a', 1), cfg('b', 1)]);
    const held = store.get('a').tryAcquireRequest();
    assert.ok(held.ok);
    assert.ok(!store.get('a').tryAcquireRequest().ok);
    store.reconcile([cfg('a', 2), cfg('b', 1)]);
    assert.equal(store.get('a').counts().requests, 1, 'count survived the push');
    assert.ok(store.get('a').tryAcquireRequest().ok, 'new limit applies in place');
    assert.equal(store.get('a', 'HIGH').thresholds.maxRequests, 9);
    store.reconcile([]);
    assert.deepEqual(store.clusters(), ['a'], 'busy cluster kept, idle one dropped');
  });
});

import assert from 'node:assert/strict';
import { durationBucketIndex, edgeDestination, EdgeAggregator, responseClassOf, wireName, type EdgeDestination } from './edge-stats';
import { workloadPeer } from './istio-labels';
import { ISTIO_HISTOGRAM_BUCKETS } from './metrics';
import { MeshTelemetry } from './request-telemetry';

const ratings: EdgeDestination = { service: 'ratings.default.svc.cluster.local', workload: 'ratings-v1', namespace: 'default', app: 'ratings', version: 'v1' };

describe('edge statistics', () => {
  it('classes responses: 2xx…5xx, local for no response, other for odd codes', () => {
    const table: [number | undefined, string][] = [[200, '2xx'], [302, '3xx'], [404, '4xx'], [500, '5xx'], [503, '5xx'], [undefined, 'local'], [0, 'local'], [101, 'other'], [600, 'other']];
    for (const [status, want] of table) assert.equal(responseClassOf(status), want, String(status));
  });

  it("places durations in Istio's buckets (upper bound inclusive, +Inf last)", () => {
    const table: [number, number][] = [[0, 0], [0.5, 0], [0.6, 1], [7, 3], [10, 3], [490, 8], [4_000_000, ISTIO_HISTOGRAM_BUCKETS.length]];
    for (const [ms, index] of table) assert.equal(durationBucketIndex(ms), index, `${ms} ms`);
  });

  it('aggregates per destination, class and mTLS; counts 5xx and local failures as errors; drains windows', () => {
    const agg = new EdgeAggregator();
    for (let i = 0; i < 3; i++) agg.record({ destination: ratings, status: 200, mtls: true, durationMs: 7 });
    agg.record({ destination: ratings, status: 500, mtls: true, durationMs: 300 });
    agg.record({ destination: ratings, durationMs: 1 });
    const { rows, droppedObservations } = agg.drain();
    assert.equal(droppedObservations, 0);
    assert.deepEqual(rows.map((r) => [r.responseClass, r.mtls, r.requests, r.errors, r.durationSumMs]), [['2xx', true, 3, 0, 21], ['5xx', true, 1, 1, 300], ['local', null, 1, 1, 1]]);
    assert.equal(rows[0]!.durationBuckets[3], 3);
    assert.equal(rows[0]!.durationBuckets.length, ISTIO_HISTOGRAM_BUCKETS.length + 1);
    assert.ok(agg.empty, 'drain starts a new window');
    assert.equal(agg.drain().rows.length, 0);
  });

  it('keeps at most maxRows rows per window and counts what it dropped', () => {
    const agg = new EdgeAggregator({ maxRows: 2 });
    for (const workload of ['a', 'b', 'c', 'c', 'a']) agg.record({ destination: { ...ratings, workload }, status: 200, durationMs: 1 });
    const window = agg.drain();
    assert.deepEqual(window.rows.map((r) => [r.destination.workload, r.requests]), [['a', 2], ['b', 1]]);
    assert.equal(window.droppedObservations, 2);
  });

  it('attributes a call that reached no endpoint to <service>-<subset>, else to the service', () => {
    const svc = { host: 'ratings.default.svc.cluster.local', name: 'ratings', namespace: 'default' };
    const unknown = { workload: 'unknown', namespace: 'unknown', app: 'unknown', version: 'v1' };
    assert.deepEqual(edgeDestination(unknown, svc, 'v1'), ratings);
    assert.deepEqual(edgeDestination(unknown, svc, undefined), { service: svc.host, workload: 'unknown', namespace: 'default', app: 'unknown', version: 'unknown' });
    assert.deepEqual(edgeDestination({ workload: 'ratings-v2', namespace: 'default', app: 'ratings', version: 'v2' }, svc, 'v1').workload, 'ratings-v2', 'a known endpoint wins');
  });

  it('turns names into what the control plane accepts', () => {
    assert.equal(wireName('reviews-v1'), 'reviews-v1');
    assert.equal(wireName('[::1]'), '1_');
    assert.equal(wireName(''), 'unknown');
    assert.equal(wireName('a b/c'), 'a_b_c');
    assert.equal(wireName('x'.repeat(300)).length, 253);
  });

  it('MeshTelemetry hands every finished outbound call to the edge recorder, destination from the endpoint metadata', () => {
    const agg = new EdgeAggregator();
    let now = 0;
    const telemetry = new MeshTelemetry({ self: workloadPeer({ namespace: 'default', labels: { app: 'reviews', version: 'v2' } }), edges: agg, now: () => now });
    const call = telemetry.outbound({ method: 'GET', scheme: 'http', authority: 'ratings:9080', path: '/ratings/0', headers: {} }, { cluster: 'outbound|9080|v1|ratings.default.svc.cluster.local' });
    assert.equal(call.watchesBody, true, 'with edge statistics on, the body end is watched even without a metrics SDK');
    now = 12;
    call.end({ status: 500, mtls: true, endpoint: { key: '127.0.0.1:1', metadata: { inboard: { namespace: 'default', labels: { app: 'ratings', version: 'v1' } } } } });
    call.end({ status: 200 }); // idempotent
    const rows = agg.drain().rows;
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]!.destination, ratings);
    assert.deepEqual([rows[0]!.responseClass, rows[0]!.errors, rows[0]!.mtls, rows[0]!.durationSumMs], ['5xx', 1, true, 12]);
  });
});

import assert from 'node:assert/strict';
import { emptyBuckets, EDGE_DURATION_BOUNDS_MS } from './duration-histogram';
import { EDGE_REPORT_PATH, parseEdgeReport, type EdgeReport, type EdgeReportRow } from './edge-report';
import { EdgeStore } from './edge-store';
import { parseWindow, serviceGraph, serviceSignals, serviceMatches } from './service-graph';

const source = (workload: string, app: string, version: string) => ({ workload, namespace: 'default', app, version });
const dest = (app: string, version: string) => ({ service: `${app}.default.svc.cluster.local`, workload: `${app}-${version}`, namespace: 'default', app, version });

function row(destination: EdgeReportRow['destination'], requests: number, errors = 0, le = 10, mtls: boolean | null = true): EdgeReportRow {
  const durationBuckets = emptyBuckets();
  durationBuckets[EDGE_DURATION_BOUNDS_MS.indexOf(le)] = requests;
  return { destination, responseClass: errors > 0 ? '5xx' : '2xx', mtls, requests, errors, durationBuckets, durationSumMs: requests * le };
}

function report(src: ReturnType<typeof source>, ...edges: EdgeReportRow[]): EdgeReport {
  return { source: src, windowMs: 5000, bucketBoundsMs: EDGE_DURATION_BOUNDS_MS, edges };
}

describe('edge store and service graph', () => {
  it('parses a valid report and names the field of an invalid one', () => {
    const valid = JSON.parse(JSON.stringify(report(source('productpage-v1', 'productpage', 'v1'), row(dest('reviews', 'v1'), 3))));
    assert.equal(parseEdgeReport(valid).edges[0]!.requests, 3);
    const broken: [string, (r: any) => void][] = [
      ['edges[0].errors', (r) => (r.edges[0].errors = 9)],
      ['edges[0].durationBuckets', (r) => (r.edges[0].durationBuckets[0] = 1)],
      ['bucketBoundsMs', (r) => (r.bucketBoundsMs = [1, 2])],
      ['source.workload', (r) => (r.source.workload = '../x y')],
      ['edges[0].responseClass', (r) => (r.edges[0].responseClass = '6xx')],
      ['edges[0].mtls', (r) => (r.edges[0].mtls = 'yes')],
      ['edges', (r) => (r.edges = {})],
    ];
    for (const [field, mutate] of broken) {
      const copy = structuredClone(valid);
      mutate(copy);
      assert.throws(() => parseEdgeReport(copy), (e: any) => e.code === 'BAD_REQUEST' && e.details.field === field && e.message.includes(field), field);
    }
    assert.equal(EDGE_REPORT_PATH, '/apis/inboard.io/v1/telemetry/edges');
  });

  it('merges reports into edges and computes rate, error ratio, p99 and mTLS for a window', () => {
    let now = 1_000_000;
    const store = new EdgeStore({ now: () => now });
    const pp = source('productpage-v1', 'productpage', 'v1');
    store.record(report(pp, row(dest('reviews', 'v1'), 30), row(dest('reviews', 'v2'), 20, 0, 10, false)));
    now += 5_000;
    store.record(report(pp, row(dest('reviews', 'v1'), 30)));
    store.record(report(source('reviews-v2', 'reviews', 'v2'), row(dest('ratings', 'v1'), 10, 10, 500, null)));
    const graph = serviceGraph(store, 60_000);
    assert.deepEqual(graph.nodes.map((n) => n.id), ['default/productpage-v1', 'default/ratings-v1', 'default/reviews-v1', 'default/reviews-v2']);
    const byPair = Object.fromEntries(graph.edges.map((e) => [`${e.source}>${e.destination}`, e]));
    const v1 = byPair['default/productpage-v1>default/reviews-v1']!;
    assert.equal(v1.requests, 60);
    assert.equal(v1.rate, 1);
    assert.equal(v1.errorRatio, 0);
    assert.equal(v1.mtls, 'mutual_tls');
    assert.equal(byPair['default/productpage-v1>default/reviews-v2']!.mtls, 'none');
    const ratings = byPair['default/reviews-v2>default/ratings-v1']!;
    assert.equal(ratings.errorRatio, 1);
    assert.equal(ratings.mtls, 'unknown');
    assert.equal(ratings.p99Ms, 497.5);
    assert.equal(ratings.classes['5xx'], 10);
  });

  it('leaves edges outside the window out, and keeps at most maxBins bins per edge', () => {
    let now = 0;
    const store = new EdgeStore({ now: () => now, binMs: 1000, maxBins: 3 });
    for (let i = 0; i < 10; i++) {
      store.record(report(source('a-v1', 'a', 'v1'), row(dest('b', 'v1'), 1)));
      now += 1000;
    }
    assert.equal(store.list()[0]!.bins.length, 3);
    assert.equal(serviceGraph(store, 2000).edges[0]!.requests, 2, 'now = 10 s: the bins of 8 s and 9 s end after now − 2 s');
    now += 60_000;
    assert.equal(serviceGraph(store, 10_000).edges.length, 0);
  });

  it('caps the number of edges, dropping the least recently reported and counting it', () => {
    const store = new EdgeStore({ now: () => 0, maxEdges: 2 });
    const src = source('a-v1', 'a', 'v1');
    store.record(report(src, row(dest('b', 'v1'), 1)));
    store.record(report(src, row(dest('c', 'v1'), 1)));
    store.record(report(src, row(dest('b', 'v1'), 1))); // b is now the most recent
    store.record(report(src, row(dest('d', 'v1'), 1)));
    assert.deepEqual(store.list().map((e) => e.destination.app), ['b', 'd']);
    assert.deepEqual(store.stats(), { edges: 2, droppedEdges: 1, reports: 4 });
  });

  it('gives a service its golden signals per bin, empty bins included', () => {
    let now = 100_000;
    const store = new EdgeStore({ now: () => now, binMs: 5000 });
    store.record(report(source('reviews-v2', 'reviews', 'v2'), row(dest('ratings', 'v1'), 10)));
    now += 10_000;
    store.record(report(source('reviews-v3', 'reviews', 'v3'), row(dest('ratings', 'v1'), 5, 5)));
    const signals = serviceSignals(store, 'ratings', 30_000);
    assert.equal(signals.series.length, 6);
    assert.deepEqual(signals.series.map((p) => p.requests), [0, 0, 0, 10, 0, 5]);
    assert.equal(signals.series[5]!.errorRatio, 1);
    assert.equal(signals.total.requests, 15);
    assert.equal(serviceSignals(store, 'reviews', 30_000).total.requests, 0);
  });

  it('parses windows and matches service names', () => {
    assert.equal(parseWindow('60s'), 60_000);
    assert.equal(parseWindow('5m'), 300_000);
    assert.equal(parseWindow(null), 60_000);
    assert.throws(() => parseWindow('2d'), /window "2d"/);
    assert.throws(() => parseWindow('2h'), /between 1s and 1h/);
    assert.ok(serviceMatches('ratings.default.svc.cluster.local', 'ratings'));
    assert.ok(serviceMatches('ratings.default.svc.cluster.local', 'ratings.default'));
    assert.ok(!serviceMatches('ratings.default.svc.cluster.local', 'rat'));
  });
});

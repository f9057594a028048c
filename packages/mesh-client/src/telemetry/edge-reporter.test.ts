import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../policy/clock';
import { EdgeAggregator } from './edge-stats';
import { createEdgeReporting, EDGE_REPORT_PATH, EdgeReporter, httpReportSender, resolveEdgeReportTarget, type EdgeReportTarget } from './edge-reporter';
import { workloadPeer } from './istio-labels';

const dest = { service: 'ratings.default.svc.cluster.local', workload: 'ratings-v1', namespace: 'default', app: 'ratings', version: 'v1' };
const self = workloadPeer({ namespace: 'default', labels: { app: 'reviews', version: 'v2' } });
const target: EdgeReportTarget = { adminApi: 'http://127.0.0.1:1' };

describe('edge reporter', () => {
  it('resolves where reports go from the environment', () => {
    assert.deepEqual(resolveEdgeReportTarget('127.0.0.1:15010', {}), { adminApi: 'http://127.0.0.1:15014' });
    assert.equal(resolveEdgeReportTarget('127.0.0.1:40000', {}), undefined, 'a non-default xDS port says nothing about the API port');
    assert.deepEqual(resolveEdgeReportTarget('127.0.0.1:40000', { INBOARD_ADMIN_API: 'http://127.0.0.1:4444/', INBOARD_TOKEN: 'inbt_x' }), { adminApi: 'http://127.0.0.1:4444', token: 'inbt_x' });
    assert.equal(resolveEdgeReportTarget('127.0.0.1:15010', { INBOARD_ADMIN_API: 'off' }), undefined);
    assert.throws(() => resolveEdgeReportTarget('x:1', { INBOARD_ADMIN_API: '127.0.0.1:15014' }), (e: any) => e.code === 'INVALID_OPTIONS' && /INBOARD_ADMIN_API/.test(e.message));
    assert.throws(() => resolveEdgeReportTarget('x:1', { INBOARD_ADMIN_API: 'ftp://h' }), /http:\/\/ or https:\/\//);
  });

  it('sends a window per interval, nothing when empty, and the rest on close', async () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const aggregator = new EdgeAggregator();
    const reporter = new EdgeReporter({ target, self, nodeId: 'n1', aggregator, clock, intervalMs: 5000, send: async (_t, body) => { sent.push(body); return 202; } });
    reporter.start();
    aggregator.record({ destination: dest, status: 200, durationMs: 3 });
    clock.advance(4999);
    await reporter.flush().then(() => undefined);
    assert.equal(sent.length, 1, 'flush sends at once');
    clock.advance(5000);
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 1, 'an empty window sends nothing');
    aggregator.record({ destination: dest, status: 503, durationMs: 3 });
    clock.advance(5000);
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 2, 'the timer sent the second window');
    const body = JSON.parse(sent[1]!);
    assert.deepEqual(body.source, { workload: 'reviews-v2', namespace: 'default', app: 'reviews', version: 'v2' });
    assert.equal(body.nodeId, 'n1');
    assert.equal(body.edges[0].errors, 1);
    aggregator.record({ destination: dest, status: 200, durationMs: 3 });
    await reporter.close();
    assert.equal(sent.length, 3, 'close flushes');
    clock.advance(60_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 3, 'no timer after close');
    assert.deepEqual(reporter.stats(), { sent: 3, failed: 0, droppedRows: 0, droppedObservations: 0 });
  });

  it('drops and counts failed reports without retrying', async () => {
    const aggregator = new EdgeAggregator();
    const answers = [Promise.resolve(401), Promise.reject(new Error('ECONNREFUSED'))];
    const reporter = new EdgeReporter({ target, self, aggregator, clock: new FakeClock(), send: () => answers.shift()! });
    aggregator.record({ destination: dest, status: 200, durationMs: 1 });
    await reporter.flush();
    aggregator.record({ destination: dest, status: 200, durationMs: 1 });
    aggregator.record({ destination: { ...dest, workload: 'ratings-v2' }, status: 200, durationMs: 1 });
    await reporter.flush();
    assert.deepEqual(reporter.stats(), { sent: 0, failed: 2, droppedRows: 3, droppedObservations: 0, lastError: 'ECONNREFUSED' });
  });

  it('POSTs JSON with the workload token to the admin API over real HTTP', async () => {
    const got: { path?: string; auth?: string; type?: string; body?: string } = {};
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        Object.assign(got, { path: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body });
        res.writeHead(202).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      assert.equal(await httpReportSender({ adminApi: `http://127.0.0.1:${port}`, token: 'inbt_tok' }, '{"a":1}'), 202);
      assert.deepEqual(got, { path: EDGE_REPORT_PATH, auth: 'Bearer inbt_tok', type: 'application/json', body: '{"a":1}' });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('names the ingress gateway as Istio does (istio-ingressgateway)', () => {
    const gateway = workloadPeer({ namespace: 'istio-system', labels: { istio: 'ingressgateway' } });
    const reporting = createEdgeReporting({ controlPlane: '127.0.0.1:15010', env: {}, self: gateway, labels: { istio: 'ingressgateway' }, nodeId: 'gw', clock: new FakeClock() });
    assert.equal(reporting?.source.workload, 'istio-ingressgateway');
    assert.equal(createEdgeReporting({ controlPlane: '127.0.0.1:1', env: {}, self: gateway, labels: {}, nodeId: 'gw', clock: new FakeClock() }), undefined);
  });
});

// The admin API's dashboard side on a real server on loopback: static files of the built dashboard
// (content types, traversal refused, 503 before the build), the browser redirect, and the telemetry
// routes (edge reports with their token rules, the graph, a service's signals, the reporters).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { reportGrant } from '../src/api/telemetry-handlers';
import { startApiServer, type ApiServer } from '../src/api/server';
import { WorkloadRegistry } from '../src/registry/registry';
import { ConfigCache } from '../src/store/config-cache';
import { MemoryStore } from '../src/store/memory-store';
import { EDGE_DURATION_BOUNDS_MS, EdgeStore } from '../src/telemetry';
import type { VerifiedToken } from '../src/tokens/token-store';

const ADMIN = 'A'.repeat(43);
const WORKLOAD_TOKEN = 'inbt_workload-default';
const OTHER_NS_TOKEN = 'inbt_workload-other';
const READ_TOKEN = 'inbt_read';
const tokens = {
  verifyAuthorization(header: string | undefined): VerifiedToken | undefined {
    const token = header?.replace(/^Bearer /, '');
    if (token === WORKLOAD_TOKEN) return { id: '1', scope: 'workload', namespace: 'default', serviceAccount: 'bookinfo-reviews' };
    if (token === OTHER_NS_TOKEN) return { id: '2', scope: 'workload', namespace: 'other', serviceAccount: 'x' };
    if (token === READ_TOKEN) return { id: '3', scope: 'read' };
    return undefined;
  },
};

interface Answer { status: number; headers: http.IncomingHttpHeaders; text: string }

function request(server: ApiServer, method: string, target: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: target, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function edgeReport(namespace = 'default', status: '2xx' | '5xx' = '2xx') {
  const durationBuckets = new Array(EDGE_DURATION_BOUNDS_MS.length + 1).fill(0);
  durationBuckets[3] = 4;
  return {
    source: { workload: 'reviews-v2', namespace, app: 'reviews', version: 'v2' },
    nodeId: 'reviews.default~1~ab',
    windowMs: 5000,
    bucketBoundsMs: EDGE_DURATION_BOUNDS_MS,
    edges: [{
      destination: { service: 'ratings.default.svc.cluster.local', workload: 'ratings-v1', namespace: 'default', app: 'ratings', version: 'v1' },
      responseClass: status, mtls: true, requests: 4, errors: status === '5xx' ? 4 : 0, durationBuckets, durationSumMs: 30,
    }],
  };
}

describe('admin API: dashboard and telemetry', function () {
  this.timeout(10_000);
  let root: string;
  let dist: string;
  const servers: ApiServer[] = [];

  async function start(dashboardDir: string | undefined, edges = new EdgeStore()): Promise<ApiServer> {
    const store = new MemoryStore();
    const server = await startApiServer({ store, config: new ConfigCache(store), registry: new WorkloadRegistry(), token: ADMIN, tokens, port: 0, dashboardDir, edges });
    servers.push(server);
    return server;
  }

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-dashboard-'));
    dist = path.join(root, 'dist');
    fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Inboard</title>');
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc.css'), 'body{}');
    fs.writeFileSync(path.join(dist, '.hidden'), 'no');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'SECRET');
    fs.symlinkSync(path.join(root, 'secret.txt'), path.join(dist, 'assets', 'link.txt'));
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('serves the built files with their content types', async () => {
    const server = await start(dist);
    const index = await request(server, 'GET', '/dashboard/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(index.text, /<title>Inboard<\/title>/);
    const js = await request(server, 'GET', '/dashboard/assets/index-abc.js');
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(String(js.headers['cache-control']), /immutable/);
    assert.equal((await request(server, 'GET', '/dashboard/assets/index-abc.css')).headers['content-type'], 'text/css; charset=utf-8');
    const bare = await request(server, 'GET', '/dashboard');
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.location, '/dashboard/');
  });

  it('never serves a file outside the build: dot segments, encoded slashes, hidden files and symlinks out', async () => {
    const server = await start(dist);
    for (const target of ['/dashboard/../secret.txt', '/dashboard/%2e%2e/secret.txt', '/dashboard/assets/..%2f..%2fsecret.txt', '/dashboard/assets/%2e%2e/%2e%2e/secret.txt', '/dashboard/..%5csecret.txt']) {
      const answer = await request(server, 'GET', target);
      assert.ok(answer.status === 400 || answer.status === 404, `${target}: ${answer.status}`);
      assert.ok(!answer.text.includes('SECRET'), target);
    }
    assert.equal((await request(server, 'GET', '/dashboard/.hidden')).status, 404);
    const link = await request(server, 'GET', '/dashboard/assets/link.txt');
    assert.equal(link.status, 404);
    assert.ok(!link.text.includes('SECRET'));
    assert.equal((await request(server, 'GET', '/dashboard/assets/nope.js')).status, 404);
  });

  it('answers 503 naming the build command when the dashboard is not built', async () => {
    for (const dir of [undefined, path.join(root, 'missing')]) {
      const server = await start(dir);
      const answer = await request(server, 'GET', '/dashboard/');
      assert.equal(answer.status, 503);
      assert.match(JSON.parse(answer.text).message, /npm run build -w @inboard\/dashboard/);
    }
  });

  it('redirects browsers from / to the dashboard and keeps / a 404 for API clients', async () => {
    const server = await start(dist);
    const browser = await request(server, 'GET', '/', { headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(browser.status, 302);
    assert.equal(browser.headers.location, '/dashboard/');
    const api = await request(server, 'GET', '/', { headers: { accept: 'application/json' } });
    assert.equal(api.status, 404);
    assert.equal(JSON.parse(api.text).code, 'NOT_FOUND');
    assert.equal((await request(server, 'GET', '/healthz')).status, 200, 'existing routes untouched');
  });

  it('accepts edge reports by the token rules and serves the graph, a service and the reporters', async () => {
    const edges = new EdgeStore();
    const server = await start(dist, edges);
    const post = (body: unknown, token?: string) => request(server, 'POST', '/apis/inboard.io/v1/telemetry/edges', { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
    assert.equal((await post(edgeReport())).status, 202, 'loopback API, no token: accepted like a read');
    assert.equal((await post(edgeReport(), WORKLOAD_TOKEN)).status, 202, 'the workload token of the namespace');
    assert.equal((await post(edgeReport(), ADMIN)).status, 202, 'the admin token');
    assert.equal((await post(edgeReport(), 'wrong')).status, 401, 'a wrong token is refused, not ignored');
    assert.equal((await post(edgeReport(), READ_TOKEN)).status, 401, 'a read token may not report');
    const foreign = await post(edgeReport('default'), OTHER_NS_TOKEN);
    assert.equal(foreign.status, 403);
    assert.match(JSON.parse(foreign.text).message, /namespace "other" may not report edges of namespace "default"/);
    const invalid = await post({ ...edgeReport(), windowMs: -1 });
    assert.equal(invalid.status, 400);
    assert.equal(JSON.parse(invalid.text).details.field, 'windowMs');
    assert.equal(edges.stats().reports, 3);

    const graph = JSON.parse((await request(server, 'GET', '/apis/inboard.io/v1/telemetry/graph?window=60s')).text);
    assert.deepEqual(graph.nodes.map((n: { id: string }) => n.id), ['default/ratings-v1', 'default/reviews-v2']);
    assert.equal(graph.edges.length, 1);
    assert.equal(graph.edges[0].requests, 12);
    assert.equal(graph.edges[0].mtls, 'mutual_tls');
    assert.equal(graph.windowMs, 60_000);
    assert.equal((await request(server, 'GET', '/apis/inboard.io/v1/telemetry/graph?window=forever')).status, 400);
    const ratings = JSON.parse((await request(server, 'GET', '/apis/inboard.io/v1/telemetry/services/ratings?window=1m')).text);
    assert.equal(ratings.total.requests, 12);
    const reporters = JSON.parse((await request(server, 'GET', '/apis/inboard.io/v1/telemetry/reporters')).text);
    assert.equal(reporters.items[0].nodeId, 'reviews.default~1~ab');
    assert.equal(reporters.items[0].reports, 3);
  });

  it('on a non-loopback API, reports need an admin or workload token', () => {
    const deps = { edges: new EdgeStore(), token: ADMIN, tokens };
    assert.equal(reportGrant(deps, undefined, false), undefined);
    assert.equal(reportGrant(deps, undefined, true), 'anonymous');
    assert.equal(reportGrant(deps, `Bearer ${ADMIN}`, false), 'admin');
    assert.equal((reportGrant(deps, `Bearer ${WORKLOAD_TOKEN}`, false) as VerifiedToken).scope, 'workload');
    assert.equal(reportGrant(deps, `Bearer ${READ_TOKEN}`, false), undefined);
  });
});

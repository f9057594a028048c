import assert from 'node:assert/strict';
import http from 'node:http';
import type { Resource } from '../config/resource';
import { WorkloadRegistry } from '../registry/registry';
import { ConfigCache } from '../store/config-cache';
import { MemoryStore } from '../store/memory-store';
import type { ClientSyncStatus, XdsStatusProvider } from '../xds/contracts';
import { startApiServer, type ApiServer } from './server';

const TOKEN = 'T'.repeat(43);
const VS_PATH = '/apis/networking.istio.io/v1/namespaces/default/virtualservices';

function virtualService(name: string, host = name, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: 'default', ...extra },
    spec: { hosts: [host], http: [{ route: [{ destination: { host } }] }] },
  };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

function call(server: ApiServer, method: string, path: string, options: { body?: unknown; raw?: string; token?: string | null; type?: string } = {}): Promise<Answer> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = {};
  if (payload !== undefined) headers['content-type'] = options.type ?? 'application/json';
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('admin API server (in process)', () => {
  let store: MemoryStore;
  let cache: ConfigCache;
  let registry: WorkloadRegistry;
  let server: ApiServer;
  let clients: ClientSyncStatus[];
  const xds: XdsStatusProvider = {
    clients: () => clients,
    configDump: (id) => (id === 'reviews-v1-1' ? { clusters: [{ name: 'outbound|9080||reviews.default.svc.cluster.local' }], endpoints: [], listeners: [], routes: [] } : undefined),
  };

  async function start(withXds: boolean): Promise<void> {
    store = new MemoryStore();
    cache = new ConfigCache(store);
    registry = new WorkloadRegistry();
    cache.onChange(() => registry.setConfig(cache.snapshot().resources));
    await cache.ready;
    server = await startApiServer({ store, config: cache, registry, token: TOKEN, port: 0, heartbeatMs: 50, maxBodyBytes: 64 * 1024, ...(withXds ? { xdsStatus: xds } : {}) });
  }

  beforeEach(async () => {
    clients = [];
    await start(true);
  });
  async function stop(): Promise<void> {
    await server.close();
    cache.close();
    registry.close();
    await store.close();
  }
  afterEach(stop);

  it('answers health, readiness and version', async () => {
    assert.deepEqual((await call(server, 'GET', '/healthz', { token: null })).body, { status: 'ok' });
    assert.equal((await call(server, 'GET', '/readyz', { token: null })).status, 200);
    const version = await call(server, 'GET', '/version', { token: null });
    assert.equal(version.body.name, '@inboard/mesh-server');
    assert.match(version.body.version, /^\d+\.\d+\.\d+/);
  });

  it('creates with PUT (201), replaces (200), reads back, lists per namespace and across namespaces', async () => {
    const created = await call(server, 'PUT', `${VS_PATH}/reviews`, { body: virtualService('reviews') });
    assert.equal(created.status, 201);
    assert.equal(created.body.metadata.resourceVersion, '1');
    const replaced = await call(server, 'PUT', `${VS_PATH}/reviews`, { body: virtualService('reviews', 'reviews', { labels: { a: 'b' } }) });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.metadata.resourceVersion, '2');
    const other = virtualService('ratings');
    (other.metadata as Record<string, unknown>).namespace = 'prod';
    assert.equal((await call(server, 'PUT', '/apis/networking.istio.io/v1beta1/namespaces/prod/virtualservices/ratings', { body: other })).status, 201);

    const got = await call(server, 'GET', `${VS_PATH}/reviews`, { token: null });
    assert.deepEqual(got.body.metadata.labels, { a: 'b' });
    const list = await call(server, 'GET', VS_PATH, { token: null });
    assert.equal(list.body.kind, 'VirtualServiceList');
    assert.deepEqual(list.body.items.map((r: Resource) => r.metadata.name), ['reviews']);
    const all = await call(server, 'GET', '/apis/networking.istio.io/v1/virtualservices', { token: null });
    assert.deepEqual(all.body.items.map((r: Resource) => `${r.metadata.namespace}/${r.metadata.name}`), ['default/reviews', 'prod/ratings']);
    assert.equal(all.body.metadata.resourceVersion, '3');
  });

  it('serves core Services under /api/v1', async () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews' }, spec: { ports: [{ name: 'http', port: 9080 }], selector: { app: 'reviews' } } };
    assert.equal((await call(server, 'PUT', '/api/v1/namespaces/default/services/reviews', { body: svc })).status, 201);
    const list = await call(server, 'GET', '/api/v1/services');
    assert.deepEqual(list.body.items.map((r: Resource) => r.kind), ['Service']);
  });

  it('guards PUT with metadata.resourceVersion: a stale version gets 409 with the current one', async () => {
    await call(server, 'PUT', `${VS_PATH}/reviews`, { body: virtualService('reviews') });
    await call(server, 'PUT', `${VS_PATH}/reviews`, { body: virtualService('reviews', 'reviews', { labels: { n: '1' } }) });
    const stale = await call(server, 'PUT', `${VS_PATH}/reviews`, { body: virtualService('reviews', 'reviews', { labels: { n: '2' }, resourceVersion: '1' }) });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'CONFLICT');
    assert.equal(stale.body.details.currentVersion, '2');
    const fresh = await call(server, 'PUT', `${VS_PATH}/reviews`, { body: virtualService('reviews', 'reviews', { labels: { n: '2' }, resourceVersion: '2' }) });
    assert.equal(fresh.status, 200);
    const mustNotExist = await call(server, 'PUT', `${VS_PATH}/reviews`, { body: virtualService('reviews', 'reviews', { resourceVersion: '0' }) });
    assert.equal(mustNotExist.status, 409);
  });

  it('rejects an invalid PUT with 422 naming the field, and a body that does not match the path with 400', async () => {
    const bad = virtualService('reviews');
    (bad.spec as any).http[0].route[0].weight = -5;
    const invalid = await call(server, 'PUT', `${VS_PATH}/reviews`, { body: bad });
    assert.equal(invalid.status, 422);
    assert.ok(invalid.body.details.errors.some((e: { path: string }) => e.path.includes('weight')), JSON.stringify(invalid.body));
    const mismatch = await call(server, 'PUT', `${VS_PATH}/other`, { body: virtualService('reviews') });
    assert.equal(mismatch.status, 400);
    assert.equal((await store.list()).items.length, 0);
  });

  it('deletes with an optional resourceVersion guard; 404 when absent', async () => {
    await call(server, 'PUT', `${VS_PATH}/reviews`, { body: virtualService('reviews') });
    assert.equal((await call(server, 'DELETE', `${VS_PATH}/reviews?resourceVersion=9`)).status, 409);
    const deleted = await call(server, 'DELETE', `${VS_PATH}/reviews?resourceVersion=1`);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.metadata.name, 'reviews');
    const again = await call(server, 'DELETE', `${VS_PATH}/reviews`);
    assert.equal(again.status, 404);
    assert.match(again.body.message, /virtualservices.networking.istio.io "reviews" not found/);
  });

  it('refuses writes without a valid token (401) and changes nothing; reads stay open on loopback', async () => {
    for (const token of [null, 'wrong-token']) {
      const put = await call(server, 'PUT', `${VS_PATH}/reviews`, { body: virtualService('reviews'), token });
      assert.equal(put.status, 401);
      assert.equal(put.headers['www-authenticate'], 'Bearer realm="inboard"');
      const apply = await call(server, 'POST', '/apis/inboard.io/v1/apply', { body: { documents: [{ source: 'a.yaml', index: 1, object: virtualService('reviews') }] }, token });
      assert.equal(apply.status, 401);
    }
    assert.equal(await store.revision(), '0');
    assert.equal((await call(server, 'GET', VS_PATH, { token: null })).status, 200);
  });

  it('answers 400/404/405/413/415 as JSON errors', async () => {
    const badJson = await call(server, 'PUT', `${VS_PATH}/reviews`, { raw: '{"kind": "VirtualService",,}' });
    assert.equal(badJson.status, 400);
    assert.match(badJson.body.message, /line 1, column 27/);
    const unknownPlural = await call(server, 'GET', '/apis/networking.istio.io/v1/namespaces/default/virtualservicez');
    assert.equal(unknownPlural.status, 404);
    assert.match(unknownPlural.body.message, /this group serves virtualservices/);
    const wrongVersion = await call(server, 'GET', '/apis/security.istio.io/v1alpha3/peerauthentications');
    assert.equal(wrongVersion.status, 404);
    assert.equal((await call(server, 'GET', '/nope')).status, 404);
    const method = await call(server, 'POST', `${VS_PATH}/reviews`, { body: {} });
    assert.equal(method.status, 405);
    assert.equal(method.headers.allow, 'GET, PUT, DELETE');
    const big = await call(server, 'POST', '/apis/inboard.io/v1/apply', { raw: JSON.stringify({ documents: [], pad: 'x'.repeat(70 * 1024) }) });
    assert.equal(big.status, 413);
    const yaml = await call(server, 'POST', '/apis/inboard.io/v1/apply', { raw: 'documents: []', type: 'application/yaml' });
    assert.equal(yaml.status, 415);
    const doubled = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/healthz', headers: [['authorization', 'Bearer a'], ['authorization', 'Bearer b']] as any }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(doubled, 400);
  });

  it('applies a batch all-or-nothing and reports created / configured / unchanged', async () => {
    const apply = (documents: unknown[], extra: Record<string, unknown> = {}) =>
      call(server, 'POST', '/apis/inboard.io/v1/apply', { body: { documents: documents.map((object, i) => ({ source: 'batch.yaml', index: i + 1, object })), ...extra } });

    const first = await apply([virtualService('reviews'), virtualService('ratings')]);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body.results.map((r: { action: string }) => r.action), ['created', 'created']);
    const second = await apply([virtualService('reviews', 'reviews', { labels: { x: 'y' } }), virtualService('ratings')]);
    assert.deepEqual(second.body.results.map((r: { action: string }) => r.action), ['configured', 'unchanged']);
    assert.equal(second.body.revision, '2');

    const bad = virtualService('details');
    (bad.spec as any).http[0].route[0].weight = -5;
    const rejected = await apply([virtualService('productpage'), bad, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }]);
    assert.equal(rejected.status, 422);
    const issues = rejected.body.details.errors as { source: string; index: number; path: string }[];
    assert.ok(issues.some((i) => i.source === 'batch.yaml' && i.index === 2 && i.path.includes('weight')), JSON.stringify(issues));
    assert.ok(issues.some((i) => i.index === 3), 'the unsupported kind is an issue too');
    assert.equal(await store.revision(), '2');
    assert.equal((await store.list({ kind: 'VirtualService' })).items.length, 2);

    const dry = await apply([virtualService('productpage')], { dryRun: true });
    assert.deepEqual(dry.body.results.map((r: { action: string }) => r.action), ['created']);
    assert.equal(await store.revision(), '2');

    const skipping = await apply([virtualService('productpage'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }], { skipUnsupported: true });
    assert.equal(skipping.status, 200, JSON.stringify(skipping.body));
    assert.deepEqual(skipping.body.skipped.map((s: { kind: string; index: number }) => [s.kind, s.index]), [['Deployment', 2]]);
  });

  it('rejects two documents for one resource in one apply', async () => {
    const documents = [1, 2].map((index) => ({ source: 'dup.yaml', index, object: virtualService('reviews') }));
    const answer = await call(server, 'POST', '/apis/inboard.io/v1/apply', { body: { documents } });
    assert.equal(answer.status, 422);
    assert.match(JSON.stringify(answer.body.details.errors), /defined twice in one apply/);
  });

  it('honours resourceVersion in applied documents as a guard (409)', async () => {
    await call(server, 'PUT', `${VS_PATH}/reviews`, { body: virtualService('reviews') });
    const answer = await call(server, 'POST', '/apis/inboard.io/v1/apply', {
      body: { documents: [{ source: 'a.yaml', index: 1, object: virtualService('reviews', 'reviews', { resourceVersion: '7', labels: { a: 'b' } }) }] },
    });
    assert.equal(answer.status, 409);
    assert.equal(answer.body.details.currentVersion, '1');
  });

  it('streams watch events as newline-delimited JSON with bookmarks, and ends the stream on close', async () => {
    await call(server, 'PUT', `${VS_PATH}/reviews`, { body: virtualService('reviews') });
    const lines: any[] = [];
    let ended = false;
    let buffered = '';
    const req = http.get({ host: '127.0.0.1', port: server.port, path: `${VS_PATH}?watch=true` }, (res) => {
      assert.equal(res.statusCode, 200);
      res.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        lines.push(...parts.map((p) => JSON.parse(p)));
      });
      res.on('end', () => (ended = true));
    });
    req.on('error', () => {});
    await until(() => lines.length >= 1);
    await call(server, 'PUT', `${VS_PATH}/ratings`, { body: virtualService('ratings') });
    await call(server, 'DELETE', `${VS_PATH}/reviews`);
    await until(() => lines.filter((l) => l.type !== 'BOOKMARK').length >= 3 && lines.some((l) => l.type === 'BOOKMARK'));
    const events = lines.filter((l) => l.type !== 'BOOKMARK').map((l) => `${l.type} ${l.object.metadata.name}`);
    assert.deepEqual(events, ['ADDED reviews', 'ADDED ratings', 'DELETED reviews']);
    assert.match(lines.find((l) => l.type === 'BOOKMARK').object.metadata.resourceVersion, /^\d+$/);
    await server.close();
    await until(() => ended);
  });

  it('watches from a resourceVersion: only later changes', async () => {
    await call(server, 'PUT', `${VS_PATH}/a`, { body: virtualService('a') });
    await call(server, 'PUT', `${VS_PATH}/b`, { body: virtualService('b') });
    const lines: any[] = [];
    const req = http.get({ host: '127.0.0.1', port: server.port, path: `/apis/networking.istio.io/v1/virtualservices?watch=1&resourceVersion=1` }, (res) => {
      res.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l))));
    });
    req.on('error', () => {});
    await until(() => lines.some((l) => l.type === 'ADDED'));
    assert.deepEqual(lines.filter((l) => l.type === 'ADDED').map((l) => l.object.metadata.name), ['b']);
    req.destroy();
  });

  it('ends a watch from compacted history with an ERROR event carrying COMPACTED', async () => {
    await stop();
    store = new MemoryStore({ historyLimit: 1 });
    cache = new ConfigCache(store);
    registry = new WorkloadRegistry();
    server = await startApiServer({ store, config: cache, registry, token: TOKEN, port: 0 });
    for (const name of ['a', 'b', 'c']) await call(server, 'PUT', `${VS_PATH}/${name}`, { body: virtualService(name) });
    const text = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.port, path: `${VS_PATH}?watch=true&resourceVersion=1` }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.type, l.object.code]), [['ERROR', 'COMPACTED']]);
  });

  it('reports workloads and analysis', async () => {
    const we = { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: 'reviews-vm' }, spec: { address: '127.0.0.2', labels: { app: 'reviews' } } };
    await call(server, 'PUT', '/apis/networking.istio.io/v1/namespaces/default/workloadentries/reviews-vm', { body: we });
    await until(() => registry.snapshot().endpoints.length > 0);
    const workloads = await call(server, 'GET', '/apis/inboard.io/v1/workloads');
    assert.equal(workloads.body.items[0].address, '127.0.0.2');
    assert.equal(workloads.body.items[0].origin, 'WorkloadEntry');
    const dr = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews' }, spec: { host: 'reviews' } };
    await call(server, 'PUT', '/apis/networking.istio.io/v1/namespaces/default/destinationrules/reviews', { body: dr });
    const vs = virtualService('reviews');
    (vs.spec as any).http[0].route[0].destination.subset = 'v9';
    await call(server, 'PUT', `${VS_PATH}/reviews`, { body: vs });
    await until(() => cache.snapshot().resources.length === 3);
    const analysis = await call(server, 'GET', '/apis/inboard.io/v1/analyze?namespace=default');
    assert.ok(analysis.body.messages.some((m: { level: string }) => m.level === 'Error'), JSON.stringify(analysis.body));
    const elsewhere = await call(server, 'GET', '/apis/inboard.io/v1/analyze?namespace=prod');
    assert.deepEqual(elsewhere.body.messages, []);
  });

  it('serves /debug/syncz and /debug/config_dump from the xDS status provider', async () => {
    const syncz = await call(server, 'GET', '/debug/syncz');
    assert.deepEqual(syncz.body, { clients: [] });
    const dump = await call(server, 'GET', '/debug/config_dump?proxyID=reviews-v1-1');
    assert.equal(dump.body.clusters[0].name, 'outbound|9080||reviews.default.svc.cluster.local');
    assert.equal((await call(server, 'GET', '/debug/config_dump?proxyID=nobody')).status, 404);
    assert.equal((await call(server, 'GET', '/debug/config_dump')).status, 400);
  });

  it('answers 503 on the status endpoints without an xDS server', async () => {
    await stop();
    await start(false);
    const syncz = await call(server, 'GET', '/debug/syncz');
    assert.equal(syncz.status, 503);
    assert.match(syncz.body.message, /xDS server is not running/);
  });

  it('refuses a non-loopback bind address unless allowed', async () => {
    await assert.rejects(startApiServer({ store, config: cache, registry, token: TOKEN, host: '0.0.0.0', port: 0 }), /not a loopback address/);
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Integration: mesh.serve registers the workload through its node metadata (no YAML), strips the
// mesh's control headers before the application sees them, and on close() deregisters FIRST (the
// workload leaves the registry at once), then lets the in-flight request finish, then stops.

import assert from 'node:assert/strict';
import http from 'node:http';
import { connect, isMeshError, type Mesh } from '../src';
import { identityOf, startBackend } from './support/backends';
import { startTestPlane, until, untilEndpoints, type TestPlane } from './support/control-plane';

describe('mesh.serve', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  let client: Mesh;

  before(async () => {
    tp = await startTestPlane();
    client = connect({ controlPlane: tp.xds, service: 'productpage' });
    await client.ready;
  });

  after(async () => {
    await client?.close();
    await tp?.close();
  });

  it('registers the workload with its service, port, labels and address', async () => {
    const b = await startBackend(tp.xds, 'details', 'v7', { connect: { labels: { team: 'books' } } });
    try {
      const entry = (await tp.workloads()).find((w) => w.id === b.served.nodeId);
      assert.ok(entry, `workload ${b.served.nodeId} is registered`);
      assert.deepEqual([entry.address, entry.ports['http']], ['127.0.0.1', b.port]);
      // No workload token, so no certificate: it registers as not serving mesh mTLS (Istio's label).
      assert.deepEqual(entry.labels, { app: 'details', version: 'v7', team: 'books', 'security.istio.io/tlsMode': 'disabled' });
      await untilEndpoints(client, 'http://details/', 1);
      assert.equal((await identityOf(await client.fetch('http://details/'))).version, 'v7');
    } finally {
      await b.close();
    }
  });

  it('takes an existing http.Server and strips the mesh control headers from inbound requests', async () => {
    const mesh = connect({ controlPlane: tp.xds, service: 'echo' });
    const seen: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((req, res) => { seen.push({ ...req.headers }); res.end('ok'); });
    try {
      const served = await mesh.serve(server, { port: 0 });
      const response = await fetch(`${served.url}/`, {
        headers: { 'x-envoy-retry-on': '5xx', 'x-envoy-max-retries': '3', 'x-envoy-upstream-rq-timeout-ms': '10', 'x-envoy-expected-rq-timeout-ms': '5000', 'x-app': 'kept' },
      });
      assert.equal(await response.text(), 'ok');
      assert.deepEqual(Object.keys(seen[0]!).filter((h) => h.startsWith('x-')), ['x-app']);
    } finally {
      await mesh.close();
    }
    assert.equal(server.listening, false, 'mesh.close() closed what it served');
  });

  it('close() deregisters first, lets the in-flight request complete, then stops', async () => {
    const b = await startBackend(tp.xds, 'ratings', 'v1');
    await untilEndpoints(client, 'http://ratings/', 1);
    let release!: () => void;
    b.mode = { hold: new Promise<void>((r) => (release = r)) };
    const inFlight = client.fetch('http://ratings/long');
    await until('the request to be in flight', () => b.concurrency.now === 1);
    const closed = b.served.close();
    // Deregistered at once (a graceful close: no grace period) while the request is still being served.
    await until('the workload to leave /apis/inboard.io/v1/workloads', async () => !(await tp.workloads()).some((w) => w.id === b.served.nodeId));
    assert.equal(b.concurrency.now, 1, 'the in-flight request is still running after deregistration');
    assert.equal(b.served.inFlight, 1);
    release();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal((await identityOf(response)).version, 'v1');
    await closed;
    await assert.rejects(fetch(`${b.served.url}/`), 'the server stopped');
    await b.close();
  });

  it('refuses a serve without a service name, naming the option', async () => {
    const anonymous = connect({ controlPlane: tp.xds, env: {} });
    try {
      await assert.rejects(anonymous.serve(() => undefined, { port: 0 }), (e: unknown) => isMeshError(e, 'INVALID_OPTIONS') && /service/.test((e as Error).message));
    } finally {
      await anonymous.close();
    }
  });
});

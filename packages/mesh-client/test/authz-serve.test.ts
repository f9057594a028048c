// Integration: mesh.serve enforces AuthorizationPolicy on inbound requests. A real control plane in
// this process (ports 0), a workload served and registered through mesh.serve, a caller through
// mesh.fetch: DENY and ALLOW policies take effect on the served port (with path normalisation) and
// a denied request never reaches the application; deleting the policies allows again.

import assert from 'node:assert/strict';
import http from 'node:http';
import { connect, type Mesh } from '../src';
import { inboundListenerName } from '../src/authz';
import type { ServedHttp } from '../src/inbound/serve-http';
import { startTestPlane, until, untilEndpoints, type TestPlane } from './support/control-plane';

const DENY_ADMIN = {
  apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'deny-admin', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'vault' } }, action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }] },
};
const ALLOW_GET = {
  apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'allow-get', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'vault' } }, action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] },
};

/** A request straight to the served port, with the target sent byte for byte (no URL normalisation on the way). */
function raw(port: number, method: string, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers: { host: 'vault' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('mesh.serve enforces AuthorizationPolicy', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  let server: Mesh;
  let client: Mesh;
  let served: ServedHttp;
  const seen: string[] = [];

  before(async () => {
    tp = await startTestPlane();
    server = connect({ controlPlane: tp.xds, service: 'vault' });
    served = await server.serve((req, res) => { seen.push(`${req.method} ${req.url}`); res.end('secret'); }, { port: 0 });
    client = connect({ controlPlane: tp.xds, service: 'caller' });
    await client.ready;
    await untilEndpoints(client, 'http://vault/', 1);
    // LDS is a wildcard subscription: the served port's inbound listener arrives without asking for it.
    const listener = inboundListenerName('127.0.0.1', served.port);
    await until(`the server mesh to receive ${listener}`, () => server.snapshot?.listeners.has(listener));
  });

  after(async () => {
    await client?.close();
    await server?.close();
    await tp?.close();
  });

  it('a DENY on /admin* answers 403 RBAC: access denied without calling the app, also for encoded and dot-segment paths', async () => {
    await tp.apply(DENY_ADMIN);
    await until('the DENY policy to take effect', async () => (await client.fetch('http://vault/admin')).status === 403);
    seen.length = 0;
    const denied = await client.fetch('http://vault/admin');
    assert.equal(denied.status, 403);
    assert.equal(await denied.text(), 'RBAC: access denied');
    for (const target of ['/admin', '/admin/users', '/%61dmin', '/x/../admin', '/x/%2E%2E/admin']) {
      const response = await raw(served.port, 'GET', target);
      assert.deepEqual([target, response.status, response.body], [target, 403, 'RBAC: access denied']);
    }
    assert.equal((await client.fetch('http://vault/%61dmin')).status, 403);
    const ok = await client.fetch('http://vault/ok');
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'secret');
    assert.deepEqual(seen, ['GET /ok'], 'the application saw only the allowed request');
  });

  it('hands the application the normalised target of an allowed request', async () => {
    seen.length = 0;
    const response = await raw(served.port, 'GET', '/a/./b/../%6Fk?x=1');
    assert.equal(response.status, 200);
    assert.deepEqual(seen, ['GET /a/ok?x=1']);
  });

  it('an ALLOW-only policy for GET refuses POST with 403', async () => {
    await tp.apply(ALLOW_GET);
    await until('the ALLOW policy to take effect', async () => (await client.fetch('http://vault/ok', { method: 'POST', body: 'x' })).status === 403);
    seen.length = 0;
    const post = await client.fetch('http://vault/ok', { method: 'POST', body: 'x' });
    assert.equal(post.status, 403);
    assert.equal(await post.text(), 'RBAC: access denied');
    assert.equal((await client.fetch('http://vault/ok')).status, 200);
    assert.equal((await client.fetch('http://vault/admin')).status, 403, 'the DENY still applies to GET');
    assert.deepEqual(seen, ['GET /ok']);
  });

  it('allows again once the policies are deleted', async () => {
    await tp.remove('security.istio.io/v1', 'authorizationpolicies', 'default', 'deny-admin');
    await tp.remove('security.istio.io/v1', 'authorizationpolicies', 'default', 'allow-get');
    await until('the policies to be lifted', async () =>
      (await client.fetch('http://vault/admin')).status === 200 && (await client.fetch('http://vault/ok', { method: 'POST', body: 'x' })).status === 200);
    seen.length = 0;
    assert.equal((await raw(served.port, 'GET', '/admin')).status, 200);
    assert.deepEqual(seen, ['GET /admin']);
  });

  it('answers 400 to a request with two Host headers, before authorization and the app', async () => {
    seen.length = 0;
    const response = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: served.port, path: '/ok', headers: [['host', 'vault'], ['host', 'other']] as unknown as http.OutgoingHttpHeaders }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    assert.equal(response, 400);
    assert.deepEqual(seen, []);
  });
});

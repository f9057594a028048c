// Integration: every front end on the one pipeline reaches the subset the VirtualService names —
// mesh.fetch, the undici dispatcher (fetch and undici.request), the global dispatcher with Node's
// own fetch, axios — and unknown hosts pass through (ALLOW_ANY) or get 502 (REGISTRY_ONLY).

import assert from 'node:assert/strict';
import { request as undiciRequest, fetch as undiciFetch } from 'undici';
import { connect, type Mesh } from '../src';
import { identityOf, startBackend, startPlainServer, type Backend, type Identity } from './support/backends';
import { startTestPlane, until, untilExplained, type TestPlane } from './support/control-plane';
import { jasonToV2, versionSubsets } from './support/istio';

describe('front ends', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  let v1: Backend;
  let v2: Backend;
  let client: Mesh;
  let outside: Awaited<ReturnType<typeof startPlainServer>>;
  const jason = { 'end-user': 'jason' };

  before(async () => {
    tp = await startTestPlane();
    v1 = await startBackend(tp.xds, 'reviews', 'v1');
    v2 = await startBackend(tp.xds, 'reviews', 'v2');
    outside = await startPlainServer();
    await tp.apply(versionSubsets('reviews'), jasonToV2('reviews'));
    client = connect({ controlPlane: tp.xds, service: 'productpage' });
    await untilExplained(client, 'http://reviews/', (e) => (e['cluster'] as { subset?: string } | undefined)?.subset === 'v2' && (e['endpoints'] as unknown[]).length === 1, jason);
  });

  after(async () => {
    await client?.close();
    await v1?.close();
    await v2?.close();
    await outside?.close();
    await tp?.close();
  });

  it('mesh.fetch: subset by header, request body and status preserved', async () => {
    const response = await client.fetch('http://reviews/reviews/1?x=1', { method: 'POST', headers: jason, body: 'hello' });
    assert.equal(response.status, 200);
    assert.equal(response.url, 'http://reviews/reviews/1?x=1');
    const body = await identityOf(response);
    assert.deepEqual([body.version, body.path, body.host], ['v2', '/reviews/1?x=1', 'reviews']);
    assert.equal(v2.received.at(-1)!.body, 'hello');
    assert.equal((await identityOf(await client.fetch('http://reviews/'))).version, 'v1');
  });

  it('mesh.dispatcher with undici fetch and undici.request', async () => {
    const viaFetch = await identityOf(await undiciFetch('http://reviews/d', { dispatcher: client.dispatcher, headers: jason }) as unknown as Response);
    assert.equal(viaFetch.version, 'v2');
    const { statusCode, headers, body } = await undiciRequest('http://reviews/req', { dispatcher: client.dispatcher, headers: jason });
    assert.equal(statusCode, 200);
    assert.equal(headers['x-backend'], 'reviews-v2');
    assert.equal(((await body.json()) as Identity).version, 'v2');
    const plain = await undiciRequest('http://reviews/req', { dispatcher: client.dispatcher, method: 'PUT', body: Buffer.from('x') });
    assert.equal(((await plain.body.json()) as Identity).version, 'v1');
  });

  it('installGlobalDispatcher meshes the global fetch until undone', async () => {
    const undo = client.installGlobalDispatcher();
    try {
      const body = await identityOf(await fetch('http://reviews/global', { headers: jason }));
      assert.equal(body.version, 'v2');
    } finally {
      undo();
    }
    // Undone: "reviews" is no longer resolvable without the mesh.
    await assert.rejects(fetch('http://reviews/global', { signal: AbortSignal.timeout(5_000) }));
  });

  it('mesh.axios returns an axios instance over the mesh', async () => {
    const http = client.axios({ headers: jason });
    const response = await http.get<Identity>('http://reviews/axios');
    assert.equal(response.status, 200);
    assert.equal(response.data.version, 'v2');
    const posted = await client.axios().post<Identity>('http://reviews/axios', { a: 1 });
    assert.equal(posted.data.version, 'v1');
    assert.equal(v1.received.at(-1)!.body, '{"a":1}');
    // axios's own status check still applies to mesh responses.
    await assert.rejects(client.axios().get('http://reviews/x', { validateStatus: (s) => s === 418 }),
      (e: { response?: { status: number } }) => e.response?.status === 200);
  });

  it('an aborted mesh.fetch rejects with the signal\'s AbortError and frees the backend', async () => {
    let release!: () => void;
    v1.mode = { hold: new Promise<void>((r) => (release = r)) };
    try {
      const controller = new AbortController();
      const before = v1.received.length;
      const pending = client.fetch('http://reviews/abort', { signal: controller.signal });
      await until('the request to reach the backend', () => v1.received.length > before);
      controller.abort();
      await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
      await until('the backend to see the request go', () => v1.concurrency.now === 0);
    } finally {
      release();
      v1.mode = {};
    }
  });

  it('mesh.grpc gives grpc-js the xds target and an in-memory bootstrap with this identity', () => {
    const grpc = client.grpc;
    assert.equal(grpc.target('reviews', 9080), 'xds:///reviews:9080');
    assert.equal(grpc.bootstrap.xds_servers[0]!.server_uri, tp.xds);
    // No workload token here: the identity says it serves no mesh mTLS (Istio's tlsMode label).
    assert.deepEqual(grpc.bootstrap.node.metadata, { NAMESPACE: 'default', LABELS: { app: 'productpage', 'security.istio.io/tlsMode': 'disabled' } });
  });

  it('an unknown host passes through to its original destination (ALLOW_ANY)', async () => {
    const response = await client.fetch(`http://127.0.0.1:${outside.port}/out?q=1`, { headers: { 'x-test': 'yes' } });
    const body = await identityOf(response);
    assert.deepEqual([body.service, body.path], ['outside', '/out?q=1']);
    assert.equal(outside.received.at(-1)!.headers['x-test'], 'yes');
    const e = client.explain({ url: `http://127.0.0.1:${outside.port}/` });
    assert.equal(e.decision, 'passthrough');
  });

  it('REGISTRY_ONLY refuses unknown hosts with 502 and still routes mesh hosts', async () => {
    const strict = connect({ controlPlane: tp.xds, outboundTrafficPolicy: 'REGISTRY_ONLY' });
    try {
      await strict.ready;
      const before = outside.received.length;
      const refused = await strict.fetch(`http://127.0.0.1:${outside.port}/blocked`);
      assert.equal(refused.status, 502);
      await refused.text();
      assert.equal(outside.received.length, before);
      assert.equal(strict.explain({ url: `http://127.0.0.1:${outside.port}/` }).decision, 'blackhole');
      await untilExplained(strict, 'http://reviews/', (e) => e['decision'] === 'forward');
      assert.equal((await identityOf(await strict.fetch('http://reviews/'))).service, 'reviews');
    } finally {
      await strict.close();
    }
  });
});

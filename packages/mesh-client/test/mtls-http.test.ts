// Integration: mutual TLS in mesh-client's HTTP data path against a real control plane (in this
// process, ports 0) and its real CA. SEC-03 secure naming, SEC-04 PeerAuthentication STRICT /
// PERMISSIVE / DISABLE on a served port, the peer principal reaching AuthorizationPolicy and the app.

import assert from 'node:assert/strict';
import http from 'node:http';
import tls from 'node:tls';
import { connect, type Mesh } from '../src';
import { inboundListenerName } from '../src/authz';
import { leafExtensions, makeCertificate, makeKeys, makeRoot } from '../src/identity/test-certificates';
import type { ServedHttp } from '../src/inbound/serve-http';
import { startTestPlane, until, untilEndpoints, type TestPlane } from './support/control-plane';

/** The parts of mesh-server's ControlPlane this test uses beyond the support handle. */
interface PlaneWithCa {
  readonly caAddress: string;
  readonly ca: { trustBundle(): readonly string[] };
  readonly tokens: { issue(request: { scope: 'workload'; namespace: string; serviceAccount: string }): { token: string } };
}

/** A plaintext HTTP GET straight to a port; resolves with the status or the error code (and whether the socket was reused). */
function plainGet(port: number, headers: http.OutgoingHttpHeaders = {}, agent: http.Agent | false = false): Promise<{ status?: number; body?: string; error?: string; reused?: boolean }> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/plain', headers: { host: 'reviews', ...headers }, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, reused: req.reusedSocket }));
    req.end();
  });
}

/** A TLS handshake with the given client certificate; resolves 'ok' or the error message. */
function tlsHandshake(port: number, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
    socket.once('secureConnect', () => {
      // TLS 1.3: the server's verdict on the client certificate arrives after the handshake.
      socket.write('GET / HTTP/1.1\r\nhost: reviews\r\nconnection: close\r\n\r\n');
    });
    socket.once('data', () => { socket.destroy(); resolve('ok'); });
    socket.once('error', (error) => resolve(error.message));
    socket.once('close', () => resolve('closed'));
  });
}

describe('mesh mTLS over HTTP (SEC-03, SEC-04, principals)', function () {
  this.timeout(40_000);
  let tp: TestPlane;
  let ca: PlaneWithCa;
  let root: string;
  const meshes: Mesh[] = [];
  let reviews: ServedHttp;
  let impostor: ServedHttp;
  const seen: { path: string; principal?: string; xfcc?: string }[] = [];
  let reviewsMesh: Mesh;
  let productpage: Mesh;
  let otherCaller: Mesh;
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

  const mtlsFor = (serviceAccount: string) => ({
    token: ca.tokens.issue({ scope: 'workload', namespace: 'default', serviceAccount }).token,
    caRootPem: root, caAddress: ca.caAddress,
  });
  const mesh = (service: string, serviceAccount: string, tokenAccount = serviceAccount): Mesh => {
    const m = connect({ controlPlane: tp.xds, service, serviceAccount, mtls: mtlsFor(tokenAccount) });
    meshes.push(m);
    return m;
  };
  const modeOf = (m: Mesh, port: number) => (m.snapshot?.listeners.get(inboundListenerName('127.0.0.1', port))?.metadata['inboard'] as Record<string, unknown> | undefined)?.['mtls_mode'];
  const peerAuthentication = (mode: string) => ({
    apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'reviews-mtls', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode } },
  });
  async function setMode(mode: string): Promise<void> {
    await tp.apply(peerAuthentication(mode));
    await until(`the reviews port to be ${mode}`, () => modeOf(reviewsMesh, reviews.port) === mode);
  }

  before(async () => {
    tp = await startTestPlane();
    ca = tp.plane as unknown as PlaneWithCa;
    root = ca.ca.trustBundle()[0]!;
    reviewsMesh = mesh('reviews', 'bookinfo-reviews');
    await reviewsMesh.mtls.whenReady();
    reviews = await reviewsMesh.serve((req, res) => {
      const xfcc = req.headers['x-forwarded-client-cert'];
      seen.push({ path: req.url ?? '', ...(reviewsMesh.peer() ? { principal: reviewsMesh.peer()!.principal } : {}), ...(typeof xfcc === 'string' ? { xfcc } : {}) });
      res.end(`reviews saw ${reviewsMesh.peer()?.principal ?? 'plaintext'}`);
    }, { port: 0 });
    // Registered as bookinfo-ratings (the identity announced for its endpoint), but its certificate says sa/attacker.
    const impostorMesh = mesh('ratings', 'bookinfo-ratings', 'attacker');
    await impostorMesh.mtls.whenReady();
    impostor = await impostorMesh.serve((req, res) => { seen.push({ path: `ratings${req.url}` }); res.end('impostor'); }, { port: 0 });
    productpage = mesh('productpage', 'bookinfo-productpage');
    otherCaller = mesh('details', 'bookinfo-details');
    await Promise.all([productpage.ready, otherCaller.ready, productpage.mtls.whenReady(), otherCaller.mtls.whenReady()]);
    await untilEndpoints(productpage, 'http://reviews/', 1);
    await untilEndpoints(productpage, 'http://ratings/', 1);
    await untilEndpoints(otherCaller, 'http://reviews/', 1);
    await until('the reviews inbound listener', () => modeOf(reviewsMesh, reviews.port) !== undefined);
  });

  after(async () => {
    keepAlive.destroy();
    await Promise.all(meshes.map((m) => m.close()));
    await tp?.close();
  });

  it('SEC-03: the server of the announced identity is reached over mTLS; the caller principal reaches the app', async () => {
    seen.length = 0;
    const response = await productpage.fetch('http://reviews/hello');
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'reviews saw spiffe://cluster.local/ns/default/sa/bookinfo-productpage');
    assert.deepEqual(seen, [{ path: '/hello', principal: 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage' }]);
  });

  it('SEC-03: a server with a valid mesh certificate of another identity is refused (503, app never reached)', async () => {
    seen.length = 0;
    const response = await productpage.fetch('http://ratings/steal');
    assert.equal(response.status, 503);
    assert.equal(await response.text(), 'upstream connect error or disconnect/reset before headers. reset reason: connection failure');
    assert.match(response.headers.get('x-inboard-response-flags') ?? '', /\bUF\b/);
    assert.deepEqual(seen, [], 'the impostor never saw the request');
    assert.ok(impostor.port > 0);
  });

  it('SEC-04 PERMISSIVE: serves plaintext and mTLS on the same port; strips a claimed identity header', async () => {
    await setMode('PERMISSIVE');
    seen.length = 0;
    const plain = await plainGet(reviews.port, { 'x-forwarded-client-cert': 'By=spiffe://cluster.local/ns/default/sa/admin' });
    assert.equal(plain.status, 200);
    assert.equal(plain.body, 'reviews saw plaintext');
    assert.equal((await productpage.fetch('http://reviews/m')).status, 200);
    assert.deepEqual(seen, [{ path: '/plain' }, { path: '/m', principal: 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage' }]);
    assert.equal((await plainGet(reviews.port, {}, keepAlive)).status, 200, 'a keep-alive plaintext connection, kept for the STRICT test');
  });

  it('SEC-04 STRICT: refuses plaintext and a certificate of another root; mTLS from the mesh works', async () => {
    await setMode('STRICT');
    await until('plaintext to be refused', async () => (await plainGet(reviews.port)).error !== undefined);
    const onOldConnection = await plainGet(reviews.port, {}, keepAlive);
    assert.deepEqual([onOldConnection.reused, onOldConnection.status], [true, undefined], 'a plaintext connection opened under PERMISSIVE serves no request once STRICT');
    const legacy = connect({ controlPlane: tp.xds, service: 'legacy', mtls: { enabled: false } });
    meshes.push(legacy);
    await untilEndpoints(legacy, 'http://reviews/', 1);
    seen.length = 0;
    assert.equal((await legacy.fetch('http://reviews/no-identity')).status, 503, 'a caller without a workload certificate is refused');
    assert.deepEqual(seen, []);
    const keys = makeKeys();
    const foreignRoot = makeRoot(keys, 'foreign root');
    const leafKeys = makeKeys();
    const foreignLeaf = makeCertificate({
      subjectKey: leafKeys.publicKey, signingKey: keys.privateKey, issuerPem: foreignRoot,
      notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000),
      extensions: leafExtensions('spiffe://cluster.local/ns/default/sa/bookinfo-productpage'),
    });
    const foreign = await tlsHandshake(reviews.port, { key: leafKeys.privateKeyPem, cert: foreignLeaf + foreignRoot });
    assert.notEqual(foreign, 'ok', 'a certificate of another root is refused');
    assert.notEqual(await tlsHandshake(reviews.port, {}), 'ok', 'TLS without a client certificate is refused');
    const material = productpage.certificate()!;
    assert.equal(await tlsHandshake(reviews.port, { key: material.keyPem, cert: material.certChainPem, ca: [...material.trustBundle] }), 'ok', 'a mesh certificate is accepted');
    const response = await productpage.fetch('http://reviews/strict');
    assert.equal(response.status, 200);
  });

  it('AuthorizationPolicy principals: only bookinfo-productpage is allowed; another mesh caller gets 403', async () => {
    await tp.apply({
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'reviews-from-productpage', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'reviews' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-productpage'] } }] }] },
    });
    await until('the policy to deny details', async () => (await otherCaller.fetch('http://reviews/p')).status === 403);
    const denied = await otherCaller.fetch('http://reviews/p');
    assert.equal(denied.status, 403);
    assert.equal(await denied.text(), 'RBAC: access denied');
    assert.equal((await productpage.fetch('http://reviews/p')).status, 200);
    await tp.remove('security.istio.io/v1', 'authorizationpolicies', 'default', 'reviews-from-productpage');
  });

  it('SEC-04 DISABLE: plaintext is served, TLS is not', async () => {
    await setMode('DISABLE');
    const plain = await plainGet(reviews.port);
    assert.equal(plain.status, 200);
    const material = productpage.certificate()!;
    assert.notEqual(await tlsHandshake(reviews.port, { key: material.keyPem, cert: material.certChainPem, ca: [...material.trustBundle] }), 'ok');
  });
});

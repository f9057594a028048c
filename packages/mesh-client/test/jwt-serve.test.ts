// Integration: RequestAuthentication end to end. A real control plane (ports 0), a workload served and
// registered through mesh.serve, a real JWKS server on 127.0.0.1 (remote jwksUri) and keys made here.
// Through mesh.serve: no token passes, a bad token gets 401 `Jwt verification fails`, an ALLOW on
// requestPrincipals: ["*"] turns anonymous requests into 403, a good token reaches the application with
// its claims (mesh.requestAuth()), and requestPrincipals ALLOW/DENY decide on the token's `<iss>/<sub>`.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Mesh } from '../src';
import { inboundListenerName } from '../src/authz';
import { loadJose, type Jose } from '../src/inbound/request-authn';
import type { ServedHttp } from '../src/inbound/serve-http';
import { startTestPlane, until, type TestPlane } from './support/control-plane';

const ISS = 'https://issuer.inboard.test';

interface Reply { status: number; body: string; headers: http.IncomingHttpHeaders }

function get(port: number, target: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, headers: { host: 'vault', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('RequestAuthentication end to end (jwt-serve)', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  let mesh: Mesh;
  let served: ServedHttp;
  let jwksServer: http.Server;
  let jwksFetches = 0;
  let jose: Jose;
  let keys: Awaited<ReturnType<Jose['generateKeyPair']>>;
  let stranger: Awaited<ReturnType<Jose['generateKeyPair']>>;
  const seen: { url: string; authorization?: string; sub?: string; principal?: string }[] = [];

  const sign = (claims: Record<string, unknown> = {}, key = keys) =>
    new jose.SignJWT({ iss: ISS, sub: 'alice', aud: 'vault', exp: Math.floor(Date.now() / 1000) + 600, ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(key.privateKey);

  const app = (req: http.IncomingMessage, res: http.ServerResponse, principal?: string) => {
    seen.push({
      url: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(typeof req.headers['x-jwt-sub'] === 'string' ? { sub: req.headers['x-jwt-sub'] } : {}), ...(principal ? { principal } : {}),
    });
    res.end('secret');
  };

  before(async () => {
    jose = await loadJose();
    keys = await jose.generateKeyPair('ES256', { extractable: true });
    stranger = await jose.generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwksServer = http.createServer((req, res) => {
      jwksFetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    const jwksPort = await listen(jwksServer);
    tp = await startTestPlane();
    await tp.apply({
      apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'vault-jwt', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'vault' } },
        jwtRules: [{ issuer: ISS, audiences: ['vault'], jwksUri: `http://127.0.0.1:${jwksPort}/jwks.json`, outputClaimToHeaders: [{ header: 'x-jwt-sub', claim: 'sub' }] }],
      },
    });
    mesh = connect({ controlPlane: tp.xds, service: 'vault' });
    served = await mesh.serve((req, res) => app(req, res, mesh.requestAuth()?.principal), { port: 0 });
    const listener = inboundListenerName('127.0.0.1', served.port);
    await until(`the inbound listener ${listener} with jwt_authn`, () => {
      const inboard = mesh.snapshot?.listeners.get(listener)?.metadata['inboard'] as Record<string, unknown> | undefined;
      return inboard?.['jwt_authn'] !== undefined;
    });
  });

  after(async () => {
    await mesh?.close();
    await tp?.close();
    await closeServer(jwksServer);
  });

  it('mesh.serve: no token passes, a bad token gets 401 and never reaches the application', async () => {
    seen.length = 0;
    assert.equal((await get(served.port, '/ok')).status, 200);
    const bad = await get(served.port, '/ok?x=1', { authorization: `Bearer ${await sign({}, stranger)}` });
    assert.equal(bad.status, 401);
    assert.equal(bad.body, 'Jwt verification fails');
    assert.equal(bad.headers['www-authenticate'], 'Bearer realm="http://vault/ok", error="invalid_token"');
    const spoofed = await get(served.port, '/spoof', { 'x-jwt-sub': 'admin' });
    assert.equal(spoofed.status, 200);
    assert.deepEqual(seen, [{ url: '/ok' }, { url: '/spoof' }], 'the app saw no bad token and no spoofed claim header');
  });

  it('mesh.serve: a token from the remote JWKS is verified, removed, and its claim handed to the app', async () => {
    seen.length = 0;
    const good = await get(served.port, '/ok', { authorization: `Bearer ${await sign()}` });
    assert.equal(good.status, 200);
    assert.deepEqual(seen, [{ url: '/ok', sub: 'alice', principal: `${ISS}/alice` }]);
    assert.equal(jwksFetches, 1);
    for (const bad of [await sign({}, stranger), await sign({ aud: 'other' }), await sign({ exp: Math.floor(Date.now() / 1000) - 600 }), await sign({ iss: 'https://evil.test' }), 'a.b.c']) {
      assert.equal((await get(served.port, '/ok', { authorization: `Bearer ${bad}` })).status, 401, bad);
    }
    const query = await get(served.port, `/q?access_token=${await sign({ sub: 'bob' })}&k=v`);
    assert.equal(query.status, 200);
    assert.deepEqual(seen.slice(1), [{ url: '/q?k=v', sub: 'bob', principal: `${ISS}/bob` }]);
    assert.equal(jwksFetches, 1, 'the JWKS is fetched once and cached');
  });

  it('requestPrincipals: ["*"] denies anonymous requests with 403 and allows verified ones', async () => {
    await tp.apply({
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'require-jwt', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'vault' } }, action: 'ALLOW', rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] },
    });
    await until('the ALLOW on requestPrincipals to take effect', async () => (await get(served.port, '/ok')).status === 403);
    seen.length = 0;
    const anonymous = await get(served.port, '/ok');
    assert.equal(anonymous.status, 403);
    assert.equal(anonymous.body, 'RBAC: access denied');
    assert.equal((await get(served.port, '/ok')).status, 403);
    assert.equal((await get(served.port, '/ok', { authorization: `Bearer ${await sign({}, stranger)}` })).status, 401, 'a bad token is 401, not 403');
    assert.equal((await get(served.port, '/ok', { authorization: `Bearer ${await sign()}` })).status, 200);
    assert.deepEqual(seen.map((s) => s.principal), [`${ISS}/alice`]);
  });

  it('a DENY on a request principal and on request.auth.claims/presenter/audiences/principal decides per token', async () => {
    await tp.apply({
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'deny-mallory', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'vault' } }, action: 'DENY',
        rules: [
          { from: [{ source: { requestPrincipals: [`${ISS}/mallory`] } }] },
          { when: [{ key: 'request.auth.claims[role]', values: ['intern'] }] },
          { when: [{ key: 'request.auth.presenter', values: ['shady-app'] }] },
          { when: [{ key: 'request.auth.audiences', values: ['legacy'] }] },
          { when: [{ key: 'request.auth.principal', values: [`${ISS}/eve`] }] },
        ],
      },
    });
    const mallory = await sign({ sub: 'mallory' });
    await until('the DENY to take effect', async () => (await get(served.port, '/ok', { authorization: `Bearer ${mallory}` })).status === 403);
    assert.equal((await get(served.port, '/ok', { authorization: `Bearer ${await sign({ role: 'intern' })}` })).status, 403);
    assert.equal((await get(served.port, '/ok', { authorization: `Bearer ${await sign({ role: 'staff' })}` })).status, 200);
    assert.equal((await get(served.port, '/ok', { authorization: `Bearer ${await sign({ azp: 'shady-app' })}` })).status, 403);
    assert.equal((await get(served.port, '/ok', { authorization: `Bearer ${await sign({ azp: 'good-app' })}` })).status, 200);
    assert.equal((await get(served.port, '/ok', { authorization: `Bearer ${await sign({ aud: ['vault', 'legacy'] })}` })).status, 403);
    assert.equal((await get(served.port, '/ok', { authorization: `Bearer ${await sign({ sub: 'eve' })}` })).status, 403);
  });
});

// RequestAuthentication with a remote JWKS (a real HTTP server on 127.0.0.1): keys are fetched once and
// cached for the cache duration; while the JWKS server is down the cached keys keep working; once the
// cache is stale and the server still fails, verification fails closed (401); a rotated key set is
// picked up after the cache expires, and the removed key stops verifying.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticateRequest, JwksCache, loadJose, type AuthnOutcome, type Jose } from '../src/inbound/request-authn';
import { compileJwtAuthn, type JwtAuthnConfig } from '../src/snapshot/compile-jwt';

const ISS = 'https://jwks.inboard.test';
type Keys = Awaited<ReturnType<Jose['generateKeyPair']>>;

/** Polls `check` until it is true (bounded); never a fixed sleep. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('RequestAuthentication: remote JWKS caching and outages (jwt-jwks)', function () {
  this.timeout(20_000);
  let jose: Jose;
  let k1: Keys;
  let k2: Keys;
  let server: http.Server;
  let port: number;
  let fetches = 0;
  let serving: 'k1' | 'k2' | 'down' = 'k1';
  const jwks: Record<'k1' | 'k2', unknown> = { k1: undefined, k2: undefined };

  const sign = (key: Keys, kid: string) =>
    new jose.SignJWT({ iss: ISS, sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600 }).setProtectedHeader({ alg: 'ES256', kid }).sign(key.privateKey);

  /** A provider on the local JWKS server with the given cache duration (ms). */
  const config = (cacheMs: number, uri = `http://127.0.0.1:${port}/jwks`): JwtAuthnConfig => compileJwtAuthn({
    inboard: {
      jwt_authn: {
        providers: {
          p: {
            issuer: ISS,
            remote_jwks: { http_uri: { uri, cluster: 'jwks', timeout: { seconds: 1 } }, cache_duration: { seconds: Math.floor(cacheMs / 1000), nanos: (cacheMs % 1000) * 1e6 } },
          },
        },
        rules: [{ match: { prefix: '/' }, requires: { requires_any: { requirements: [{ provider_name: 'p' }, { allow_missing: {} }] } } }],
      },
    },
  })!;

  const verify = (cfg: JwtAuthnConfig, cache: JwksCache, token: string): Promise<AuthnOutcome> =>
    authenticateRequest(cfg, { method: 'GET', url: '/', headers: { authorization: [`Bearer ${token}`] }, scheme: 'http', host: 'svc' }, cache, Date.now());

  before(async () => {
    jose = await loadJose();
    k1 = await jose.generateKeyPair('ES256', { extractable: true });
    k2 = await jose.generateKeyPair('ES256', { extractable: true });
    jwks.k1 = { keys: [{ ...(await jose.exportJWK(k1.publicKey)), kid: 'k1', alg: 'ES256' }] };
    jwks.k2 = { keys: [{ ...(await jose.exportJWK(k2.publicKey)), kid: 'k2', alg: 'ES256' }] };
    server = http.createServer((req, res) => {
      fetches++;
      if (serving === 'down') return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks[serving]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });

  beforeEach(() => {
    serving = 'k1';
    fetches = 0;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches once, then verifies from the cache — also while the JWKS server is down', async () => {
    const cfg = config(300_000);
    const cache = new JwksCache();
    const token = await sign(k1, 'k1');
    assert.equal((await verify(cfg, cache, token)).kind, 'authenticated');
    assert.equal((await verify(cfg, cache, token)).kind, 'authenticated');
    assert.equal(fetches, 1);
    serving = 'down';
    assert.equal((await verify(cfg, cache, token)).kind, 'authenticated', 'cached keys are used within the cache duration');
    assert.equal(fetches, 1);
  });

  it('fails closed once the cache is stale and the JWKS server keeps failing', async () => {
    const cfg = config(1);
    const cache = new JwksCache();
    const token = await sign(k1, 'k1');
    assert.equal((await verify(cfg, cache, token)).kind, 'authenticated');
    serving = 'down';
    await eventually('verification to fail closed', async () => (await verify(cfg, cache, token)).kind === 'rejected');
    serving = 'k1';
    await eventually('verification to recover with the server', async () => (await verify(cfg, cache, token)).kind === 'authenticated');
  });

  it('picks up a rotated key set after the cache expires; the removed key stops verifying', async () => {
    const cfg = config(1);
    const cache = new JwksCache();
    const old = await sign(k1, 'k1');
    const rotated = await sign(k2, 'k2');
    assert.equal((await verify(cfg, cache, old)).kind, 'authenticated');
    assert.equal((await verify(cfg, cache, rotated)).kind === 'authenticated', false, 'k2 is not published yet');
    serving = 'k2';
    await eventually('the rotated key to verify', async () => (await verify(cfg, cache, rotated)).kind === 'authenticated');
    await eventually('the removed key to stop verifying', async () => (await verify(cfg, cache, old)).kind === 'rejected');
  });

  it('rejects every token when the JWKS server cannot be reached at all', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await verify(config(300_000, `http://127.0.0.1:${deadPort}/jwks`), new JwksCache(), await sign(k1, 'k1'));
    assert.equal(outcome.kind, 'rejected');
  });
});

// RequestAuthentication in mesh-client, unit level: the attack corpus against authenticateRequest
// (expired, nbf, wrong iss/aud, alg none, HS256 key confusion, unknown kid, tampering, two tokens,
// malformed, oversized), token locations and stripping, output headers, the 401, and the config reader.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { isAuthzError } from '../src/authz';
import { applyRequestEdit, editedRequest } from '../src/inbound/inbound-authz';
import { authenticateRequest, JwksCache, loadJose, MAX_TOKEN_LENGTH, type AuthnOutcome, type AuthnRequest, type Jose } from '../src/inbound/request-authn';
import { compileJwtAuthn, type JwtAuthnConfig } from '../src/snapshot/compile-jwt';

const ISS = 'https://issuer.example.com';
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const sec = (ms: number) => Math.floor(ms / 1000);

type Keys = Awaited<ReturnType<Jose['generateKeyPair']>>;
type JWK = Parameters<Jose['createLocalJWKSet']>[0]['keys'][number];
let jose: Jose;
let main: Keys;
let other: Keys;
let publicJwk: JWK;

/** The jwt_authn metadata the control plane writes, for one provider. */
function metadata(provider: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    inboard: {
      jwt_authn: {
        providers: { 'origins-0': { issuer: ISS, local_jwks: { inline_string: JSON.stringify({ keys: [publicJwk] }) }, payload_in_metadata: 'payload', ...provider } },
        rules: [{ match: { prefix: '/' }, requires: { requires_any: { requirements: [{ provider_name: 'origins-0' }, { allow_missing: {} }] } } }],
        bypass_cors_preflight: true,
        ...extra,
      },
    },
  };
}

function config(provider: Record<string, unknown> = {}): JwtAuthnConfig {
  return compileJwtAuthn(metadata(provider))!;
}

async function token(claims: Record<string, unknown> = {}, options: { key?: Keys; kid?: string; alg?: string } = {}): Promise<string> {
  return new jose.SignJWT({ sub: 'alice', aud: 'bookinfo', iss: ISS, iat: sec(NOW), exp: sec(NOW) + 3600, ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'k1' })
    .sign((options.key ?? main).privateKey);
}

function request(headers: Record<string, string | string[]> = {}, url = '/productpage'): AuthnRequest {
  const distinct = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  return { method: 'GET', url, headers: distinct, scheme: 'http', host: 'productpage:9080' };
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

async function run(cfg: JwtAuthnConfig, req: AuthnRequest): Promise<AuthnOutcome> {
  return authenticateRequest(cfg, req, new JwksCache(), NOW);
}

async function rejected(cfg: JwtAuthnConfig, req: AuthnRequest): Promise<string> {
  const outcome = await run(cfg, req);
  assert.equal(outcome.kind, 'rejected', `expected a rejection, got ${JSON.stringify(outcome)}`);
  return outcome.kind === 'rejected' ? outcome.reason : '';
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('RequestAuthentication: token verification (jwt-authn)', () => {
  before(async () => {
    jose = await loadJose();
    main = await jose.generateKeyPair('RS256', { extractable: true });
    other = await jose.generateKeyPair('RS256', { extractable: true });
    publicJwk = { ...(await jose.exportJWK(main.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  });

  it('accepts a valid token: principal <iss>/<sub>, claims, token removed before the application', async () => {
    const outcome = await run(config({ audiences: ['bookinfo'] }), request(bearer(await token())));
    assert.equal(outcome.kind, 'authenticated');
    if (outcome.kind !== 'authenticated') return;
    assert.equal(outcome.principal, `${ISS}/alice`);
    assert.equal(outcome.claims['sub'], 'alice');
    assert.ok(outcome.edit.removeHeaders.includes('authorization'));
  });

  it('keeps the token when forward (forwardOriginalToken) is set', async () => {
    const outcome = await run(config({ forward: true }), request(bearer(await token())));
    assert.equal(outcome.kind, 'authenticated');
    assert.ok(outcome.kind === 'authenticated' && !outcome.edit.removeHeaders.includes('authorization'));
  });

  it('passes a request without a token as anonymous (authorization decides)', async () => {
    const outcome = await run(config(), request({ 'x-other': 'y' }));
    assert.equal(outcome.kind, 'anonymous');
  });

  it('rejects an expired token, but accepts one within the 60 s clock skew', async () => {
    await rejected(config(), request(bearer(await token({ exp: sec(NOW) - 120 }))));
    const late = await run(config(), request(bearer(await token({ exp: sec(NOW) - 30 }))));
    assert.equal(late.kind, 'authenticated');
  });

  it('rejects a token whose nbf is in the future (beyond the skew)', async () => {
    await rejected(config(), request(bearer(await token({ nbf: sec(NOW) + 120 }))));
  });

  it('rejects a token from an issuer no rule names', async () => {
    assert.match(await rejected(config(), request(bearer(await token({ iss: 'https://evil.example.com' })))), /issuer .* is not configured/);
  });

  it('rejects a token for another audience; accepts any listed audience', async () => {
    await rejected(config({ audiences: ['reviews'] }), request(bearer(await token())));
    const ok = await run(config({ audiences: ['reviews', 'bookinfo'] }), request(bearer(await token())));
    assert.equal(ok.kind, 'authenticated');
    const list = await run(config({ audiences: ['bookinfo'] }), request(bearer(await token({ aud: ['x', 'bookinfo'] }))));
    assert.equal(list.kind, 'authenticated');
  });

  it('rejects alg none', async () => {
    const unsecured = new jose.UnsecuredJWT({ sub: 'alice' }).setIssuer(ISS).setExpirationTime(sec(NOW) + 60).encode();
    assert.match(await rejected(config(), request(bearer(unsecured))), /algorithm "none" is not allowed/);
  });

  it('rejects HS256 signed with the public key as the secret (key confusion)', async () => {
    const header = b64({ alg: 'HS256', kid: 'k1', typ: 'JWT' });
    const payload = b64({ iss: ISS, sub: 'mallory', exp: sec(NOW) + 60 });
    for (const secret of [JSON.stringify(publicJwk), String(publicJwk.n), Buffer.from(String(publicJwk.n), 'base64url').toString('latin1')]) {
      const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      assert.match(await rejected(config(), request(bearer(`${header}.${payload}.${sig}`))), /algorithm "HS256" is not allowed/);
    }
  });

  it('rejects an unknown kid and a token signed by another key under the known kid', async () => {
    await rejected(config(), request(bearer(await token({}, { key: other, kid: 'k2' }))));
    await rejected(config(), request(bearer(await token({}, { key: other, kid: 'k1' }))));
  });

  it('rejects a tampered payload', async () => {
    const [h, , s] = (await token()).split('.');
    const forged = `${h}.${b64({ iss: ISS, sub: 'admin', aud: 'bookinfo', exp: sec(NOW) + 3600 })}.${s}`;
    await rejected(config(), request(bearer(forged)));
  });

  it('rejects malformed tokens and oversized ones', async () => {
    for (const bad of ['not-a-jwt', 'a.b.c', '%%%.###.!!!', `${b64({ alg: 'RS256' })}.@@@.x`, '..']) {
      await rejected(config(), request(bearer(bad)));
    }
    const big = await token({ pad: 'x'.repeat(MAX_TOKEN_LENGTH) });
    assert.match(await rejected(config(), request(bearer(big))), /longer than/);
  });

  it('reads ?access_token by default and removes it from the target (other parameters untouched)', async () => {
    const t = await token();
    const outcome = await run(config(), request({}, `/productpage?a=1&access_token=${t}&b=%2F`));
    assert.equal(outcome.kind, 'authenticated');
    assert.equal(outcome.kind === 'authenticated' && outcome.edit.url, '/productpage?a=1&b=%2F');
  });

  it('requires every token to verify: a good header token does not carry a bad query token', async () => {
    const good = await token();
    const bad = await token({}, { key: other });
    await rejected(config(), request(bearer(good), `/p?access_token=${bad}`));
    const both = await run(config(), request(bearer(good), `/p?access_token=${good}`));
    assert.equal(both.kind, 'authenticated');
  });

  it('honours fromHeaders prefixes, fromParams and fromCookies instead of the defaults', async () => {
    const t = await token();
    const cfg = config({ from_headers: [{ name: 'x-jwt', value_prefix: 'Token ' }], from_params: ['jwt'], from_cookies: ['session'] });
    assert.equal((await run(cfg, request({ 'x-jwt': `Token ${t}` }))).kind, 'authenticated');
    assert.equal((await run(cfg, request({}, `/?jwt=${t}`))).kind, 'authenticated');
    const cookie = await run(cfg, request({ cookie: `a=1; session=${t}; b=2` }));
    assert.equal(cookie.kind, 'authenticated');
    assert.deepEqual(cookie.kind === 'authenticated' && cookie.edit.removeCookies, ['session']);
    // The defaults no longer apply, and a header without the prefix holds no token.
    assert.equal((await run(cfg, request(bearer(t)))).kind, 'anonymous');
    assert.equal((await run(cfg, request({ 'x-jwt': t }))).kind, 'anonymous');
  });

  it('writes payload and claim headers, and strips incoming copies even without a token', async () => {
    const cfg = config({ forward_payload_header: 'x-jwt-payload', claim_to_headers: [{ header_name: 'x-jwt-sub', claim_name: 'sub' }, { header_name: 'x-jwt-group', claim_name: 'org.group' }] });
    const t = await token({ org: { group: 'admins' } });
    const outcome = await run(cfg, request(bearer(t)));
    assert.equal(outcome.kind, 'authenticated');
    if (outcome.kind !== 'authenticated') return;
    assert.equal(outcome.edit.setHeaders['x-jwt-sub'], 'alice');
    assert.equal(outcome.edit.setHeaders['x-jwt-group'], 'admins');
    assert.equal(JSON.parse(Buffer.from(outcome.edit.setHeaders['x-jwt-payload']!, 'base64url').toString()).sub, 'alice');
    const spoofed = await run(cfg, request({ 'x-jwt-sub': 'admin' }));
    assert.equal(spoofed.kind, 'anonymous');
    assert.deepEqual([...spoofed.kind === 'anonymous' ? spoofed.edit.removeHeaders : []].sort(), ['x-jwt-group', 'x-jwt-payload', 'x-jwt-sub']);
  });

  it("answers Envoy's 401 with a Bearer challenge", async () => {
    const outcome = await run(config(), request(bearer('x.y.z'), '/productpage?q=1'));
    assert.equal(outcome.kind, 'rejected');
    if (outcome.kind !== 'rejected') return;
    assert.equal(outcome.reply.status, 401);
    assert.equal(outcome.reply.body, 'Jwt verification fails');
    assert.equal(outcome.reply.headers['www-authenticate'], 'Bearer realm="http://productpage:9080/productpage", error="invalid_token"');
  });

  it('lets a CORS preflight through without verifying', async () => {
    const req = { ...request({ ...bearer('x.y.z'), origin: 'https://a.example', 'access-control-request-method': 'POST' }), method: 'OPTIONS' };
    assert.equal((await run(config(), req)).kind, 'anonymous');
  });

  it('picks the provider by issuer among several rules', async () => {
    const two = compileJwtAuthn({
      inboard: {
        jwt_authn: {
          providers: {
            'origins-0': { issuer: 'https://other.example.com', local_jwks: { inline_string: JSON.stringify({ keys: [{ ...(await jose.exportJWK(other.publicKey)), kid: 'o1' }] }) } },
            'origins-1': { issuer: ISS, local_jwks: { inline_string: JSON.stringify({ keys: [publicJwk] }) } },
          },
          rules: [{ match: { prefix: '/' }, requires: { requires_any: { requirements: [{ provider_name: 'origins-0' }, { provider_name: 'origins-1' }, { allow_missing: {} }] } } }],
        },
      },
    })!;
    assert.equal((await run(two, request(bearer(await token())))).kind, 'authenticated');
    const o = await token({ iss: 'https://other.example.com' }, { key: other, kid: 'o1' });
    const outcome = await run(two, request(bearer(o)));
    assert.equal(outcome.kind === 'authenticated' && outcome.principal, 'https://other.example.com/alice');
    // A token of one issuer signed with the other issuer's key does not verify.
    await rejected(two, request(bearer(await token({ iss: 'https://other.example.com' }, { kid: 'o1' }))));
  });
});

describe('RequestAuthentication: request edits (applyRequestEdit, editedRequest)', () => {
  const edit = { url: '/p?a=1', removeHeaders: ['authorization', 'x-jwt-sub'], removeCookies: ['session'], setHeaders: { 'x-jwt-sub': 'alice' } };

  it('edits headers, headersDistinct, rawHeaders and the target of a node:http request alike', async () => {
    const server = http.createServer((req, res) => {
      applyRequestEdit(req, edit);
      res.end(JSON.stringify({ url: req.url, headers: req.headers, distinct: req.headersDistinct, raw: req.rawHeaders }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const port = (server.address() as net.AddressInfo).port;
        const headers = [['Host', 'svc'], ['Authorization', 'Bearer t'], ['X-JWT-Sub', 'admin'], ['Cookie', 'a=1; session=t'], ['Cookie', 'b=2'], ['Connection', 'close']];
        const req = http.request({ host: '127.0.0.1', port, path: '/p?a=1&access_token=t', headers: headers as unknown as http.OutgoingHttpHeaders }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      const seen = JSON.parse(body);
      assert.equal(seen.url, '/p?a=1');
      assert.deepEqual(seen.headers, { host: 'svc', connection: 'close', 'x-jwt-sub': 'alice', cookie: 'a=1; b=2' });
      assert.deepEqual(seen.distinct, { host: ['svc'], connection: ['close'], 'x-jwt-sub': ['alice'], cookie: ['a=1; b=2'] });
      assert.deepEqual(seen.raw, ['Host', 'svc', 'Connection', 'close', 'x-jwt-sub', 'alice', 'cookie', 'a=1; b=2']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives authorization the same view (pure)', () => {
    const request = { method: 'GET', url: '/p?a=1&access_token=t', host: 'svc', scheme: 'http', headers: { authorization: ['Bearer t'], 'x-jwt-sub': ['admin'], cookie: ['session=t'] } };
    const edited = editedRequest(request, edit);
    assert.deepEqual(edited.headers, { 'x-jwt-sub': ['alice'] });
    assert.equal(edited.url, '/p?a=1');
    assert.deepEqual(request.headers['x-jwt-sub'], ['admin'], 'the input is not changed');
  });
});

describe('RequestAuthentication: the listener config reader (compile-jwt)', () => {
  before(async () => {
    jose ??= await loadJose();
    main ??= await jose.generateKeyPair('RS256', { extractable: true });
    publicJwk ??= { ...(await jose.exportJWK(main.publicKey)), kid: 'k1', alg: 'RS256' };
  });

  it('is undefined without jwt_authn and applies Envoy defaults', () => {
    assert.equal(compileJwtAuthn({ inboard: { mtls_mode: 'STRICT' } }), undefined);
    const cfg = compileJwtAuthn(metadata())!;
    assert.equal(cfg.allowMissing, true);
    assert.deepEqual(cfg.providers[0]!.locations, [{ kind: 'header', name: 'authorization', prefix: 'Bearer ' }, { kind: 'param', name: 'access_token' }]);
    assert.equal(cfg.providers[0]!.clockSkewSeconds, 60);
    assert.equal(cfg.providers[0]!.forward, false);
    assert.ok(Object.isFrozen(cfg.providers[0]));
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown provider field', metadata({ jwt_cache_config: {} }), /jwt_cache_config: is not a field/],
    ['an inline JWKS that is not JSON', metadata({ local_jwks: { inline_string: '{keys' } }), /local_jwks.inline_string: is not valid JSON/],
    ['both local and remote JWKS', metadata({ remote_jwks: { http_uri: { uri: 'https://a/jwks' } } }), /exactly one of local_jwks and remote_jwks/],
    ['a remote JWKS with another scheme', metadata({ local_jwks: undefined, remote_jwks: { http_uri: { uri: 'ftp://a/jwks' } } }), /must be http/],
    ['a provider no rule requires', metadata({}, { rules: [{ match: { prefix: '/' }, requires: { requires_any: { requirements: [{ allow_missing: {} }] } } }] }), /is not required by the rule/],
    ['a rule on another path', metadata({}, { rules: [{ match: { prefix: '/api' }, requires: { provider_name: 'origins-0' } }] }), /must be \{ prefix: "\/" \}/],
    ['an unknown top-level field', metadata({}, { filter_state_rules: {} }), /filter_state_rules: is not a field/],
    ['a bad header name', metadata({ forward_payload_header: 'x bad' }), /is not a valid header name/],
  ];
  for (const [name, meta, message] of bad) {
    it(`rejects ${name} (the listener then fails closed)`, () => {
      assert.throws(() => compileJwtAuthn(meta), (e: unknown) => isAuthzError(e, 'INVALID_INBOUND_METADATA') && message.test((e as Error).message));
    });
  }
});

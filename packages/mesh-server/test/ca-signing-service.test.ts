// The signing endpoint over real TLS gRPC on loopback: identity from the bearer token only (SEC-01),
// authentication and scope errors, TTL and CSR refusals as INVALID_ARGUMENT, per-token rate limits
// on an injected clock, the trust bundle, and the serving certificate checked against the pinned root.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { openCertificateAuthority, type CertificateAuthority } from '../src/ca/authority';
import { caServiceDefinitions, type IstioCertificateRequest, type IstioCertificateResponse, type TrustBundleResponse } from '@inboard/xds';
import { startSigningService, type SigningService } from '../src/ca/signing-service';
import { openTokenStore, type TokenStore } from '../src/tokens/token-store';
import { leafFacts, makeCaCert, makeCsr, ManualClock, rsaKeys, type RsaKeys } from './ca-fixtures';

type Call<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Res) => void) => void;

interface CaClient {
  CreateCertificate: Call<IstioCertificateRequest, IstioCertificateResponse>;
  GetTrustBundle: Call<object, TrustBundleResponse>;
  close(): void;
}

function connect(port: number, rootPem: string): CaClient & grpc.Client {
  const defs = caServiceDefinitions();
  const Certificates = grpc.makeGenericClientConstructor(defs.certificateService, 'IstioCertificateService');
  const Bundles = grpc.makeGenericClientConstructor(defs.trustBundleService, 'TrustBundleService');
  const credentials = grpc.credentials.createSsl(Buffer.from(rootPem));
  // The serving certificate names istiod.inboard.svc, localhost and 127.0.0.1; checking the DNS name
  // keeps Node from warning about an IP address as TLS server name.
  const options = { 'grpc.ssl_target_name_override': 'istiod.inboard.svc', 'grpc.default_authority': 'istiod.inboard.svc' };
  const certificates = new Certificates(`127.0.0.1:${port}`, credentials, options) as unknown as CaClient & grpc.Client;
  const bundles = new Bundles(`127.0.0.1:${port}`, credentials, options) as unknown as CaClient & grpc.Client;
  (certificates as unknown as { GetTrustBundle: CaClient['GetTrustBundle'] }).GetTrustBundle = bundles.GetTrustBundle.bind(bundles);
  const close = certificates.close.bind(certificates);
  certificates.close = () => { close(); bundles.close(); };
  return certificates;
}

function call<Req, Res>(method: Call<Req, Res>, request: Req, token?: string | string[]): Promise<Res> {
  const metadata = new grpc.Metadata();
  for (const t of typeof token === 'string' ? [token] : token ?? []) metadata.add('authorization', `Bearer ${t}`);
  return new Promise((resolve, reject) => {
    method(request, metadata, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response!)));
  });
}

async function grpcError(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  assert.fail('expected the call to fail');
}

describe('certificate signing service (TLS gRPC, loopback)', function () {
  this.timeout(20_000);
  let dataDir: string;
  let ca: CertificateAuthority;
  let tokens: TokenStore;
  let service: SigningService;
  let client: CaClient & grpc.Client;
  let keys: RsaKeys;
  const clock = new ManualClock();
  const token: Record<string, string> = {};

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-signing-'));
    keys = rsaKeys();
    ca = await openCertificateAuthority({ dataDir });
    tokens = openTokenStore({ dataDir, clock });
    token.a = tokens.issue({ scope: 'workload', namespace: 'ns-a', serviceAccount: 'sa-a' }).token;
    token.b = tokens.issue({ scope: 'workload', namespace: 'ns-b', serviceAccount: 'sa-b' }).token;
    token.burst = tokens.issue({ scope: 'workload', namespace: 'ns-a', serviceAccount: 'burst' }).token;
    token.limited = tokens.issue({ scope: 'workload', namespace: 'ns-a', serviceAccount: 'limited' }).token;
    token.admin = tokens.issue({ scope: 'admin' }).token;
    token.read = tokens.issue({ scope: 'read' }).token;
    token.short = tokens.issue({ scope: 'workload', namespace: 'ns-a', serviceAccount: 'short', ttlMs: 1_000 }).token;
    const revoked = tokens.issue({ scope: 'workload', namespace: 'ns-a', serviceAccount: 'gone' });
    tokens.revoke(revoked.info.id);
    token.revoked = revoked.token;
    service = await startSigningService({ ca, tokens, port: 0, clock, rateLimit: { capacity: 100, refillPerSecond: 1 } });
    client = connect(service.port, ca.trustBundle()[0]!);
  });

  after(async () => {
    client?.close();
    await service?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('issues leaf → root for the token identity, whatever the CSR claims (SEC-01)', async () => {
    const csr = makeCsr(keys, {
      subject: [{ name: 'commonName', value: 'spiffe://cluster.local/ns/ns-b/sa/sa-b' }],
      altNames: [{ type: 6, value: 'spiffe://cluster.local/ns/ns-b/sa/sa-b' }, { type: 2, value: 'sa-b.ns-b.svc.cluster.local' }],
      requestCa: true,
    });
    const fromA = await call(client.CreateCertificate.bind(client), { csr }, token.a);
    assert.equal(fromA.cert_chain.length, 2);
    assert.equal(fromA.cert_chain[1], ca.trustBundle()[0]);
    assert.deepEqual(leafFacts(fromA.cert_chain[0]!).sans, ['6:spiffe://cluster.local/ns/ns-a/sa/sa-a']);
    assert.equal(leafFacts(fromA.cert_chain[0]!).ca, false);
    const fromB = await call(client.CreateCertificate.bind(client), { csr }, token.b);
    assert.deepEqual(leafFacts(fromB.cert_chain[0]!).sans, ['6:spiffe://cluster.local/ns/ns-b/sa/sa-b']);
  });

  it('under a burst of concurrent requests from two tokens, no leaf carries the other token identity', async () => {
    const csr = makeCsr(keys, { altNames: [{ type: 6, value: 'spiffe://cluster.local/ns/ns-b/sa/sa-b' }] });
    const who = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'burst' : 'b'));
    const results = await Promise.all(who.map((w) => call(client.CreateCertificate.bind(client), { csr }, token[w])));
    results.forEach((r, i) => {
      const expected = who[i] === 'b' ? 'spiffe://cluster.local/ns/ns-b/sa/sa-b' : 'spiffe://cluster.local/ns/ns-a/sa/burst';
      assert.deepEqual(leafFacts(r.cert_chain[0]!).sans, [`6:${expected}`]);
    });
  });

  it('honours validity_duration in seconds, uses 24 h for 0, and refuses more than the maximum', async () => {
    const sixty = await call(client.CreateCertificate.bind(client), { csr: makeCsr(keys), validity_duration: 60 }, token.a);
    let facts = leafFacts(sixty.cert_chain[0]!);
    assert.equal(facts.notAfter.getTime() - facts.notBefore.getTime(), 60_000 + 60_000);
    const fallback = await call(client.CreateCertificate.bind(client), { csr: makeCsr(keys), validity_duration: 0 }, token.a);
    facts = leafFacts(fallback.cert_chain[0]!);
    assert.equal(facts.notAfter.getTime() - facts.notBefore.getTime(), 24 * 3_600_000 + 60_000);
    const tooLong = await grpcError(call(client.CreateCertificate.bind(client), { csr: makeCsr(keys), validity_duration: 90 * 86_400 + 1 }, token.a));
    assert.equal(tooLong.code, grpc.status.INVALID_ARGUMENT);
    assert.match(tooLong.details, /TTL_TOO_LONG/);
  });

  it('refuses a CSR without proof of possession, and an empty CSR, as INVALID_ARGUMENT naming the problem', async () => {
    const forged = await grpcError(call(client.CreateCertificate.bind(client), { csr: makeCsr(keys, { signingKey: rsaKeys().privateKey }) }, token.a));
    assert.equal(forged.code, grpc.status.INVALID_ARGUMENT);
    assert.match(forged.details, /CSR_BAD_SIGNATURE/);
    const empty = await grpcError(call(client.CreateCertificate.bind(client), {}, token.a));
    assert.equal(empty.code, grpc.status.INVALID_ARGUMENT);
    assert.match(empty.details, /CSR_INVALID: csr is empty/);
  });

  it('answers UNAUTHENTICATED for a missing, malformed, unknown, revoked or expired token', async () => {
    clock.advance(2_000); // token.short (1 s) is now expired
    const unknown = `inbt_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    const tampered = token.a!.slice(0, -1) + (token.a!.endsWith('A') ? 'B' : 'A');
    for (const [name, t] of [['none', undefined], ['garbage', 'x'], ['unknown', unknown], ['tampered', tampered], ['revoked', token.revoked], ['expired', token.short]] as const) {
      const error = await grpcError(call(client.CreateCertificate.bind(client), { csr: makeCsr(keys) }, t as string | string[] | undefined));
      assert.equal(error.code, grpc.status.UNAUTHENTICATED, `${name}: ${error.details}`);
    }
  });

  it('answers PERMISSION_DENIED to admin and read tokens and to impersonation requests', async () => {
    for (const t of [token.admin, token.read]) {
      const error = await grpcError(call(client.CreateCertificate.bind(client), { csr: makeCsr(keys) }, t));
      assert.equal(error.code, grpc.status.PERMISSION_DENIED);
    }
    const impersonation = await grpcError(call(client.CreateCertificate.bind(client), { csr: makeCsr(keys), metadata: { fields: { ImpersonatedIdentity: { stringValue: 'spiffe://cluster.local/ns/ns-b/sa/sa-b' } } } }, token.a));
    assert.equal(impersonation.code, grpc.status.PERMISSION_DENIED);
  });

  it('rate-limits each token with a token bucket, on the injected clock', async () => {
    const limited = await startSigningService({ ca, tokens, port: 0, clock, rateLimit: { capacity: 3, refillPerSecond: 0.1 } });
    const c = connect(limited.port, ca.trustBundle()[0]!);
    try {
      const csr = makeCsr(keys);
      const once = (t: string) => call(c.CreateCertificate.bind(c), { csr }, t);
      for (let i = 0; i < 3; i++) await once(token.limited!);
      const refused = await grpcError(once(token.limited!));
      assert.equal(refused.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.match(refused.details, /retry in 10 s/);
      await once(token.a!); // another token has its own bucket
      clock.advance(10_000);
      await once(token.limited!);
      assert.equal((await grpcError(once(token.limited!))).code, grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      c.close();
      await limited.close();
    }
  });

  it('serves the trust bundle to token holders only', async () => {
    const bundle = await call(client.GetTrustBundle.bind(client), {}, token.a);
    assert.deepEqual(bundle.roots, ca.trustBundle());
    assert.equal((await grpcError(call(client.GetTrustBundle.bind(client), {}))).code, grpc.status.UNAUTHENTICATED);
  });

  it('presents a serving certificate that verifies only against the pinned mesh root', async () => {
    const stranger = makeCaCert(rsaKeys(), { cn: 'some other root' });
    const c = connect(service.port, stranger.toString());
    try {
      const error = await grpcError(call(c.CreateCertificate.bind(c), { csr: makeCsr(keys) }, token.a));
      assert.equal(error.code, grpc.status.UNAVAILABLE);
    } finally {
      c.close();
    }
  });
});

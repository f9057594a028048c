import assert from 'node:assert/strict';
import { literalMatcher } from '../routing/matchers';
import type { ClusterConfig, Endpoint, UpstreamTls } from '../snapshot/types';
import { leafExtensions, makeCertificate, makeKeys, makeRoot, pemToDer } from './test-certificates';
import { UpstreamTlsError, checkServerIdentity, isUpstreamTlsFailure, upstreamMtlsFor } from './upstream-connector';

const REVIEWS = 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews';
const meshTls = (sans: string[] = []): UpstreamTls => ({
  alpn: [], sni: 'outbound_.9080_._.reviews.default.svc.cluster.local', config: {},
  certificate: { kind: 'provider', instance: 'default', certificateName: 'default' },
  subjectAltNames: sans.map((s) => ({ matcher: literalMatcher('exact', s, false) })),
});
const endpoint = (over: Partial<Endpoint> = {}): Endpoint => ({
  key: '127.0.0.1:9080', address: '127.0.0.1', port: 9080, weight: 1, health: 'HEALTHY', locality: { region: '', zone: '', subZone: '' }, priority: 0,
  metadata: { 'envoy.transport_socket_match': { tlsMode: 'istio' } }, ...over,
} as Endpoint);
type TlsCluster = Pick<ClusterConfig, 'tls' | 'transportSocketMatches'>;
const autoMtls: TlsCluster = { transportSocketMatches: [{ name: 'tlsMode-istio', match: { tlsMode: 'istio' }, tls: meshTls() }, { name: 'tlsMode-disabled', match: {} }] };

function leaf(uri: string): Buffer {
  const ca = makeKeys();
  const root = makeRoot(ca);
  const keys = makeKeys();
  return pemToDer(makeCertificate({ subjectKey: keys.publicKey, signingKey: ca.privateKey, issuerPem: root, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 60_000), extensions: leafExtensions(uri) }));
}

describe('upstream mesh mTLS selection and secure naming', () => {
  it('selects mTLS per endpoint: auto mTLS for tlsMode=istio, plaintext otherwise, ISTIO_MUTUAL always; file TLS stays plaintext', () => {
    const cases: [string, TlsCluster, Endpoint, boolean][] = [
      ['auto mTLS, istio endpoint', autoMtls, endpoint({ identity: REVIEWS }), true],
      ['auto mTLS, endpoint outside the mesh', autoMtls, endpoint({ metadata: {} }), false],
      ['ISTIO_MUTUAL', { tls: meshTls(), transportSocketMatches: [] }, endpoint({ metadata: {} }), true],
      ['plaintext cluster', { transportSocketMatches: [] }, endpoint(), false],
      ['file-based TLS', { tls: { ...meshTls(), certificate: { kind: 'inline' } }, transportSocketMatches: [] }, endpoint(), false],
    ];
    for (const [name, cluster, ep, mtls] of cases) assert.equal(upstreamMtlsFor(cluster, ep) !== undefined, mtls, name);
    const selected = upstreamMtlsFor(autoMtls, endpoint({ identity: REVIEWS }))!;
    assert.equal(selected.expectedIdentity, REVIEWS);
    assert.equal(selected.sni, 'outbound_.9080_._.reviews.default.svc.cluster.local');
    assert.notEqual(selected.key, upstreamMtlsFor(autoMtls, endpoint({ identity: 'spiffe://cluster.local/ns/default/sa/x' }))!.key, 'the identity is part of the pool key');
  });

  it('secure naming: the announced identity must match exactly; else the SAN matchers; else any mesh identity', () => {
    const reviews = leaf(REVIEWS);
    const attacker = leaf('spiffe://cluster.local/ns/default/sa/attacker');
    const announced = upstreamMtlsFor(autoMtls, endpoint({ identity: REVIEWS }))!;
    assert.equal(checkServerIdentity(announced, reviews).ok, true);
    const refused = checkServerIdentity(announced, attacker);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.code, 'PEER_IDENTITY_MISMATCH');
    const bySans = upstreamMtlsFor({ tls: meshTls([REVIEWS]), transportSocketMatches: [] }, endpoint())!;
    assert.equal(checkServerIdentity(bySans, reviews).ok, true);
    assert.equal(checkServerIdentity(bySans, attacker).ok, false);
    const any = upstreamMtlsFor({ tls: meshTls(), transportSocketMatches: [] }, endpoint())!;
    assert.equal(checkServerIdentity(any, attacker).ok, true);
    assert.equal(checkServerIdentity(any, leaf('https://not-spiffe.example/x')).ok, false);
  });

  it('classifies its failures (also wrapped) as upstream TLS failures, nothing else', () => {
    assert.equal(isUpstreamTlsFailure(new UpstreamTlsError('x')), true);
    assert.equal(isUpstreamTlsFailure(new Error('wrapped', { cause: new UpstreamTlsError('x') })), true);
    assert.equal(isUpstreamTlsFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), false);
  });
});

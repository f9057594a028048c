// Outbound TLS of clusters, one row per DestinationRule tls mode (and none: auto mTLS), for Inboard
// clients and for grpc-js-xds clients — every result through the strict encoder and grpc-js-xds's
// own validators, with and without `certificate_providers.default` in the gRPC client's bootstrap.

import assert from 'node:assert/strict';
import { fromStruct } from '@inboard/xds';
import type { ProxyInfo } from '../contracts';
import { translate } from './index';
import { bookinfoRegistry, endpoint, fakeRegistry, get, grpcClient, k8sService, parseConfig, sidecar, warningLines } from './test-support';
import { encodeErrors, grpcNacks } from './wire-check';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const REVIEWS = 'reviews.default.svc.cluster.local';
const UPSTREAM = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';

const dr = (tls: string, subsetTls = '') => parseConfig(`
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  ${tls ? `trafficPolicy: { tls: ${tls} }` : ''}
  subsets:
  - { name: v1, labels: { version: v1 }${subsetTls ? `, trafficPolicy: { tls: ${subsetTls} }` : ''} }
  - { name: v2, labels: { version: v2 } }`);

/** BookInfo with reviews v1 auto-registered (a mesh workload) and v2/v3 as plain WorkloadEntries, one labelled tlsMode=istio. */
function registry() {
  const e = (version: string, ip: string, extra: Parameters<typeof endpoint>[3] = {}) =>
    endpoint(`reviews-${version}`, ip, { app: 'reviews', version, ...(extra.labels ?? {}) }, { ports: { http: 9080 }, ...extra, labels: { app: 'reviews', version, ...(extra.labels ?? {}) } });
  return fakeRegistry([k8sService('reviews', 'default', [{ name: 'http', port: 9080 }])], [
    e('v1', '10.0.0.4', { origin: 'AutoRegistered', source: 'xds:reviews-v1', serviceAccount: 'bookinfo-reviews' }),
    e('v2', '10.0.0.5', { serviceAccount: 'reviews-v2', labels: { 'security.istio.io/tlsMode': 'istio' } }),
    e('v3', '10.0.0.6', { serviceAccount: 'legacy' }),
  ]);
}

function clusterOf(config: ReturnType<typeof dr>, name: string, proxy: ProxyInfo = sidecar()) {
  const result = translate({ config, registry: registry() }, proxy);
  return { result, cluster: get(result.clusters, name), warnings: warningLines(result) };
}

const MESH_VALIDATION = (sans: string[]) => ({
  default_validation_context: {
    ...(sans.length ? { match_subject_alt_names: sans.map((exact) => ({ exact })) } : {}),
    ca_certificate_provider_instance: { instance_name: 'default', certificate_name: 'ROOTCA' },
  },
});
const ALL_REVIEWS_SAS = ['spiffe://cluster.local/ns/default/sa/bookinfo-reviews', 'spiffe://cluster.local/ns/default/sa/legacy', 'spiffe://cluster.local/ns/default/sa/reviews-v2'];

describe('translate/upstream-tls: DestinationRule tls and auto mTLS on clusters', () => {
  it('ISTIO_MUTUAL: mesh certificate and root from provider instances, every workload identity as SAN, Istio SNI', () => {
    const { cluster } = clusterOf(dr('{ mode: ISTIO_MUTUAL }'), `outbound|9080|v2|${REVIEWS}`);
    assert.deepEqual(cluster.transport_socket, {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': UPSTREAM,
        common_tls_context: {
          tls_certificate_provider_instance: { instance_name: 'default', certificate_name: 'default' },
          combined_validation_context: MESH_VALIDATION(ALL_REVIEWS_SAS),
        },
        sni: `outbound_.9080_.v2_.${REVIEWS}`,
      },
    });
    assert.equal(cluster.transport_socket_matches, undefined);
    assert.equal(clusterOf(dr('{ mode: ISTIO_MUTUAL }'), `outbound|9080||${REVIEWS}`).cluster.transport_socket.typed_config.sni, `outbound_.9080_._.${REVIEWS}`);
  });

  it('ISTIO_MUTUAL with subjectAltNames and sni uses them instead', () => {
    const { cluster } = clusterOf(dr('{ mode: ISTIO_MUTUAL, subjectAltNames: ["spiffe://cluster.local/ns/x/sa/y"], sni: reviews.internal }'), `outbound|9080||${REVIEWS}`);
    assert.deepEqual(cluster.transport_socket.typed_config.common_tls_context.combined_validation_context, MESH_VALIDATION(['spiffe://cluster.local/ns/x/sa/y']));
    assert.equal(cluster.transport_socket.typed_config.sni, 'reviews.internal');
  });

  it('no tls setting: auto mTLS — tlsMode=istio endpoints use mesh mTLS, the rest plaintext', () => {
    const { cluster, result } = clusterOf([], `outbound|9080||${REVIEWS}`);
    assert.equal(cluster.transport_socket, undefined);
    const [istio, plain] = cluster.transport_socket_matches as Loose[];
    assert.equal(istio!.name, 'tlsMode-istio');
    assert.deepEqual(fromStruct(istio!.match), { tlsMode: 'istio' });
    assert.equal(istio!.transport_socket.typed_config.sni, `outbound_.9080_._.${REVIEWS}`);
    assert.deepEqual(plain, { name: 'tlsMode-disabled', match: plain!.match, transport_socket: { name: 'envoy.transport_sockets.raw_buffer' } });
    assert.deepEqual(fromStruct(plain!.match), {});
    // EDS: the auto-registered workload and the labelled WorkloadEntry carry tlsMode=istio; the other does not.
    const lbs = get(result.endpoints, `outbound|9080||${REVIEWS}`).endpoints.flatMap((l: Loose) => l.lb_endpoints);
    const modes = lbs.map((lb: Loose) => [lb.endpoint.address.socket_address.address, fromStruct(lb.metadata.filter_metadata['envoy.transport_socket_match']).tlsMode ?? null, fromStruct(lb.metadata.filter_metadata.inboard).identity]);
    assert.deepEqual(modes, [
      ['10.0.0.4', 'istio', 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews'],
      ['10.0.0.5', 'istio', 'spiffe://cluster.local/ns/default/sa/reviews-v2'],
      ['10.0.0.6', null, 'spiffe://cluster.local/ns/default/sa/legacy'],
    ]);
  });

  it('DISABLE (top level, or subset-level over ISTIO_MUTUAL) → plaintext, no matches', () => {
    assert.deepEqual(Object.keys(clusterOf(dr('{ mode: DISABLE }'), `outbound|9080||${REVIEWS}`).cluster).filter((k) => k.startsWith('transport')), []);
    const subset = clusterOf(dr('{ mode: ISTIO_MUTUAL }', '{ mode: DISABLE }'), `outbound|9080|v1|${REVIEWS}`).cluster;
    assert.equal(subset.transport_socket, undefined);
    assert.equal(subset.transport_socket_matches, undefined);
  });

  it('port-level tls applies to its port only', () => {
    const config = parseConfig(`
kind: DestinationRule
metadata: { name: reviews }
spec: { host: reviews, trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, tls: { mode: ISTIO_MUTUAL } }] } }`);
    assert.ok(clusterOf(config, `outbound|9080||${REVIEWS}`).cluster.transport_socket);
  });

  it('SIMPLE and MUTUAL: certificate files, CA, SANs and SNI; credentialName and caCrl are flagged', () => {
    const simple = clusterOf(dr('{ mode: SIMPLE, caCertificates: /etc/ca.pem, subjectAltNames: [reviews.example], sni: reviews.example }'), `outbound|9080||${REVIEWS}`);
    assert.deepEqual(simple.cluster.transport_socket.typed_config, {
      '@type': UPSTREAM,
      common_tls_context: { validation_context: { trusted_ca: { filename: '/etc/ca.pem' }, match_subject_alt_names: [{ exact: 'reviews.example' }] } },
      sni: 'reviews.example',
    });
    const mutual = clusterOf(dr('{ mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem, caCertificates: /ca.pem }'), `outbound|9080||${REVIEWS}`);
    assert.deepEqual(mutual.cluster.transport_socket.typed_config.common_tls_context, {
      tls_certificates: [{ certificate_chain: { filename: '/c.pem' }, private_key: { filename: '/k.pem' } }],
      validation_context: { trusted_ca: { filename: '/ca.pem' } },
    });
    assert.equal(mutual.cluster.transport_socket.typed_config.sni, REVIEWS);
    const credential = clusterOf(dr('{ mode: MUTUAL, credentialName: client-credential, caCrl: /crl.pem }'), `outbound|9080||${REVIEWS}`);
    assert.ok(credential.cluster.transport_socket, 'still TLS: fails closed instead of falling back to plaintext');
    assert.ok(credential.warnings.some((w) => w.includes('tls.credentialName "client-credential" is not supported in a DestinationRule')), credential.warnings.join('\n'));
    assert.ok(credential.warnings.some((w) => w.includes('tls.caCrl is not supported')));
    const insecure = clusterOf(dr('{ mode: SIMPLE, insecureSkipVerify: true }'), `outbound|9080||${REVIEWS}`);
    assert.deepEqual(insecure.cluster.transport_socket.typed_config.common_tls_context, {});
  });

  it('proxyless gRPC clients: ISTIO_MUTUAL only (as Istio\'s gRPC generator), no auto mTLS, SIMPLE/MUTUAL flagged', () => {
    assert.ok(clusterOf(dr('{ mode: ISTIO_MUTUAL }'), `outbound|9080||${REVIEWS}`, grpcClient()).cluster.transport_socket);
    const auto = clusterOf([], `outbound|9080||${REVIEWS}`, grpcClient()).cluster;
    assert.equal(auto.transport_socket_matches, undefined);
    assert.equal(auto.transport_socket, undefined);
    const simple = clusterOf(dr('{ mode: SIMPLE, caCertificates: /ca.pem }'), `outbound|9080||${REVIEWS}`, grpcClient());
    assert.equal(simple.cluster.transport_socket, undefined);
    assert.ok(simple.warnings.some((w) => w.includes('tls.mode SIMPLE is not served to proxyless gRPC clients')));
  });

  it('every mode encodes strictly, and grpc-js-xds accepts what it is served when bootstrapped with certificate_providers.default', () => {
    const modes = ['', '{ mode: ISTIO_MUTUAL }', '{ mode: DISABLE }', '{ mode: SIMPLE, caCertificates: /ca.pem }', '{ mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem, caCertificates: /ca.pem }'];
    for (const tls of modes) {
      const input = { config: dr(tls), registry: registry() };
      assert.deepEqual(encodeErrors(translate(input, sidecar())).errors, [], tls || 'auto');
      assert.deepEqual(grpcNacks(translate(input, grpcClient())), [], tls || 'auto');
    }
  });

  it('a grpc-js-xds client without certificate providers rejects ISTIO_MUTUAL clusters (and only those)', () => {
    const mutual = grpcNacks(translate({ config: dr('{ mode: ISTIO_MUTUAL }'), registry: bookinfoRegistry() }, grpcClient()), ['clusters'], { certificateProviders: false });
    assert.ok(mutual.length > 0 && mutual.every((n) => n.includes('reviews') && n.includes('Unmatched UpstreamTlsContext.tls_certificate_provider_instance.instance_name: default')), mutual.join('\n'));
    assert.deepEqual(grpcNacks(translate({ config: [], registry: bookinfoRegistry() }, grpcClient()), undefined, { certificateProviders: false }), []);
  });
});

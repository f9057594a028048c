import assert from 'node:assert/strict';
import {
  ISTIO_LABEL_NAMES, UNKNOWN_PEER, destinationService, endpointPeer, inboundLabels, outboundLabels, parseClusterName, workloadPeer,
} from './istio-labels';

const productpage = workloadPeer({ namespace: 'default', labels: { app: 'productpage', version: 'v1' }, serviceAccount: 'bookinfo-productpage' });
const reviewsV2 = endpointPeer({
  inboard: { namespace: 'default', service_account: 'bookinfo-reviews', identity: 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews', labels: { app: 'reviews', version: 'v2' } },
});
const reviews = destinationService('outbound|9080|v2|reviews.default.svc.cluster.local');

describe('telemetry/istio-labels', () => {
  it('describes a workload the way Istio labels it', () => {
    const cases: [Parameters<typeof workloadPeer>[0], Partial<ReturnType<typeof workloadPeer>>][] = [
      [{ namespace: 'default', labels: { app: 'reviews', version: 'v1' }, serviceAccount: 'bookinfo-reviews' },
        { workload: 'reviews-v1', app: 'reviews', version: 'v1', principal: 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews', canonicalService: 'reviews', canonicalRevision: 'v1' }],
      [{ namespace: 'shop', labels: { app: 'cart' } }, { workload: 'cart', version: 'unknown', principal: 'unknown', canonicalRevision: 'latest' }],
      [{ namespace: 'shop', labels: { app: 'cart', 'service.istio.io/canonical-name': 'cart-svc', 'service.istio.io/canonical-revision': 'r7' }, workloadName: 'cart-blue' },
        { workload: 'cart-blue', canonicalService: 'cart-svc', canonicalRevision: 'r7' }],
      [{ labels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/version': '2.0' } }, { app: 'api', version: '2.0', workload: 'api-2.0', namespace: 'unknown' }],
      [{ namespace: 'a', serviceAccount: 'sa', trustDomain: 'example.org', cluster: 'east' }, { principal: 'spiffe://example.org/ns/a/sa/sa', cluster: 'east', workload: 'unknown' }],
      [{}, { ...UNKNOWN_PEER, canonicalRevision: 'latest' }],
    ];
    for (const [input, expected] of cases) {
      const peer = workloadPeer(input);
      for (const [key, value] of Object.entries(expected)) assert.equal(peer[key as keyof typeof peer], value, `${JSON.stringify(input)} → ${key}`);
    }
  });

  it('reads an endpoint peer from its EDS metadata, the subset standing in for a missing version', () => {
    assert.equal(reviewsV2.workload, 'reviews-v2');
    assert.equal(reviewsV2.principal, 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews');
    const bare = endpointPeer({ inboard: { namespace: 'default', labels: { app: 'ratings' } } }, 'v1');
    assert.equal(bare.version, 'v1');
    assert.equal(bare.workload, 'ratings-v1');
    assert.deepEqual(endpointPeer(undefined), { ...UNKNOWN_PEER, canonicalRevision: 'latest' });
  });

  it('parses Istio cluster names and destination services', () => {
    assert.deepEqual(parseClusterName('outbound|9080|v1|reviews.default.svc.cluster.local'), { direction: 'outbound', port: 9080, subset: 'v1', host: 'reviews.default.svc.cluster.local' });
    assert.deepEqual(parseClusterName('outbound|9080||reviews.default.svc.cluster.local'), { direction: 'outbound', port: 9080, subset: '', host: 'reviews.default.svc.cluster.local' });
    for (const bad of ['reviews', 'outbound|x|v1|h', 'sideways|80||h', 'a|b|c']) assert.equal(parseClusterName(bad), undefined, bad);
    assert.deepEqual(reviews, { host: 'reviews.default.svc.cluster.local', name: 'reviews', namespace: 'default' });
    assert.deepEqual(destinationService('httpbin.org', 'default'), { host: 'httpbin.org', name: 'httpbin.org', namespace: 'default' });
    assert.deepEqual(destinationService(''), { host: 'unknown', name: 'unknown', namespace: 'unknown' });
  });

  it('builds the source-reported label set of an outbound call', () => {
    const labels = outboundLabels(productpage, reviewsV2, reviews, { protocol: 'http', responseCode: 200, mtls: true });
    assert.deepEqual(Object.keys(labels), [...ISTIO_LABEL_NAMES]);
    assert.deepEqual(labels, {
      reporter: 'source',
      source_workload: 'productpage-v1', source_workload_namespace: 'default',
      source_principal: 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage',
      source_app: 'productpage', source_version: 'v1', source_canonical_service: 'productpage', source_canonical_revision: 'v1', source_cluster: 'unknown',
      destination_workload: 'reviews-v2', destination_workload_namespace: 'default',
      destination_principal: 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews',
      destination_app: 'reviews', destination_version: 'v2',
      destination_service: 'reviews.default.svc.cluster.local', destination_service_name: 'reviews', destination_service_namespace: 'default',
      destination_canonical_service: 'reviews', destination_canonical_revision: 'v2', destination_cluster: 'unknown',
      request_protocol: 'http', response_code: '200', grpc_response_status: '', response_flags: '-', connection_security_policy: 'unknown',
    });
  });

  it('reports principals only under mTLS, flags as given, gRPC status for gRPC, and 0 without a response', () => {
    const plain = outboundLabels(productpage, reviewsV2, reviews, { protocol: 'http', responseCode: 0, responseFlags: 'UH', mtls: false });
    assert.equal(plain.source_principal, 'unknown');
    assert.equal(plain.destination_principal, 'unknown');
    assert.equal(plain.response_code, '0');
    assert.equal(plain.response_flags, 'UH');
    const grpc = outboundLabels(productpage, reviewsV2, reviews, { protocol: 'grpc', responseCode: 200, grpcStatus: 14, mtls: true });
    assert.equal(grpc.request_protocol, 'grpc');
    assert.equal(grpc.grpc_response_status, '14');
    assert.equal(outboundLabels(productpage, reviewsV2, reviews, { protocol: 'http', responseCode: 200, grpcStatus: 3, mtls: true }).grpc_response_status, '');
  });

  it('builds the destination-reported label set of a served request', () => {
    const served = inboundLabels(reviewsV2, productpage, reviews, { protocol: 'http', responseCode: 503, responseFlags: 'FI', mtls: true });
    assert.equal(served.reporter, 'destination');
    assert.equal(served.source_workload, 'productpage-v1');
    assert.equal(served.destination_workload, 'reviews-v2');
    assert.equal(served.connection_security_policy, 'mutual_tls');
    assert.equal(served.response_flags, 'FI');
    const anonymous = inboundLabels(reviewsV2, UNKNOWN_PEER, reviews, { protocol: 'http', responseCode: 200, mtls: false });
    assert.equal(anonymous.connection_security_policy, 'none');
    assert.equal(anonymous.source_workload, 'unknown');
    assert.equal(anonymous.destination_principal, 'unknown');
  });
});

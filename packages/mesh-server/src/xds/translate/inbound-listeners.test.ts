import assert from 'node:assert/strict';
import { translate } from './index';
import { inboundListenerName, INBOUND_LISTENER_PREFIX, parseInboundListenerName } from './inbound-listeners';
import { readInboardMetadata } from './struct';
import { bookinfoRegistry, bookinfoServices, endpoint, fakeRegistry, get, grpcClient, ingressGateway, k8sService, parseConfig, sidecar } from './test-support';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const inboundNames = (listeners: ReadonlyMap<string, object>) => [...listeners.keys()].filter((n) => n.startsWith(INBOUND_LISTENER_PREFIX));
const hcmOf = (listener: Loose) => listener.filter_chains[0].filters[0].typed_config;
const REVIEWS_V2 = { labels: { app: 'reviews', version: 'v2' } };

describe('translate/inbound-listeners (servers: xds.istio.io/grpc/lds/inbound/<ip>:<port>)', () => {
  it('names listeners as Istio proxyless does (IPv6 in brackets) and parses them back', () => {
    assert.equal(inboundListenerName('10.0.0.5', 9080), 'xds.istio.io/grpc/lds/inbound/10.0.0.5:9080');
    assert.equal(inboundListenerName('::', 50051), 'xds.istio.io/grpc/lds/inbound/[::]:50051');
    assert.deepEqual(parseInboundListenerName('xds.istio.io/grpc/lds/inbound/[::1]:8080'), { ip: '::1', port: 8080 });
    assert.deepEqual(parseInboundListenerName('xds.istio.io/grpc/lds/inbound/127.0.0.1:9080'), { ip: '127.0.0.1', port: 9080 });
    assert.equal(parseInboundListenerName('xds.istio.io/grpc/lds/inbound/host:9080'), undefined);
    assert.equal(parseInboundListenerName('reviews:9080'), undefined);
  });

  it('serves one listener per served port for the workload address and for 0.0.0.0 and [::]', () => {
    const result = translate({ config: [], registry: bookinfoRegistry() }, sidecar(REVIEWS_V2));
    assert.deepEqual(inboundNames(result.listeners), [
      'xds.istio.io/grpc/lds/inbound/0.0.0.0:9080', 'xds.istio.io/grpc/lds/inbound/10.0.0.5:9080', 'xds.istio.io/grpc/lds/inbound/[::]:9080',
    ]);
    const listener = get(result.listeners, 'xds.istio.io/grpc/lds/inbound/[::]:9080');
    assert.deepEqual(listener.address, { socket_address: { address: '::', port_value: 9080 } });
  });

  it('builds filter chains of an HCM with an inline catch-all non_forwarding route and the router last (gRFC A36)', () => {
    const result = translate({ config: [], registry: bookinfoRegistry() }, sidecar(REVIEWS_V2));
    const listener = get(result.listeners, 'xds.istio.io/grpc/lds/inbound/10.0.0.5:9080');
    assert.deepEqual(listener.filter_chains.map((c: Loose) => c.name), ['inbound-mtls', 'inbound-plaintext'], 'PERMISSIVE by default');
    assert.deepEqual(listener.filter_chains[0].filters, listener.filter_chains[1].filters);
    assert.equal(listener.listener_filters, undefined, 'gRPC NACKs listener_filters');
    assert.equal(listener.use_original_dst, undefined, 'gRPC NACKs use_original_dst');
    const hcm = hcmOf(listener);
    assert.deepEqual(hcm.route_config, {
      name: 'inbound',
      virtual_hosts: [{ name: 'inbound', domains: ['*'], routes: [{ match: { prefix: '/' }, non_forwarding_action: {} }] }],
    });
    assert.deepEqual(hcm.http_filters, [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }]);
    assert.deepEqual(readInboardMetadata(listener), { mtls_mode: 'PERMISSIVE', path_normalization: 'BASE', authorization_policies: [] });
  });

  it('puts the RBAC filters before the router and lists the applied policies and the mTLS mode in the metadata', () => {
    const config = parseConfig(`
kind: AuthorizationPolicy
metadata: { name: deny-admin }
spec: { action: DENY, rules: [{ to: [{ operation: { paths: ["/admin*"] } }] }] }
---
kind: AuthorizationPolicy
metadata: { name: viewers }
spec: { selector: { matchLabels: { app: reviews } }, rules: [{ to: [{ operation: { methods: [GET] } }] }] }
---
kind: PeerAuthentication
metadata: { name: strict }
spec: { selector: { matchLabels: { app: reviews } }, mtls: { mode: STRICT } }`);
    const result = translate({ config, registry: bookinfoRegistry() }, sidecar(REVIEWS_V2));
    const listener = get(result.listeners, 'xds.istio.io/grpc/lds/inbound/10.0.0.5:9080');
    assert.deepEqual(hcmOf(listener).http_filters.map((f: Loose) => f.name), ['envoy.filters.http.rbac.DENY', 'envoy.filters.http.rbac', 'envoy.filters.http.router']);
    assert.equal(listener.filter_chains[0].name, 'inbound-mtls');
    assert.deepEqual(readInboardMetadata(listener), {
      mtls_mode: 'STRICT', mtls_policy: 'PeerAuthentication/default/strict', path_normalization: 'BASE',
      authorization_policies: ['AuthorizationPolicy/default/deny-admin', 'AuthorizationPolicy/default/viewers'],
    });
    const ratings = translate({ config, registry: bookinfoRegistry() }, sidecar({ labels: { app: 'ratings', version: 'v1' } }));
    assert.deepEqual(hcmOf(get(ratings.listeners, 'xds.istio.io/grpc/lds/inbound/10.0.0.3:9080')).http_filters.map((f: Loose) => f.name), ['envoy.filters.http.rbac.DENY', 'envoy.filters.http.router']);
  });

  it('gives no inbound listener to a pure client, a proxy in another namespace, or a gateway', () => {
    const registry = bookinfoRegistry();
    assert.deepEqual(inboundNames(translate({ config: [], registry }, sidecar({ labels: { app: 'sleep' } })).listeners), []);
    assert.deepEqual(inboundNames(translate({ config: [], registry }, sidecar({ namespace: 'shop', ...REVIEWS_V2 })).listeners), []);
    assert.deepEqual(inboundNames(translate({ config: [], registry }, ingressGateway()).listeners), []);
  });

  it('serves every replica address and every port, including ports a Service resolves through targetPort', () => {
    const service = k8sService('api', 'default', [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'grpc', port: 9090, protocol: 'GRPC' }]);
    const replicas = [
      endpoint('api-1', '10.1.0.1', { app: 'api' }, { ports: {}, origin: 'AutoRegistered', source: 'xds:api-1' }),
      endpoint('api-2', '10.1.0.2', { app: 'api' }, { ports: { metrics: 15020 }, origin: 'AutoRegistered', source: 'xds:api-2' }),
      endpoint('other', '10.1.0.3', { app: 'api', version: 'canary' }),
    ];
    const result = translate({ config: [], registry: fakeRegistry([service], replicas) }, grpcClient({ labels: { app: 'api' } }));
    const served = inboundNames(result.listeners).map((n) => n.slice(INBOUND_LISTENER_PREFIX.length));
    assert.deepEqual(served, [
      '0.0.0.0:15020', '0.0.0.0:8080', '0.0.0.0:9090', '10.1.0.1:15020', '10.1.0.1:8080', '10.1.0.1:9090',
      '10.1.0.2:15020', '10.1.0.2:8080', '10.1.0.2:9090', '[::]:15020', '[::]:8080', '[::]:9090',
    ]);
  });

  it('leaves the outbound listeners as they were', () => {
    const before = translate({ config: [], registry: fakeRegistry(bookinfoServices()) }, sidecar(REVIEWS_V2));
    const after = translate({ config: [], registry: bookinfoRegistry() }, sidecar(REVIEWS_V2));
    assert.deepEqual([...after.listeners.keys()].filter((n) => !n.startsWith(INBOUND_LISTENER_PREFIX)), [...before.listeners.keys()]);
  });
});

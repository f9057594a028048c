import assert from 'node:assert/strict';
import type { ProxyInfo } from '../contracts';
import { translate } from './index';
import { readInboardMetadata } from './struct';
import {
  bookinfoRegistry, entryService, fakeRegistry, get, grpcClient, k8sService, parseConfig, routesOf, sample, sidecar, warningLines,
} from './test-support';

const REVIEWS = 'reviews.default.svc.cluster.local:9080';
const SUBSETS = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }, { name: v3, labels: { version: v3 } }]
---
`;

function run(yaml: string, proxy: ProxyInfo = sidecar(), registry = bookinfoRegistry()) {
  const result = translate({ config: parseConfig(SUBSETS + yaml), registry }, proxy);
  return { result, warnings: warningLines(result) };
}

const clusterOf = (route: Record<string, any>) => route.route?.cluster; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('translate/routes: VirtualService semantics', () => {
  it('keeps rule order, expands match blocks in order and stops after a catch-all', () => {
    const { result } = run(`
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
  - match: [{ headers: { end-user: { exact: jason } } }, { uri: { prefix: /v2 } }]
    route: [{ destination: { host: reviews, subset: v2 } }]
  - match: [{ uri: { prefix: / } }]
    route: [{ destination: { host: reviews, subset: v3 } }]
  - route: [{ destination: { host: reviews, subset: v1 } }]`);
    const routes = routesOf(result, REVIEWS);
    assert.deepEqual(routes.map((r) => r.match), [
      { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] },
      { prefix: '/v2' },
      { prefix: '/' },
    ]);
    assert.deepEqual(routes.map(clusterOf), [
      'outbound|9080|v2|reviews.default.svc.cluster.local',
      'outbound|9080|v2|reviews.default.svc.cluster.local',
      'outbound|9080|v3|reviews.default.svc.cluster.local',
    ]);
  });

  it('gives no fallback route when a VirtualService exists but no rule matches (404 NR)', () => {
    const { result } = run(`
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
  - match: [{ headers: { end-user: { exact: jason } } }]
    route: [{ destination: { host: reviews, subset: v2 } }]`);
    assert.equal(routesOf(result, REVIEWS).length, 1);
  });

  it('serves the default route, Istio-style, for a service without a VirtualService', () => {
    const { result } = run('');
    assert.deepEqual(routesOf(result, REVIEWS), [{
      name: 'default',
      match: { prefix: '/' },
      route: {
        cluster: 'outbound|9080||reviews.default.svc.cluster.local',
        timeout: { seconds: 0, nanos: 0 },
        max_stream_duration: { max_stream_duration: { seconds: 0, nanos: 0 }, grpc_timeout_header_max: { seconds: 0, nanos: 0 } },
        retry_policy: {
          retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
          num_retries: { value: 2 },
          retry_host_predicate: [{
            name: 'envoy.retry_host_predicates.previous_hosts',
            typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' },
          }],
          host_selection_retry_max_attempts: 5,
        },
      },
      metadata: { filter_metadata: { inboard: { fields: {
        port: { number_value: 9080 }, service: { string_value: 'reviews.default.svc.cluster.local' }, source: { string_value: 'default' },
      } } } },
    }]);
    const vhost = get(result.routes, REVIEWS).virtual_hosts[0];
    assert.equal(vhost.name, REVIEWS);
    assert.deepEqual(readInboardMetadata(vhost), { source: 'default', service: 'reviews.default.svc.cluster.local', port: 9080 });
  });

  it('evaluates sourceLabels and sourceNamespace against the proxy (and falls back to default routing when nothing applies)', () => {
    const yaml = `
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
  - match: [{ sourceLabels: { app: productpage, version: v1 } }]
    route: [{ destination: { host: reviews, subset: v2 } }]
  - match: [{ sourceNamespace: shop }]
    route: [{ destination: { host: reviews, subset: v3 } }]`;
    const fromProductpage = run(yaml, sidecar({ labels: { app: 'productpage', version: 'v1', extra: 'x' } }));
    assert.deepEqual(routesOf(fromProductpage.result, REVIEWS).map(clusterOf), ['outbound|9080|v2|reviews.default.svc.cluster.local']);
    const fromShop = run(yaml, sidecar({ namespace: 'shop', labels: { app: 'cart' } }));
    assert.deepEqual(routesOf(fromShop.result, REVIEWS).map(clusterOf), ['outbound|9080|v3|reviews.default.svc.cluster.local']);
    const fromElsewhere = run(yaml, sidecar({ labels: { app: 'ratings' } }));
    assert.deepEqual(routesOf(fromElsewhere.result, REVIEWS).map((r) => r.name), ['default']);
  });

  it('filters match blocks by port against the service port of the route table', () => {
    const google = entryService('www.googleapis.com', 'default', [
      { name: 'http', port: 80, protocol: 'HTTP' }, { name: 'http-alt', port: 8080, protocol: 'HTTP' },
    ], { resolution: 'DNS' });
    const config = sample('bookinfo/networking/egress-rule-google-apis.yaml');
    const result = translate({ config, registry: fakeRegistry([google]) }, sidecar());
    assert.deepEqual(routesOf(result, 'www.googleapis.com:80').map(clusterOf), ['outbound|443||www.googleapis.com']);
    assert.deepEqual(routesOf(result, 'www.googleapis.com:8080').map((r) => r.name), ['default']);
  });

  it('applies mesh VirtualServices only: gateways without mesh leave sidecars on default routing', () => {
    const yaml = (gateways: string) => `
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  gateways: ${gateways}
  http:
  - route: [{ destination: { host: reviews, subset: v1 } }]`;
    assert.equal(routesOf(run(yaml('[bookinfo-gateway]')).result, REVIEWS)[0]!.name, 'default');
    assert.equal(clusterOf(routesOf(run(yaml('[bookinfo-gateway, mesh]')).result, REVIEWS)[0]!), 'outbound|9080|v1|reviews.default.svc.cluster.local');
  });

  it('honours gateways inside a match block', () => {
    const { result } = run(`
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  gateways: [mesh, bookinfo-gateway]
  http:
  - match: [{ gateways: [bookinfo-gateway] }]
    route: [{ destination: { host: reviews, subset: v1 } }]
  - match: [{ gateways: [mesh], uri: { prefix: /mesh } }]
    route: [{ destination: { host: reviews, subset: v2 } }]`);
    assert.deepEqual(routesOf(result, REVIEWS).map(clusterOf), ['outbound|9080|v2|reviews.default.svc.cluster.local']);
  });

  it('resolves VirtualService hosts in the VirtualService namespace and honours exportTo', () => {
    const elsewhere = run(`
kind: VirtualService
metadata: { name: reviews, namespace: shop }
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews.default.svc.cluster.local, subset: v1 } }] }]`);
    assert.equal(routesOf(elsewhere.result, REVIEWS)[0]!.name, 'default');
    assert.ok(elsewhere.warnings.some((w) => w.includes('host reviews.shop.svc.cluster.local matches no service')));
    const privateVs = (exportTo: string) => run(`
kind: VirtualService
metadata: { name: reviews, namespace: shop }
spec:
  hosts: [reviews.default.svc.cluster.local]
  exportTo: ${exportTo}
  http: [{ route: [{ destination: { host: reviews.default.svc.cluster.local, subset: v1 } }] }]`);
    assert.equal(routesOf(privateVs('["."]').result, REVIEWS)[0]!.name, 'default');
    assert.equal(clusterOf(routesOf(privateVs('[default]').result, REVIEWS)[0]!), 'outbound|9080|v1|reviews.default.svc.cluster.local');
    assert.equal(clusterOf(routesOf(privateVs('["*"]').result, REVIEWS)[0]!), 'outbound|9080|v1|reviews.default.svc.cluster.local');
  });

  it('uses the oldest VirtualService when two claim one host, and flags the other (IST0109)', () => {
    const { result, warnings } = run(`
kind: VirtualService
metadata: { name: b-newer, creationTimestamp: '2026-02-01T00:00:00Z' }
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews, subset: v2 } }] }]
---
kind: VirtualService
metadata: { name: a-older, creationTimestamp: '2026-01-15T00:00:00Z' }
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews, subset: v1 } }] }]`);
    assert.equal(clusterOf(routesOf(result, REVIEWS)[0]!), 'outbound|9080|v1|reviews.default.svc.cluster.local');
    assert.ok(warnings.some((w) => w.startsWith('VirtualService/default/b-newer: host reviews.default.svc.cluster.local is also claimed by VirtualService/default/a-older')));
  });

  it('applies wildcard hosts to every matching service, an exact host winning over a wildcard', () => {
    const { result } = run(`
kind: VirtualService
metadata: { name: all }
spec:
  hosts: ['*.default.svc.cluster.local']
  http: [{ route: [{ destination: { host: details } }], timeout: 3s }]
---
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews, subset: v3 } }] }]`);
    assert.deepEqual(routesOf(result, 'ratings.default.svc.cluster.local:9080')[0]!.route.timeout, { seconds: 3, nanos: 0 });
    assert.equal(clusterOf(routesOf(result, REVIEWS)[0]!), 'outbound|9080|v3|reviews.default.svc.cluster.local');
  });

  it('flags what it cannot translate: delegate, tcp and tls routes', () => {
    const { result, warnings } = run(`
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  tcp: [{ route: [{ destination: { host: reviews } }] }]
  tls: [{ match: [{ sniHosts: [reviews] }], route: [{ destination: { host: reviews } }] }]
  http:
  - delegate: { name: reviews-delegate }
  - route: [{ destination: { host: reviews, subset: v1 } }]`);
    assert.equal(clusterOf(routesOf(result, REVIEWS)[0]!), 'outbound|9080|v1|reviews.default.svc.cluster.local');
    for (const text of ['delegate is not supported', 'tcp routes are not supported', 'tls routes are not supported']) {
      assert.ok(warnings.some((w) => w.includes(text)), text);
    }
  });

  it('lists every dial name as a virtual-host domain; short names only for the same namespace', () => {
    const { result } = run('', sidecar({ namespace: 'shop' }));
    assert.deepEqual(get(result.routes, REVIEWS).virtual_hosts[0].domains, [
      'reviews.default', 'reviews.default:9080', 'reviews.default.svc', 'reviews.default.svc:9080',
      'reviews.default.svc.cluster.local', 'reviews.default.svc.cluster.local:9080',
    ]);
  });
});

describe('translate/routes: proxyless gRPC clients', () => {
  const yaml = `
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
  - match: [{ queryParams: { debug: {} } }]
    route: [{ destination: { host: reviews, subset: v3 } }]
  - match: [{ uri: { prefix: /old } }]
    redirect: { uri: /new }
  - match: [{ headers: { '@request.auth.claims.group': { exact: admin } } }]
    route: [{ destination: { host: reviews, subset: v2 } }]
  - route: [{ destination: { host: reviews, subset: v1 } }]`;

  it('omits routes gRPC clients would NACK or mis-evaluate, and says so', () => {
    const { result, warnings } = run(yaml, grpcClient());
    assert.deepEqual(routesOf(result, REVIEWS).map(clusterOf), ['outbound|9080|v1|reviews.default.svc.cluster.local']);
    assert.ok(warnings.some((w) => w.includes('redirect is not supported by proxyless gRPC clients')));
    assert.ok(warnings.some((w) => w.includes('JWT claim matches are not evaluated by proxyless gRPC clients')));
  });

  it('keeps them for Envoy-semantics clients', () => {
    const { result } = run(yaml, sidecar());
    assert.equal(routesOf(result, REVIEWS).length, 4);
  });
});

describe('translate/routes: multi-port services', () => {
  it('builds one route table per HTTP port and none for TCP ports', () => {
    const registry = fakeRegistry([k8sService('api', 'default', [
      { name: 'http', port: 8080 }, { name: 'grpc', port: 9090, protocol: 'GRPC' }, { name: 'db', port: 5432, protocol: 'TCP' },
    ])]);
    const result = translate({ config: [], registry }, sidecar());
    assert.deepEqual([...result.routes.keys()], ['api.default.svc.cluster.local:8080', 'api.default.svc.cluster.local:9090']);
    assert.deepEqual([...result.clusters.keys()], [
      'outbound|5432||api.default.svc.cluster.local', 'outbound|8080||api.default.svc.cluster.local', 'outbound|9090||api.default.svc.cluster.local',
    ]);
  });
});

import assert from 'node:assert/strict';
import { translate } from './index';
import { readInboardMetadata } from './struct';
import { fakeRegistry, k8sService, parseConfig, routesOf, sidecar, warningLines } from './test-support';

const REVIEWS = 'reviews.default.svc.cluster.local:9080';
const DR = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
  - { name: v3, labels: { version: v3 } }
`;
const registry = fakeRegistry([
  k8sService('reviews', 'default', [{ name: 'http', port: 9080 }]),
  k8sService('ratings', 'default', [{ name: 'http', port: 9080 }]),
  k8sService('multi', 'default', [{ name: 'http-a', port: 8080 }, { name: 'http-b', port: 9090 }]),
]);

function reviewsRoutes(http: string, extraConfig = '') {
  const config = parseConfig(`${DR}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
${http}
${extraConfig}`);
  const result = translate({ config, registry }, sidecar());
  return { result, routes: routesOf(result, REVIEWS), warnings: warningLines(result) };
}

describe('translate/route-action', () => {
  it('splits by weight into weighted_clusters (sum 100: no total_weight)', () => {
    const { routes, warnings } = reviewsRoutes(`
  - route:
    - { destination: { host: reviews, subset: v1 }, weight: 80 }
    - { destination: { host: reviews, subset: v2 }, weight: 20 }`);
    assert.deepEqual(routes[0]!.route.weighted_clusters, {
      clusters: [
        { name: 'outbound|9080|v1|reviews.default.svc.cluster.local', weight: { value: 80 } },
        { name: 'outbound|9080|v2|reviews.default.svc.cluster.local', weight: { value: 20 } },
      ],
    });
    assert.deepEqual(warnings, []);
  });

  it('keeps relative weights, drops weight-0 destinations and states total_weight when the sum is not 100', () => {
    const { routes } = reviewsRoutes(`
  - route:
    - { destination: { host: reviews, subset: v1 }, weight: 1 }
    - { destination: { host: reviews, subset: v2 }, weight: 0 }
    - { destination: { host: reviews, subset: v3 }, weight: 2 }`);
    assert.deepEqual(routes[0]!.route.weighted_clusters, {
      clusters: [
        { name: 'outbound|9080|v1|reviews.default.svc.cluster.local', weight: { value: 1 } },
        { name: 'outbound|9080|v3|reviews.default.svc.cluster.local', weight: { value: 2 } },
      ],
      total_weight: { value: 3 },
    });
  });

  it('routes a single destination to one cluster whatever its weight, with no timeout by default', () => {
    const { routes } = reviewsRoutes(`
  - route:
    - { destination: { host: reviews, subset: v3 }, weight: 10 }`);
    const action = routes[0]!.route;
    assert.equal(action.cluster, 'outbound|9080|v3|reviews.default.svc.cluster.local');
    assert.equal(action.weighted_clusters, undefined);
    assert.deepEqual(action.timeout, { seconds: 0, nanos: 0 });
    assert.deepEqual(action.max_stream_duration, { max_stream_duration: { seconds: 0, nanos: 0 }, grpc_timeout_header_max: { seconds: 0, nanos: 0 } });
  });

  it('takes the destination port from the destination, else the only port, else the listener port', () => {
    const { routes } = reviewsRoutes(`
  - match: [{ headers: { a: { exact: '1' } } }]
    route: [{ destination: { host: multi, port: { number: 9090 } } }]
  - match: [{ headers: { b: { exact: '1' } } }]
    route: [{ destination: { host: ratings } }]
  - route: [{ destination: { host: multi } }]`);
    assert.equal(routes[0]!.route.cluster, 'outbound|9090||multi.default.svc.cluster.local');
    assert.equal(routes[1]!.route.cluster, 'outbound|9080||ratings.default.svc.cluster.local');
    assert.equal(routes[2]!.route.cluster, 'outbound|9080||multi.default.svc.cluster.local');
  });

  it('still references unknown hosts, ports and subsets, and warns (the client answers 503 NC)', () => {
    const { routes, warnings } = reviewsRoutes(`
  - match: [{ headers: { a: { exact: '1' } } }]
    route: [{ destination: { host: nowhere } }]
  - match: [{ headers: { b: { exact: '1' } } }]
    route: [{ destination: { host: reviews, subset: v9 } }]
  - route: [{ destination: { host: multi } }]`);
    assert.equal(routes[0]!.route.cluster, 'outbound|9080||nowhere.default.svc.cluster.local');
    assert.equal(routes[1]!.route.cluster, 'outbound|9080|v9|reviews.default.svc.cluster.local');
    assert.ok(warnings.some((w) => w.startsWith('VirtualService/default/reviews: destination host nowhere.default.svc.cluster.local is not a service')));
    assert.ok(warnings.some((w) => w.includes('subset "v9" of reviews.default.svc.cluster.local is not defined')));
    assert.ok(warnings.some((w) => w.includes('destination port 9080 is not a port of multi.default.svc.cluster.local')));
  });

  it('sets the route timeout and the gRPC max_stream_duration from timeout', () => {
    const { routes } = reviewsRoutes(`
  - route: [{ destination: { host: reviews, subset: v2 } }]
    timeout: 0.5s`);
    const d = { seconds: 0, nanos: 500_000_000 };
    assert.deepEqual(routes[0]!.route.timeout, d);
    assert.deepEqual(routes[0]!.route.max_stream_duration, { max_stream_duration: d, grpc_timeout_header_max: d });
  });

  it('rewrites the path prefix, the path by regex, and the authority', () => {
    const { routes } = reviewsRoutes(`
  - match: [{ uri: { prefix: /old } }]
    rewrite: { uri: /new, authority: reviews.internal }
    route: [{ destination: { host: reviews } }]
  - match: [{ uri: { exact: /exact } }]
    rewrite: { uri: /replaced }
    route: [{ destination: { host: reviews } }]
  - rewrite: { uriRegexRewrite: { match: '^/service/([^/]+)(/.*)$', rewrite: '\\2/instance/\\1' } }
    route: [{ destination: { host: reviews } }]`);
    assert.equal(routes[0]!.route.prefix_rewrite, '/new');
    assert.equal(routes[0]!.route.host_rewrite_literal, 'reviews.internal');
    // An exact match is rewritten by prefix_rewrite too: the whole path is the matched prefix.
    assert.deepEqual(routes[1]!.match, { path: '/exact' });
    assert.equal(routes[1]!.route.prefix_rewrite, '/replaced');
    assert.deepEqual(routes[2]!.route.regex_rewrite, { pattern: { regex: '^/service/([^/]+)(/.*)$' }, substitution: '\\2/instance/\\1' });
  });

  it('applies route-level and destination-level header operations', () => {
    const { routes } = reviewsRoutes(`
  - match: [{ headers: { single: {} } }]
    headers:
      request: { set: { x-b: '2', x-a: '1' }, add: { x-c: '3' }, remove: [x-drop, ':path'] }
      response: { set: { x-resp: 'yes' }, remove: [server] }
    route:
    - destination: { host: reviews, subset: v1 }
      headers: { request: { set: { x-dest: d } } }
  - headers:
      request: { set: { ':authority': new.host } }
    route:
    - destination: { host: reviews, subset: v1 }
      weight: 50
      headers: { request: { add: { x-v1: '1' } }, response: { remove: [x-v1-only] } }
    - destination: { host: reviews, subset: v2 }
      weight: 50`);
    const single = routes[0]!;
    assert.deepEqual(single.request_headers_to_add, [
      { header: { key: 'x-a', value: '1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-b', value: '2' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-c', value: '3' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-dest', value: 'd' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ]);
    assert.deepEqual(single.request_headers_to_remove, ['x-drop']);
    assert.deepEqual(single.response_headers_to_add, [{ header: { key: 'x-resp', value: 'yes' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
    assert.deepEqual(single.response_headers_to_remove, ['server']);
    const weighted = routes[1]!;
    assert.equal(weighted.route.host_rewrite_literal, 'new.host');
    assert.equal(weighted.request_headers_to_add, undefined);
    assert.deepEqual(weighted.route.weighted_clusters.clusters[0], {
      name: 'outbound|9080|v1|reviews.default.svc.cluster.local',
      weight: { value: 50 },
      request_headers_to_add: [{ header: { key: 'x-v1', value: '1' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' }],
      response_headers_to_remove: ['x-v1-only'],
    });
  });

  it('mirrors with mirrorPercentage, 100 % when unset, none when 0, and each of mirrors', () => {
    const { routes } = reviewsRoutes(`
  - match: [{ headers: { a: {} } }]
    route: [{ destination: { host: reviews, subset: v1 } }]
    mirror: { host: reviews, subset: v2 }
    mirrorPercentage: { value: 25.5 }
  - match: [{ headers: { b: {} } }]
    route: [{ destination: { host: reviews, subset: v1 } }]
    mirror: { host: reviews, subset: v2 }
  - match: [{ headers: { c: {} } }]
    route: [{ destination: { host: reviews, subset: v1 } }]
    mirror: { host: reviews, subset: v2 }
    mirrorPercentage: { value: 0 }
  - route: [{ destination: { host: reviews, subset: v1 } }]
    mirrors:
    - { destination: { host: reviews, subset: v2 }, percentage: { value: 10 } }
    - { destination: { host: ratings } }`);
    const mirror = (cluster: string, numerator: number, denominator: string) =>
      ({ cluster, runtime_fraction: { default_value: { numerator, denominator } }, trace_sampled: { value: false } });
    const v2 = 'outbound|9080|v2|reviews.default.svc.cluster.local';
    assert.deepEqual(routes[0]!.route.request_mirror_policies, [mirror(v2, 255_000, 'MILLION')]);
    assert.deepEqual(routes[1]!.route.request_mirror_policies, [mirror(v2, 100, 'HUNDRED')]);
    assert.equal(routes[2]!.route.request_mirror_policies, undefined);
    assert.deepEqual(routes[3]!.route.request_mirror_policies, [
      mirror(v2, 100_000, 'MILLION'), mirror('outbound|9080||ratings.default.svc.cluster.local', 100, 'HUNDRED'),
    ]);
  });

  it('translates redirects and direct responses', () => {
    const { routes, warnings } = reviewsRoutes(`
  - match: [{ uri: { exact: /old } }]
    redirect: { uri: /new, authority: other.example.com, redirectCode: 302 }
  - match: [{ uri: { exact: /https } }]
    redirect: { scheme: https, port: 443 }
  - match: [{ uri: { exact: /derive } }]
    redirect: { uri: /d, derivePort: FROM_REQUEST_PORT }
  - match: [{ uri: { exact: /teapot } }]
    redirect: { uri: /t, redirectCode: 418 }
  - match: [{ uri: { exact: /health } }]
    directResponse: { status: 200, body: { string: ok } }
  - directResponse: { status: 503 }`);
    assert.deepEqual(routes[0]!.redirect, { host_redirect: 'other.example.com', path_redirect: '/new', response_code: 'FOUND' });
    assert.deepEqual(routes[1]!.redirect, { scheme_redirect: 'https', response_code: 'MOVED_PERMANENTLY' });
    assert.deepEqual(routes[2]!.redirect, { path_redirect: '/d', port_redirect: 9080, response_code: 'MOVED_PERMANENTLY' });
    assert.deepEqual(routes[3]!.direct_response, { status: 200, body: { inline_string: 'ok' } }); // the 418 redirect is dropped
    assert.deepEqual(routes[4]!.direct_response, { status: 503 });
    assert.ok(warnings.some((w) => w.includes('redirectCode 418')));
  });

  it('adds consistent-hash policies from the DestinationRule and keeps retries on the hashed host', () => {
    const { routes } = reviewsRoutes(`
  - route: [{ destination: { host: ratings } }]`, `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ratings }
spec:
  host: ratings
  trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: x-user } } }`);
    assert.deepEqual(routes[0]!.route.hash_policy, [{ header: { header_name: 'x-user' } }]);
    assert.equal(routes[0]!.route.retry_policy.retry_host_predicate, undefined);
  });
});

describe('translate/route-action metadata', () => {
  it('records source VirtualService, rule index and match index on every route', () => {
    const { routes } = reviewsRoutes(`
  - name: canary
    match: [{ name: jason, headers: { end-user: { exact: jason } } }, { headers: { end-user: { exact: bob } } }]
    fault: { abort: { httpStatus: 500, percentage: { value: 100 } } }
    corsPolicy: { allowOrigins: [{ exact: 'https://a' }] }
    route: [{ destination: { host: reviews, subset: v1 } }]
  - route: [{ destination: { host: reviews, subset: v2 } }]`);
    assert.deepEqual(routes.map((r) => r.name), ['canary.jason', 'canary.match[1]', 'default/reviews[1]']);
    assert.deepEqual(readInboardMetadata(routes[0]), { source: 'VirtualService/default/reviews', http_route: 0, match: 0, route_name: 'canary', match_name: 'jason' });
    assert.deepEqual(readInboardMetadata(routes[2]), { source: 'VirtualService/default/reviews', http_route: 1 });
    assert.deepEqual(Object.keys(routes[0]!.typed_per_filter_config).sort(), ['envoy.filters.http.cors', 'envoy.filters.http.fault']);
    assert.deepEqual(routes[1]!.typed_per_filter_config, routes[0]!.typed_per_filter_config);
  });
});

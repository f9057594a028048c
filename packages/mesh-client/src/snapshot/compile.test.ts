// compileSnapshot: BookInfo compiles; invalid resources give precise errors and keep their last
// good version; unchanged resources are reused by identity; notes; deep immutability.

import assert from 'node:assert/strict';
import { compileSnapshot, type XdsResources } from './compile';
import { upstreamTlsFor } from './compile-upstream-tls';
import { notesFor, routeTableForListener } from './lookup';
import { apiListener, assignment, bookinfoResources, edsCluster, TYPE } from './test-resources';
import type { ResourceFamily } from './types';

type Json = Record<string, unknown>;

const empty = (): { listeners: Map<string, unknown>; routes: Map<string, unknown>; clusters: Map<string, unknown>; endpoints: Map<string, unknown> } =>
  ({ listeners: new Map(), routes: new Map(), clusters: new Map(), endpoints: new Map() });

function one(family: ResourceFamily, name: string, resource: Json) {
  const res = empty();
  res[family].set(name, resource);
  return compileSnapshot(res);
}

function routeConfig(route: Json, vhost: Json = {}, config: Json = {}): Json {
  return { name: 'rc', virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [route], ...vhost }], ...config };
}

describe('compileSnapshot: BookInfo', () => {
  const { snapshot, errors } = compileSnapshot(bookinfoResources());

  it('compiles without errors', () => {
    assert.deepEqual(errors, []);
    assert.equal(snapshot.listeners.size, 4);
    assert.equal(snapshot.routeTables.size, 4);
    assert.equal(snapshot.clusters.size, 10);
  });

  it('listeners name their RDS route configuration', () => {
    assert.equal(snapshot.listeners.get('reviews.default.svc.cluster.local:9080')?.routeConfigName, 'reviews.default.svc.cluster.local:9080');
    assert.equal(snapshot.listeners.get('reviews.default.svc.cluster.local:9080')?.http?.httpFilters.map((f) => f.name).join(','), 'envoy.filters.http.fault,envoy.filters.http.router');
  });

  it('routeTableForListener follows RDS', () => {
    assert.equal(routeTableForListener(snapshot, 'details.default.svc.cluster.local:9080'), snapshot.routeTables.get('details.default.svc.cluster.local:9080'));
    assert.equal(routeTableForListener(snapshot, 'nope'), undefined);
  });

  it('clusters carry Envoy defaults and the LB policy', () => {
    const c = snapshot.clusters.get('outbound|9080|v1|reviews.default.svc.cluster.local')!;
    assert.equal(c.lbPolicy, 'LEAST_REQUEST');
    assert.deepEqual(c.leastRequest, { choiceCount: 2, activeRequestBias: 1 });
    assert.equal(c.connectTimeoutMs, 10_000);
    assert.equal(c.panicThresholdPercent, 50);
    assert.deepEqual(c.circuitBreakers.default, { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 });
  });

  it('endpoints are found by cluster name through the EDS service name', () => {
    const eps = snapshot.endpoints.get('outbound|9080||reviews.default.svc.cluster.local')!;
    assert.equal(eps.endpoints.length, 3);
    assert.deepEqual(eps.endpoints.map((e) => e.key), ['10.0.0.12:9080', '10.0.0.13:9080', '10.0.0.14:9080']);
    assert.equal(eps.endpoints[0]!.health, 'HEALTHY');
  });

  it('route metadata gives the VirtualService and rule index', () => {
    const table = snapshot.routeTables.get('reviews.default.svc.cluster.local:9080')!;
    assert.deepEqual(table.virtualHosts[0]!.routes[1]!.source, { virtualService: 'default/reviews', routeIndex: 1 });
  });

  it('is deeply frozen', () => {
    assert.ok(Object.isFrozen(snapshot));
    const table = snapshot.routeTables.get('reviews.default.svc.cluster.local:9080')!;
    assert.ok(Object.isFrozen(table.virtualHosts[0]!.routes[0]!.match.headers[0]));
    assert.equal(Reflect.set(table, 'name', 'x'), false);
    assert.equal(Reflect.set(snapshot.clusters.get('outbound|9080|v1|reviews.default.svc.cluster.local')!.ringHash, 'minRingSize', 1), false);
    assert.equal(Reflect.set(snapshot.endpoints.get('outbound|9080||reviews.default.svc.cluster.local')!.endpoints[0]!, 'weight', 9), false);
  });

  it('has a content version: same input → same version', () => {
    assert.match(snapshot.version, /^[0-9a-f]{16}$/);
    assert.equal(compileSnapshot(bookinfoResources()).snapshot.version, snapshot.version);
  });
});

describe('compileSnapshot: reuse and last good version', () => {
  it('unchanged resources keep their compiled objects (same object or same content)', () => {
    const res = bookinfoResources();
    const first = compileSnapshot(res).snapshot;
    const second = compileSnapshot(res, first).snapshot;
    assert.equal(second.routeTables.get('reviews.default.svc.cluster.local:9080'), first.routeTables.get('reviews.default.svc.cluster.local:9080'));
    const fresh = bookinfoResources(); // new objects, same content (as a SotW push decodes)
    const third = compileSnapshot(fresh, second).snapshot;
    assert.equal(third.clusters.get('outbound|9080|v1|reviews.default.svc.cluster.local'), first.clusters.get('outbound|9080|v1|reviews.default.svc.cluster.local'));
    assert.equal(third.version, first.version);
  });

  it('a changed resource is recompiled and changes the version; the others are reused', () => {
    const res = bookinfoResources();
    const first = compileSnapshot(res).snapshot;
    const changed = { ...res, clusters: new Map(res.clusters) };
    changed.clusters.set('outbound|9080|v1|reviews.default.svc.cluster.local', edsCluster('outbound|9080|v1|reviews.default.svc.cluster.local', { lb_policy: 'ROUND_ROBIN' }));
    const second = compileSnapshot(changed, first).snapshot;
    assert.notEqual(second.version, first.version);
    assert.equal(second.clusters.get('outbound|9080|v1|reviews.default.svc.cluster.local')?.lbPolicy, 'ROUND_ROBIN');
    assert.equal(second.routeTables.get('ratings.default.svc.cluster.local:9080'), first.routeTables.get('ratings.default.svc.cluster.local:9080'));
  });

  it('an invalid update is reported and the previous version stays in force', () => {
    const res = bookinfoResources();
    const first = compileSnapshot(res).snapshot;
    const bad: XdsResources = { ...res, routes: new Map(res.routes).set('ratings.default.svc.cluster.local:9080', routeConfig({ match: { safe_regex: { regex: '(' } }, route: { cluster: 'c' } })) };
    const { snapshot, errors } = compileSnapshot(bad, first);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.family, 'routes');
    assert.equal(errors[0]!.typeUrl, 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration');
    assert.equal(errors[0]!.name, 'ratings.default.svc.cluster.local:9080');
    assert.equal(snapshot.routeTables.get('ratings.default.svc.cluster.local:9080'), first.routeTables.get('ratings.default.svc.cluster.local:9080'));
  });

  it('an invalid new resource (no previous version) is left out', () => {
    const { snapshot, errors } = one('clusters', 'c', { name: 'c', lb_policy: 'NOPE' });
    assert.equal(errors.length, 1);
    assert.equal(snapshot.clusters.has('c'), false);
  });

  it('a resource whose name differs from its key is rejected', () => {
    const { errors } = one('clusters', 'a', edsCluster('b'));
    assert.match(errors[0]!.message, /resource name "b" does not match its key "a"/);
  });
});

// [description, family, resource, expected path, message fragment]
const INVALID: readonly [string, ResourceFamily, Json, string, RegExp][] = [
  ['regex syntax', 'routes', routeConfig({ match: { safe_regex: { regex: '(' } }, route: { cluster: 'c' } }), 'virtual_hosts[0].routes[0].match.safe_regex.regex', /invalid RE2 regex "\(": .*missing closing \)/],
  ['regex program too large (Envoy limit 100)', 'routes', routeConfig({ match: { safe_regex: { regex: 'a{1000}' } }, route: { cluster: 'c' } }), 'virtual_hosts[0].routes[0].match.safe_regex.regex', /program size of \d+ > max program size of 100/],
  ['header regex', 'routes', routeConfig({ match: { prefix: '/', headers: [{ name: 'x', string_match: { safe_regex: { regex: '[' } } }] }, route: { cluster: 'c' } }), 'virtual_hosts[0].routes[0].match.headers[0].string_match.safe_regex.regex', /invalid RE2/],
  ['header matcher without name', 'routes', routeConfig({ match: { prefix: '/', headers: [{ string_match: { exact: 'a' } }] }, route: { cluster: 'c' } }), 'virtual_hosts[0].routes[0].match.headers[0].name', /needs a name/],
  ['empty prefix string matcher', 'routes', routeConfig({ match: { prefix: '/', headers: [{ name: 'x', string_match: { prefix: '' } }] }, route: { cluster: 'c' } }), 'virtual_hosts[0].routes[0].match.headers[0].string_match.prefix', /must not be empty/],
  ['no path specifier', 'routes', routeConfig({ match: { headers: [] }, route: { cluster: 'c' } }), 'virtual_hosts[0].routes[0].match', /needs a path specifier/],
  ['bad path_separated_prefix', 'routes', routeConfig({ match: { path_separated_prefix: '/api/' }, route: { cluster: 'c' } }), 'virtual_hosts[0].routes[0].match.path_separated_prefix', /must not .* end in '\/'/],
  ['no action', 'routes', routeConfig({ match: { prefix: '/' } }), 'virtual_hosts[0].routes[0]', /route needs an action/],
  ['route action without cluster', 'routes', routeConfig({ match: { prefix: '/' }, route: { timeout: {} } }), 'virtual_hosts[0].routes[0].route', /needs cluster, cluster_header or weighted_clusters/],
  ['weights summing to 0', 'routes', routeConfig({ match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: 'a', weight: { value: 0 } }, { name: 'b' }] } } }), 'virtual_hosts[0].routes[0].route.weighted_clusters.clusters', /Sum of weights in the weighted_cluster must be greater than 0/],
  ['weighted cluster without name', 'routes', routeConfig({ match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ weight: { value: 1 } }] } } }), 'virtual_hosts[0].routes[0].route.weighted_clusters.clusters[0]', /needs a name or a cluster_header/],
  ['prefix_rewrite and regex_rewrite', 'routes', routeConfig({ match: { prefix: '/' }, route: { cluster: 'c', prefix_rewrite: '/x', regex_rewrite: { pattern: { regex: 'a' }, substitution: 'b' } } }), 'virtual_hosts[0].routes[0].route', /Cannot specify both prefix_rewrite and regex_rewrite/],
  ['substitution group out of range', 'routes', routeConfig({ match: { prefix: '/' }, route: { cluster: 'c', regex_rewrite: { pattern: { regex: '(a)' }, substitution: '\\2' } } }), 'virtual_hosts[0].routes[0].route.regex_rewrite.substitution', /refers to group \\2 but the pattern has 1 group/],
  ['direct response status out of range', 'routes', routeConfig({ match: { prefix: '/' }, direct_response: { status: 700 } }), 'virtual_hosts[0].routes[0].direct_response.status', /within \[200, 600\)/],
  ['direct response body too large', 'routes', routeConfig({ match: { prefix: '/' }, direct_response: { status: 200, body: { inline_string: 'x'.repeat(5000) } } }), 'virtual_hosts[0].routes[0].direct_response.body', /maximum is 4096/],
  ['modifying :path via request_headers_to_add', 'routes', routeConfig({ match: { prefix: '/' }, route: { cluster: 'c' }, request_headers_to_add: [{ header: { key: ':path', value: '/x' } }] }), 'virtual_hosts[0].routes[0].request_headers_to_add[0].header.key', /may not be modified/],
  ['removing host', 'routes', routeConfig({ match: { prefix: '/' }, route: { cluster: 'c' }, request_headers_to_remove: ['Host'] }), 'virtual_hosts[0].routes[0].request_headers_to_remove[0]', /may not be removed/],
  ['append and append_action together', 'routes', routeConfig({ match: { prefix: '/' }, route: { cluster: 'c' }, request_headers_to_add: [{ header: { key: 'x', value: 'y' }, append: { value: true }, append_action: 'ADD_IF_ABSENT' }] }), 'virtual_hosts[0].routes[0].request_headers_to_add[0]', /Both append and append_action/],
  ['un-terminated % in a header value', 'routes', routeConfig({ match: { prefix: '/' }, route: { cluster: 'c' }, response_headers_to_add: [{ header: { key: 'x', value: '50%' } }] }), 'virtual_hosts[0].routes[0].response_headers_to_add[0].header.value', /Un-terminated variable expression/],
  ['retry back-off max below base', 'routes', routeConfig({ match: { prefix: '/' }, route: { cluster: 'c', retry_policy: { retry_back_off: { base_interval: { seconds: 1 }, max_interval: { nanos: 1000000 } } } } }), 'virtual_hosts[0].routes[0].route.retry_policy.retry_back_off.max_interval', /must be ≥ base_interval/],
  ['duplicate domain across virtual hosts', 'routes', { name: 'rc', virtual_hosts: [{ name: 'a', domains: ['x'], routes: [] }, { name: 'b', domains: ['X'], routes: [] }] }, 'virtual_hosts', /Only unique values for domains are permitted. Duplicate entry of domain x in route rc/],
  ['two "*" virtual hosts', 'routes', { name: 'rc', virtual_hosts: [{ name: 'a', domains: ['*'], routes: [] }, { name: 'b', domains: ['*'], routes: [] }] }, 'virtual_hosts', /Duplicate entry of domain \*/],
  ['virtual host without domains', 'routes', { name: 'rc', virtual_hosts: [{ name: 'a', domains: [], routes: [] }] }, 'virtual_hosts[0].domains', /at least one domain/],
  ['VHDS', 'routes', { name: 'rc', vhds: { config_source: { ads: {} } } }, 'vhds', /VHDS .* not supported/],
  ['negative Duration', 'routes', routeConfig({ match: { prefix: '/' }, route: { cluster: 'c', timeout: { seconds: '-1' } } }), 'virtual_hosts[0].routes[0].route.timeout', /must not be negative/],
  ['unknown lb_policy', 'clusters', edsCluster('c', { lb_policy: 'FASTEST' }), 'lb_policy', /unknown enum value "FASTEST"/],
  ['ring sizes reversed', 'clusters', edsCluster('c', { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: '4096' }, maximum_ring_size: { value: '1024' } } }), 'ring_hash_lb_config', /minimum_ring_size \(4096\) > maximum_ring_size \(1024\)/],
  ['ring larger than 8M', 'clusters', edsCluster('c', { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: '9000000' } } }), 'ring_hash_lb_config.minimum_ring_size', /must be ≤ 8388608/],
  ['MURMUR_HASH_2', 'clusters', edsCluster('c', { lb_policy: 'RING_HASH', ring_hash_lb_config: { hash_function: 'MURMUR_HASH_2' } }), 'ring_hash_lb_config.hash_function', /MURMUR_HASH_2 is not supported/],
  ['choice_count 1', 'clusters', edsCluster('c', { least_request_lb_config: { choice_count: { value: 1 } } }), 'least_request_lb_config.choice_count', /must be ≥ 2/],
  ['no supported load_balancing_policy', 'clusters', { name: 'c', type: 'EDS', load_balancing_policy: { policies: [{ typed_extension_config: { name: 'x', typed_config: { '@type': 'type.googleapis.com/custom.Policy' } } }] } }, 'load_balancing_policy', /none of the load_balancing_policy policies is supported/],
  ['custom cluster type', 'clusters', { name: 'c', cluster_type: { name: 'envoy.clusters.dynamic_forward_proxy', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.clusters.dynamic_forward_proxy.v3.ClusterConfig' } } }, 'cluster_type', /not supported/],
  ['outlier percentage above 100', 'clusters', edsCluster('c', { outlier_detection: { max_ejection_percent: { value: 150 } } }), 'outlier_detection.max_ejection_percent', /must be ≤ 100/],
  ['panic threshold above 100', 'clusters', edsCluster('c', { common_lb_config: { healthy_panic_threshold: { value: 120 } } }), 'common_lb_config.healthy_panic_threshold.value', /within \[0, 100\]/],
  ['unknown transport socket', 'clusters', edsCluster('c', { transport_socket: { name: 'alts', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.alts.v3.Alts' } } }), 'transport_socket.typed_config', /not supported/],
  ['endpoint without port', 'endpoints', { cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1' } } } }] }] }, 'endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value', /port_value is required/],
  ['endpoint weight 0', 'endpoints', { cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 80 } } }, load_balancing_weight: {} }] }] }, 'endpoints[0].lb_endpoints[0].load_balancing_weight', /must be ≥ 1/],
  ['pipe address', 'endpoints', { cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path: '/tmp/s' } } } }] }] }, 'endpoints[0].lb_endpoints[0].endpoint.address', /only socket_address is supported/],
  ['named endpoint', 'endpoints', { cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint_name: 'x' }] }] }, 'endpoints[0].lb_endpoints[0].endpoint_name', /named endpoints are not supported/],
  ['HCM without routes', 'listeners', { name: 'l', api_listener: { api_listener: { '@type': TYPE.HCM, http_filters: [{ name: 'router', typed_config: { '@type': TYPE.ROUTER } }] } } }, 'api_listener.api_listener', /needs rds or route_config/],
  ['api_listener of another type', 'listeners', { name: 'l', api_listener: { api_listener: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy' } } }, 'api_listener.api_listener', /must hold an HttpConnectionManager/],
  ['router not last', 'listeners', { name: 'l', api_listener: { api_listener: { '@type': TYPE.HCM, rds: { route_config_name: 'r' }, http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': TYPE.ROUTER } }, { name: 'f', typed_config: { '@type': TYPE.FAULT } }] } } }, 'api_listener.api_listener.http_filters[0]', /must be the last filter/],
  ['scoped routes', 'listeners', { name: 'l', api_listener: { api_listener: { '@type': TYPE.HCM, scoped_routes: { name: 's' } } } }, 'api_listener.api_listener.scoped_routes', /not supported/],
  ['ECDS filter', 'listeners', { name: 'l', api_listener: { api_listener: { '@type': TYPE.HCM, rds: { route_config_name: 'r' }, http_filters: [{ name: 'x', config_discovery: { config_source: {} } }, { name: 'envoy.filters.http.router', typed_config: { '@type': TYPE.ROUTER } }] } } }, 'api_listener.api_listener.http_filters[0].config_discovery', /ECDS/],
  ['inline route_config error is located', 'listeners', { name: 'l', api_listener: { api_listener: { '@type': TYPE.HCM, route_config: routeConfig({ match: {}, route: { cluster: 'c' } }), http_filters: [] } } }, 'api_listener.api_listener.route_config.virtual_hosts[0].routes[0].match', /needs a path specifier/],
];

describe('compileSnapshot: invalid resources name the field at fault', () => {
  for (const [description, family, resource, path, message] of INVALID) {
    it(`${family}: ${description}`, () => {
      const name = String(resource['name'] ?? resource['cluster_name']);
      const { errors } = one(family, name, resource);
      assert.equal(errors.length, 1, 'one resource error');
      const problem = errors[0]!.problems.find((p) => p.path === path);
      assert.ok(problem, `no problem at ${path}; got ${errors[0]!.message}`);
      assert.match(problem.message, message);
      assert.ok(errors[0]!.message.includes(`${path}: `));
    });
  }
});

describe('compileSnapshot: not honoured config is noted, never silently ignored', () => {
  it('unknown route fields, rate limits, CORS and hedging appear as notes with their path', () => {
    const { snapshot, errors } = one('routes', 'rc', routeConfig(
      { match: { prefix: '/' }, route: { cluster: 'c', rate_limits: [{ actions: [{}] }], hedge_policy: { hedge_on_per_try_timeout: true } } },
      { cors: { allow_methods: 'GET' } },
    ));
    assert.deepEqual(errors, []);
    const paths = snapshot.notes.map((n) => n.path);
    assert.ok(paths.includes('virtual_hosts[0].routes[0].route.rate_limits'));
    assert.ok(paths.includes('virtual_hosts[0].routes[0].route.hedge_policy'));
    assert.ok(paths.includes('virtual_hosts[0].cors'));
    assert.ok(snapshot.notes.every((n) => n.family === 'routes' && n.name === 'rc'));
    assert.equal(notesFor(snapshot, 'routes', 'rc').length, snapshot.notes.length);
  });

  it('harmless fields (stat_prefix, validate_clusters) and default values make no notes', () => {
    const { snapshot } = one('routes', 'rc', { ...routeConfig({ match: { prefix: '/', case_sensitive: { value: true } }, route: { cluster: 'c' }, stat_prefix: 's' }), validate_clusters: { value: false }, most_specific_header_mutations_wins: false });
    assert.deepEqual(snapshot.notes, []);
  });

  it('unknown HTTP filters and runtime keys are noted', () => {
    const listener = apiListener('l', 'r') as { api_listener: { api_listener: { http_filters: unknown[] } } };
    listener.api_listener.api_listener.http_filters.unshift({ name: 'envoy.filters.http.cors', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' } });
    const { snapshot } = one('listeners', 'l', listener as unknown as Json);
    assert.ok(snapshot.notes.some((n) => /envoy.filters.http.cors .* not honoured/.test(n.message)));
    const rt = one('routes', 'rc', routeConfig({ match: { prefix: '/', runtime_fraction: { default_value: { numerator: 50 }, runtime_key: 'routing.canary' } }, route: { cluster: 'c' } }));
    assert.ok(rt.snapshot.notes.some((n) => n.path === 'virtual_hosts[0].routes[0].match.runtime_fraction.runtime_key'));
  });
});

describe('compileSnapshot: clusters, endpoints and listeners in detail', () => {
  it('ring hash, locality weighting and panic threshold', () => {
    const { snapshot, errors } = one('clusters', 'c', edsCluster('c', {
      lb_policy: 'RING_HASH',
      ring_hash_lb_config: { minimum_ring_size: { value: '2048' } },
      common_lb_config: { healthy_panic_threshold: { value: 0 }, locality_weighted_lb_config: {} },
    }));
    assert.deepEqual(errors, []);
    const c = snapshot.clusters.get('c')!;
    assert.deepEqual([c.lbPolicy, c.ringHash.minRingSize, c.ringHash.maxRingSize, c.panicThresholdPercent, c.localityWeighted], ['RING_HASH', 2048, 8_388_608, 0, true]);
  });

  it('load_balancing_policy: wrr_locality wrapping least_request (gRPC style)', () => {
    const policy = { policies: [{ typed_extension_config: { name: 'wrr', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality', endpoint_picking_policy: { policies: [
      { typed_extension_config: { name: 'x', typed_config: { '@type': 'type.googleapis.com/unknown.Policy' } } },
      { typed_extension_config: { name: 'lr', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest', choice_count: { value: 3 }, active_request_bias: { default_value: 0.5 } } } },
    ] } } } }] };
    const { snapshot, errors } = one('clusters', 'c', { name: 'c', type: 'EDS', load_balancing_policy: policy });
    assert.deepEqual(errors, []);
    const c = snapshot.clusters.get('c')!;
    assert.deepEqual([c.lbPolicy, c.localityWeighted, c.leastRequest.choiceCount, c.leastRequest.activeRequestBias], ['LEAST_REQUEST', true, 3, 0.5]);
  });

  it('circuit breakers, outlier detection defaults, HTTP/2 and connection settings', () => {
    const { snapshot, errors } = one('clusters', 'c', edsCluster('c', {
      circuit_breakers: { thresholds: [{ max_connections: { value: 1 }, max_pending_requests: { value: 1 }, max_requests: { value: 5 } }, { priority: 'HIGH', max_retries: { value: 10 } }] },
      outlier_detection: { consecutive_5xx: { value: 1 }, interval: { seconds: 1 }, base_ejection_time: { seconds: 180 }, max_ejection_percent: { value: 100 } },
      typed_extension_protocol_options: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': TYPE.HTTP_PROTOCOL_OPTIONS, explicit_http_config: { http2_protocol_options: {} }, common_http_protocol_options: { max_requests_per_connection: { value: 1 }, idle_timeout: { seconds: 3600 } } } },
    }));
    assert.deepEqual(errors, []);
    const c = snapshot.clusters.get('c')!;
    assert.deepEqual(c.circuitBreakers.default, { maxConnections: 1, maxPendingRequests: 1, maxRequests: 5, maxRetries: 3 });
    assert.equal(c.circuitBreakers.high.maxRetries, 10);
    assert.deepEqual([c.outlierDetection?.consecutive5xx, c.outlierDetection?.intervalMs, c.outlierDetection?.baseEjectionTimeMs, c.outlierDetection?.maxEjectionPercent, c.outlierDetection?.maxEjectionTimeMs, c.outlierDetection?.enforcingConsecutiveGatewayFailure], [1, 1000, 180_000, 100, 300_000, 0]);
    assert.deepEqual([c.protocol, c.maxRequestsPerConnection, c.idleTimeoutMs], ['http2', 1, 3_600_000]);
  });

  it('Istio-style transport_socket_matches pick mTLS per endpoint from its tlsMode metadata', () => {
    const tls = { '@type': TYPE.UPSTREAM_TLS, sni: 'outbound_.9080_._.reviews.default.svc.cluster.local', common_tls_context: {
      alpn_protocols: ['istio-peer-exchange', 'istio'],
      tls_certificate_sds_secret_configs: [{ name: 'default' }],
      combined_validation_context: { default_validation_context: { match_subject_alt_names: [{ exact: 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews' }] }, validation_context_sds_secret_config: { name: 'ROOTCA' } },
    } };
    const cluster = edsCluster('c', { transport_socket_matches: [
      { name: 'tlsMode-istio', match: { tlsMode: 'istio' }, transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: tls } },
      { name: 'tlsMode-disabled', match: {}, transport_socket: { name: 'envoy.transport_sockets.raw_buffer', typed_config: { '@type': TYPE.RAW_BUFFER } } },
    ] });
    const cla = assignment('c', [{ address: '10.0.0.1' }, { address: '10.0.0.2' }]) as { endpoints: { lb_endpoints: { metadata: Json }[] }[] };
    cla.endpoints[0]!.lb_endpoints[0]!.metadata = { filter_metadata: { 'envoy.transport_socket_match': { fields: { tlsMode: { string_value: 'istio' } } } } };
    const res = empty();
    res.clusters.set('c', cluster);
    res.endpoints.set('c', cla);
    const { snapshot, errors } = compileSnapshot(res);
    assert.deepEqual(errors, []);
    const c = snapshot.clusters.get('c')!;
    const [mtls, plain] = snapshot.endpoints.get('c')!.endpoints;
    assert.equal(mtls!.tlsMode, 'istio');
    const chosen = upstreamTlsFor(c, mtls!);
    assert.equal(chosen?.sni, 'outbound_.9080_._.reviews.default.svc.cluster.local');
    assert.deepEqual(chosen?.certificate, { kind: 'sds', name: 'default' });
    assert.deepEqual(chosen?.validation, { kind: 'sds', name: 'ROOTCA' });
    assert.ok(chosen?.subjectAltNames[0]!.matcher.test('spiffe://cluster.local/ns/default/sa/bookinfo-reviews'));
    assert.equal(upstreamTlsFor(c, plain!), undefined);
  });

  it('endpoints: localities, priorities, weights, IPv6 keys, identity metadata', () => {
    const { snapshot, errors } = one('endpoints', 'c', { cluster_name: 'c', policy: { overprovisioning_factor: { value: 200 } }, endpoints: [
      { locality: { region: 'eu', zone: 'a' }, load_balancing_weight: { value: 3 }, lb_endpoints: [{ endpoint: { address: { socket_address: { address: '::1', port_value: 8080 } }, hostname: 'r1' }, load_balancing_weight: { value: 2 }, health_status: 'DRAINING', metadata: { filter_metadata: { inboard: { identity: 'spiffe://cluster.local/ns/default/sa/reviews' } } } }] },
      { locality: { region: 'us' }, priority: 1, lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.9', port_value: 80 } } } }] },
    ] });
    assert.deepEqual(errors, []);
    const eps = snapshot.assignments.get('c')!;
    assert.equal(eps.overprovisioningFactor, 200);
    assert.deepEqual(eps.localities.map((l) => [l.localityKey, l.weight, l.priority]), [['eu/a/', 3, 0], ['us//', undefined, 1]]);
    const [v6, v4] = eps.endpoints;
    assert.deepEqual([v6!.key, v6!.weight, v6!.health, v6!.hostname, v6!.identity], ['[::1]:8080', 2, 'DRAINING', 'r1', 'spiffe://cluster.local/ns/default/sa/reviews']);
    assert.deepEqual([v4!.key, v4!.weight, v4!.health, v4!.priority], ['10.0.0.9:80', 1, 'UNKNOWN', 1]);
  });

  it('STATIC clusters use their inline load_assignment', () => {
    const { snapshot } = one('clusters', 'blackhole', { name: 'blackhole', type: 'STATIC', load_assignment: { cluster_name: 'blackhole', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 7000 } } } }] }] } });
    assert.equal(snapshot.endpoints.get('blackhole')?.endpoints[0]?.key, '127.0.0.1:7000');
  });

  it('listeners: inline route_config, strip_any_host_port, RBAC kept, fault compiled', () => {
    const { snapshot, errors } = one('listeners', 'l', { name: 'l', api_listener: { api_listener: {
      '@type': TYPE.HCM,
      strip_any_host_port: true,
      route_config: routeConfig({ match: { prefix: '/' }, route: { cluster: 'c' } }),
      http_filters: [
        { name: 'envoy.filters.http.fault', typed_config: { '@type': TYPE.FAULT, abort: { http_status: 503, percentage: { numerator: 50 } } } },
        { name: 'envoy.filters.http.rbac', typed_config: { '@type': TYPE.RBAC, rules: { action: 'DENY' } } },
        { name: 'envoy.filters.http.router', typed_config: { '@type': TYPE.ROUTER } },
      ],
    } } });
    assert.deepEqual(errors, []);
    const l = snapshot.listeners.get('l')!;
    assert.equal(l.http?.stripPort, 'any');
    assert.equal(l.http?.inlineRouteTable?.virtualHosts[0]?.routes.length, 1);
    assert.deepEqual(l.http?.httpFilters[0]?.fault?.abort, { httpStatus: 503, fromHeader: false, perMillion: 500_000 });
    assert.deepEqual(l.http?.httpFilters[1]?.config, { '@type': TYPE.RBAC, rules: { action: 'DENY' } });
    assert.deepEqual(snapshot.notes, []);
  });

  it('socket listeners (xDS server side): address and filter chains', () => {
    const { snapshot, errors } = one('listeners', 'grpc/server?xds.resource.listening_address=0.0.0.0:9080', {
      name: 'grpc/server?xds.resource.listening_address=0.0.0.0:9080',
      address: { socket_address: { address: '0.0.0.0', port_value: 9080 } },
      filter_chains: [{ name: 'fc', filter_chain_match: { destination_port: { value: 9080 } }, filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': TYPE.HCM, route_config: { name: 'inbound', virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, non_forwarding_action: {} }] }] }, http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': TYPE.ROUTER } }] } }] }],
    });
    assert.deepEqual(errors, []);
    const l = [...snapshot.listeners.values()][0]!;
    assert.equal(l.kind, 'socket');
    assert.deepEqual(l.address, { address: '0.0.0.0', port: 9080 });
    assert.equal(l.http?.inlineRouteTable?.virtualHosts[0]?.routes[0]?.action.kind, 'non_forwarding');
  });

  it('protobufjs Struct form of metadata is read like plain JSON', () => {
    const { snapshot } = one('routes', 'rc', routeConfig({ match: { prefix: '/' }, route: { cluster: 'c' }, metadata: { filter_metadata: {
      istio: { fields: { config: { string_value: '/apis/networking.istio.io/v1alpha3/namespaces/default/virtual-service/reviews' } } },
    } } }));
    assert.deepEqual(snapshot.routeTables.get('rc')!.virtualHosts[0]!.routes[0]!.source, {
      config: '/apis/networking.istio.io/v1alpha3/namespaces/default/virtual-service/reviews',
      virtualService: 'default/reviews',
    });
  });
});

// Route outcomes: rewrites, redirects, direct responses, header mutation order, weighted-cluster
// headers, mirrors, fault and retry resolution, timeouts, cluster_header.

import assert from 'node:assert/strict';
import { mulberry32 } from '../balancing/random';
import { compileRouteConfiguration } from '../snapshot/compile-route-config';
import { Issues } from '../snapshot/proto-readers';
import { computeRouteOutcome, findFilterOverride, shadowAuthority, type RouteOutcome } from './actions';
import { applyHeaderMutations } from './header-mutation';
import { findRoute } from './match';
import type { RouteRequest } from './request-view';

type Json = Record<string, unknown>;
const FAULT = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

function outcome(routes: Json[], request: Partial<RouteRequest> & { path: string }, extra: { config?: Json; vhost?: Json; seed?: number } = {}): RouteOutcome {
  const issues = new Issues();
  const table = compileRouteConfiguration({ name: 'rc', virtual_hosts: [{ name: 'vh', domains: ['*'], routes, ...extra.vhost }], ...extra.config }, issues);
  assert.deepEqual(issues.errors, []);
  assert.ok(table);
  const found = findRoute(table, { authority: 'svc:9080', method: 'GET', headers: {}, ...request });
  assert.ok(found.ok, 'no route');
  return computeRouteOutcome(table, found.virtualHost, found.route, found.view, { random: mulberry32(extra.seed ?? 1) });
}

function forward(o: RouteOutcome) {
  assert.equal(o.kind, 'forward');
  return o as Extract<RouteOutcome, { kind: 'forward' }>;
}

describe('computeRouteOutcome: forwarding', () => {
  it('prefix_rewrite replaces the matched prefix and keeps the query', () => {
    const o = forward(outcome([{ match: { prefix: '/api/' }, route: { cluster: 'c', prefix_rewrite: '/' } }], { path: '/api/v1?x=1' }));
    assert.equal(o.path, '/v1?x=1');
    assert.equal(o.originalPath, '/api/v1?x=1');
  });

  it('prefix_rewrite on an exact path route replaces the whole path', () => {
    const o = forward(outcome([{ match: { path: '/old' }, route: { cluster: 'c', prefix_rewrite: '/new' } }], { path: '/old?q=1' }));
    assert.equal(o.path, '/new?q=1');
  });

  it('prefix_rewrite after a case-insensitive prefix match', () => {
    const o = forward(outcome([{ match: { prefix: '/API', case_sensitive: { value: false } }, route: { cluster: 'c', prefix_rewrite: '/v2' } }], { path: '/api/x' }));
    assert.equal(o.path, '/v2/x');
  });

  it('regex_rewrite with capture groups (Envoy doc example) keeps the query', () => {
    const o = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c', regex_rewrite: { pattern: { regex: '^/service/([^/]+)(/.*)$' }, substitution: '\\2/instance/\\1' } } }], { path: '/service/foo/v1/api?x=1' }));
    assert.equal(o.path, '/v1/api/instance/foo?x=1');
  });

  it('regex_rewrite replaces every match; (?i) is case-insensitive', () => {
    const all = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c', regex_rewrite: { pattern: { regex: 'one' }, substitution: 'two' } } }], { path: '/xxx/one/yyy/one/zzz' }));
    assert.equal(all.path, '/xxx/two/yyy/two/zzz');
    const ci = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c', regex_rewrite: { pattern: { regex: '(?i)/xxx/' }, substitution: '/yyy/' } } }], { path: '/aaa/XxX/bbb' }));
    assert.equal(ci.path, '/aaa/yyy/bbb');
  });

  it('no rewrite: path and authority unchanged, no original path', () => {
    const o = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c' } }], { path: '/a' }));
    assert.equal(o.path, '/a');
    assert.equal(o.authority, 'svc:9080');
    assert.equal(o.originalPath, undefined);
  });

  it('host_rewrite_literal, with x-forwarded-host when append_x_forwarded_host', () => {
    const o = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c', host_rewrite_literal: 'ratings.prod', append_x_forwarded_host: true } }], { path: '/' }));
    assert.equal(o.authority, 'ratings.prod');
    assert.equal(o.xForwardedHost, 'svc:9080');
  });

  it('host_rewrite_header uses the header, or keeps the host when it is missing', () => {
    const routes = [{ match: { prefix: '/' }, route: { cluster: 'c', host_rewrite_header: 'x-host' } }];
    assert.equal(forward(outcome(routes, { path: '/', headers: { 'x-host': 'other' } })).authority, 'other');
    assert.equal(forward(outcome(routes, { path: '/' })).authority, 'svc:9080');
  });

  it('auto_host_rewrite is flagged for the transport (needs the picked endpoint)', () => {
    assert.equal(forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c', auto_host_rewrite: { value: true } } }], { path: '/' })).autoHostRewrite, true);
  });

  it('cluster_header routes to the cluster named by the header; missing header → empty cluster (NC)', () => {
    const routes = [{ match: { prefix: '/' }, route: { cluster_header: 'x-cluster', cluster_not_found_response_code: 'NOT_FOUND' } }];
    assert.equal(forward(outcome(routes, { path: '/', headers: { 'x-cluster': 'outbound|9080|v2|reviews' } })).cluster, 'outbound|9080|v2|reviews');
    const missing = forward(outcome(routes, { path: '/' }));
    assert.equal(missing.cluster, '');
    assert.equal(missing.clusterNotFoundStatus, 404);
  });

  it('timeout: unset → Envoy default 15 s; 0 → disabled; explicit value in ms', () => {
    const unset = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c' } }], { path: '/' }));
    assert.deepEqual([unset.timeoutMs, unset.timeoutDefaulted], [15_000, true]);
    assert.equal(forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c', timeout: {} } }], { path: '/' })).timeoutMs, 0);
    assert.equal(forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c', timeout: { seconds: '0', nanos: 500_000_000 } } }], { path: '/' })).timeoutMs, 500);
  });

  it('retry policy: the route\'s replaces the virtual host\'s entirely; otherwise the virtual host\'s applies', () => {
    const vhost = { retry_policy: { retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', num_retries: { value: 2 }, retry_host_predicate: [{ name: 'envoy.retry_host_predicates.previous_hosts' }], host_selection_retry_max_attempts: '5' } };
    const inherited = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c' } }], { path: '/' }, { vhost }));
    assert.deepEqual([inherited.retryPolicy?.numRetries, inherited.retryPolicy?.avoidPreviousHosts, inherited.retryPolicy?.hostSelectionRetryMaxAttempts], [2, true, 5]);
    assert.deepEqual(inherited.retryPolicy?.retryOn, ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes']);
    const own = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c', retry_policy: { retry_on: '5xx', per_try_timeout: { seconds: 2 } } } }], { path: '/' }, { vhost }));
    assert.deepEqual([own.retryPolicy?.numRetries, own.retryPolicy?.perTryTimeoutMs, own.retryPolicy?.avoidPreviousHosts], [1, 2000, false]);
    assert.deepEqual(own.retryPolicy?.backoff, { baseIntervalMs: 25, maxIntervalMs: 250 });
  });
});

describe('computeRouteOutcome: header mutations', () => {
  const set = (key: string, value: string) => ({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' });

  it('most specific level first, so the route configuration\'s value wins (Envoy default)', () => {
    const o = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c' }, request_headers_to_add: [set('x-level', 'route')] }], { path: '/' }, {
      vhost: { request_headers_to_add: [set('x-level', 'vhost')] },
      config: { request_headers_to_add: [set('x-level', 'config')] },
    }));
    assert.deepEqual(applyHeaderMutations({}, o.requestHeaders), { 'x-level': 'config' });
  });

  it('most_specific_header_mutations_wins reverses the order: the route\'s value wins', () => {
    const o = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c' }, request_headers_to_add: [set('x-level', 'route')] }], { path: '/' }, {
      vhost: { request_headers_to_add: [set('x-level', 'vhost')] },
      config: { request_headers_to_add: [set('x-level', 'config')], most_specific_header_mutations_wins: true },
    }));
    assert.deepEqual(applyHeaderMutations({}, o.requestHeaders), { 'x-level': 'route' });
  });

  it('weighted cluster headers apply only for the chosen cluster (Istio per-destination headers)', () => {
    const routes = [{ match: { prefix: '/' }, route: { weighted_clusters: { clusters: [
      { name: 'v1', weight: { value: 1 }, request_headers_to_add: [set('x-version', 'v1')] },
      { name: 'v2', weight: { value: 1 }, request_headers_to_add: [set('x-version', 'v2')] },
    ] } } }];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const o = forward(outcome(routes, { path: '/' }, { seed }));
      assert.deepEqual(applyHeaderMutations({}, o.requestHeaders), { 'x-version': o.cluster });
      assert.equal(o.weightedCluster?.totalWeight, 2);
    }
  });

  it('response mutations are carried for every action kind', () => {
    const o = outcome([{ match: { prefix: '/' }, direct_response: { status: 200 }, response_headers_to_add: [set('x-r', '1')], response_headers_to_remove: ['server'] }], { path: '/' });
    assert.deepEqual(applyHeaderMutations({ server: 'app', a: 'b' }, o.responseHeaders), { a: 'b', 'x-r': '1' });
  });
});

describe('computeRouteOutcome: redirect and direct response', () => {
  const redirect = (action: Json, request: Partial<RouteRequest> & { path: string }, match: Json = { prefix: '/' }) => {
    const o = outcome([{ match, redirect: action }], request);
    assert.equal(o.kind, 'redirect');
    return o as Extract<RouteOutcome, { kind: 'redirect' }>;
  };

  it('https_redirect: default 301, drops the http default port, keeps path and query', () => {
    const o = redirect({ https_redirect: true }, { authority: 'shop.example.com:80', path: '/cart?id=1', scheme: 'http' });
    assert.deepEqual([o.status, o.location], [301, 'https://shop.example.com/cart?id=1']);
  });

  it('path_redirect keeps the request query unless strip_query (Envoy doc examples)', () => {
    assert.equal(redirect({ path_redirect: '/new-path-1' }, { path: '/old-path-1?bar=1' }).location, 'http://svc:9080/new-path-1?bar=1');
    assert.equal(redirect({ path_redirect: '/new-path-2', strip_query: true }, { path: '/old-path-2?bar=1' }).location, 'http://svc:9080/new-path-2');
    assert.equal(redirect({ path_redirect: '/new-path-3?foo=1', strip_query: true }, { path: '/old-path-3?bar=1' }).location, 'http://svc:9080/new-path-3?foo=1');
  });

  it('host, port, prefix rewrite and response code', () => {
    const o = redirect({ host_redirect: 'api.example.com', port_redirect: 8443, prefix_rewrite: '/v2/', response_code: 'TEMPORARY_REDIRECT' }, { path: '/v1/items?x=1' }, { prefix: '/v1/' });
    assert.deepEqual([o.status, o.location], [307, 'http://api.example.com:8443/v2/items?x=1']);
  });

  it('direct_response with an inline body', () => {
    const o = outcome([{ match: { prefix: '/' }, direct_response: { status: 503, body: { inline_string: 'maintenance' } } }], { path: '/' });
    assert.ok(o.kind === 'direct' && o.status === 503 && o.body === 'maintenance');
  });

  it('non_forwarding_action: served in process', () => {
    assert.equal(outcome([{ match: { prefix: '/' }, non_forwarding_action: {} }], { path: '/' }).kind, 'non_forwarding');
  });
});

describe('computeRouteOutcome: mirrors, faults, hash', () => {
  it('mirrors append -shadow before the port; a 0 % mirror never fires', () => {
    const o = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c', request_mirror_policies: [
      { cluster: 'outbound|9080|v2|reviews' },
      { cluster: 'never', runtime_fraction: { default_value: { numerator: 0 } } },
      { cluster: 'plain', disable_shadow_host_suffix_append: true },
    ] } }], { path: '/', authority: 'reviews:9080' }));
    assert.deepEqual(o.mirrors, [{ cluster: 'outbound|9080|v2|reviews', authority: 'reviews-shadow:9080' }, { cluster: 'plain', authority: 'reviews:9080' }]);
    assert.equal(shadowAuthority('reviews'), 'reviews-shadow');
  });

  it('mirror policies: the route\'s replace the virtual host\'s, which replace the route configuration\'s', () => {
    const vhostMirror = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c' } }], { path: '/' }, { vhost: { request_mirror_policies: [{ cluster: 'vh' }] }, config: { request_mirror_policies: [{ cluster: 'rc' }] } }));
    assert.deepEqual(vhostMirror.mirrors.map((m) => m.cluster), ['vh']);
  });

  it('the most specific HTTPFault override wins; a disabled FilterConfig is reported', () => {
    const fault = (status: number) => ({ '@type': FAULT, abort: { http_status: status, percentage: { numerator: 100 } } });
    const o = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c' }, typed_per_filter_config: { 'envoy.filters.http.fault': fault(500) } }], { path: '/' }, {
      vhost: { typed_per_filter_config: { 'envoy.filters.http.fault': fault(503) } },
    }));
    assert.deepEqual(o.fault?.abort, { httpStatus: 500, fromHeader: false, perMillion: 1_000_000 });
    const disabled = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c' }, typed_per_filter_config: { 'envoy.filters.http.rbac': { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', disabled: true } } }], { path: '/' }));
    assert.equal(findFilterOverride(disabled.filterOverrides, 'envoy.filters.http.rbac')?.disabled, true);
  });

  it('fault delay and abort percentages become parts per million; unset percentage = 0 %', () => {
    const o = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c' }, typed_per_filter_config: { 'envoy.filters.http.fault': { '@type': FAULT, delay: { fixed_delay: { seconds: 7 }, percentage: { numerator: 100000, denominator: 'MILLION' } }, abort: { http_status: 500 } } } }], { path: '/' }));
    assert.deepEqual(o.fault?.delay, { fixedDelayMs: 7000, fromHeader: false, perMillion: 100_000 });
    assert.equal(o.fault?.abort?.perMillion, 0);
  });

  it('hash policies produce a request hash only when configured', () => {
    const withHash = forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c', hash_policy: [{ header: { header_name: 'x-user' } }] } }], { path: '/', headers: { 'x-user': 'alice' } }));
    assert.equal(typeof withHash.hash, 'bigint');
    assert.equal(forward(outcome([{ match: { prefix: '/' }, route: { cluster: 'c' } }], { path: '/' })).hash, undefined);
  });
});

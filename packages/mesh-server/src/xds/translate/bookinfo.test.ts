// Istio's own BookInfo networking samples (../shared/istio-samples), applied unchanged, translated
// for a productpage client: the key routing facts each task page relies on.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ProxyInfo } from '../contracts';
import { translate } from './index';
import { readInboardMetadata } from './struct';
import { applySamples, bookinfoRegistry, get, routesOf, sample, SAMPLES, sidecar, warningLines } from './test-support';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NET = 'bookinfo/networking/';
function bookinfo(files: string[], proxy: ProxyInfo = sidecar()) {
  const result = translate({ config: applySamples([`${NET}destination-rule-all.yaml`, ...files.map((f) => NET + f)]), registry: bookinfoRegistry() }, proxy);
  return { result, routes: (svc: string) => routesOf(result, `${svc}.default.svc.cluster.local:9080`) };
}

const c = (svc: string, subset = '') => `outbound|9080|${subset}|${svc}.default.svc.cluster.local`;
const target = (r: Loose) => r.route.cluster ?? r.route.weighted_clusters.clusters.map((w: Loose) => [w.name, w.weight.value]);

describe('translate: BookInfo samples', () => {
  it('destination-rule-all gives subset clusters with endpoints filtered by version', () => {
    const { result } = bookinfo([]);
    for (const name of [c('reviews', 'v1'), c('reviews', 'v2'), c('reviews', 'v3'), c('ratings', 'v2-mysql-vm'), c('details', 'v2'), c('productpage', 'v1')]) {
      assert.ok(result.clusters.has(name), name);
    }
    const v3 = get(result.endpoints, c('reviews', 'v3'));
    assert.deepEqual(v3.endpoints[0].lb_endpoints.map((e: Loose) => readInboardMetadata(e).id), ['reviews-v3']);
    assert.deepEqual(get(result.endpoints, c('reviews')).endpoints[0].lb_endpoints.length, 3);
  });

  it('virtual-service-all-v1 sends every service to v1', () => {
    const { routes } = bookinfo(['virtual-service-all-v1.yaml']);
    for (const svc of ['productpage', 'reviews', 'ratings', 'details']) {
      assert.deepEqual(routes(svc).map(target), [c(svc, 'v1')], svc);
    }
  });

  it('virtual-service-reviews-jason-v2-v3: end-user exact jason → v2 before the catch-all to v3', () => {
    const { routes } = bookinfo(['virtual-service-reviews-jason-v2-v3.yaml']);
    const [jason, rest, ...none] = routes('reviews');
    assert.deepEqual(jason!.match, { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] });
    assert.equal(target(jason!), c('reviews', 'v2'));
    assert.deepEqual(rest!.match, { prefix: '/' });
    assert.equal(target(rest!), c('reviews', 'v3'));
    assert.equal(none.length, 0);
  });

  it('virtual-service-reviews-test-v2: jason → v2, everyone else → v1', () => {
    const { routes } = bookinfo(['virtual-service-reviews-test-v2.yaml']);
    assert.deepEqual(routes('reviews').map(target), [c('reviews', 'v2'), c('reviews', 'v1')]);
  });

  const splits: [string, [string, number][]][] = [
    ['virtual-service-reviews-80-20.yaml', [[c('reviews', 'v1'), 80], [c('reviews', 'v2'), 20]]],
    ['virtual-service-reviews-90-10.yaml', [[c('reviews', 'v1'), 90], [c('reviews', 'v2'), 10]]],
    ['virtual-service-reviews-50-v3.yaml', [[c('reviews', 'v1'), 50], [c('reviews', 'v3'), 50]]],
    ['virtual-service-reviews-v2-v3.yaml', [[c('reviews', 'v2'), 50], [c('reviews', 'v3'), 50]]],
  ];
  for (const [file, expected] of splits) {
    it(`${file} splits by weight`, () => assert.deepEqual(bookinfo([file]).routes('reviews').map(target), [expected]));
  }

  it('virtual-service-reviews-v3 and virtual-service-details-v2 pin one subset', () => {
    assert.deepEqual(bookinfo(['virtual-service-reviews-v3.yaml']).routes('reviews').map(target), [c('reviews', 'v3')]);
    assert.deepEqual(bookinfo(['virtual-service-details-v2.yaml']).routes('details').map(target), [c('details', 'v2')]);
  });

  it('virtual-service-ratings-test-delay: a 7 s delay for 100 % of jason\'s requests to ratings v1 only', () => {
    const { routes } = bookinfo(['virtual-service-ratings-test-delay.yaml']);
    const [jason, rest] = routes('ratings');
    assert.equal(target(jason!), c('ratings', 'v1'));
    assert.deepEqual(jason!.typed_per_filter_config['envoy.filters.http.fault'], {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
      delay: { fixed_delay: { seconds: 7, nanos: 0 }, percentage: { numerator: 1_000_000, denominator: 'MILLION' } },
    });
    assert.equal(target(rest!), c('ratings', 'v1'));
    assert.equal(rest!.typed_per_filter_config, undefined);
  });

  it('virtual-service-ratings-test-abort: HTTP 500 for 100 % of jason\'s requests', () => {
    const [jason] = bookinfo(['virtual-service-ratings-test-abort.yaml']).routes('ratings');
    assert.deepEqual(jason!.typed_per_filter_config['envoy.filters.http.fault'].abort, {
      http_status: 500, percentage: { numerator: 1_000_000, denominator: 'MILLION' },
    });
  });

  it('fault-injection-details-v1: abort 555 on every request; the second rule is unreachable and not emitted', () => {
    const routes = bookinfo(['fault-injection-details-v1.yaml']).routes('details');
    assert.equal(routes.length, 1);
    assert.deepEqual(routes[0]!.typed_per_filter_config['envoy.filters.http.fault'].abort.http_status, 555);
  });

  it('virtual-service-ratings-db / -mysql / -mysql-vm send reviews to v3 and ratings to the database subsets', () => {
    for (const [file, subset] of [['virtual-service-ratings-db.yaml', 'v2'], ['virtual-service-ratings-mysql.yaml', 'v2-mysql'], ['virtual-service-ratings-mysql-vm.yaml', 'v2-mysql-vm']]) {
      const { routes, result } = bookinfo([file!]);
      assert.deepEqual(routes('reviews').map(target), [c('reviews', 'v3')], file);
      assert.deepEqual(routes('ratings').map(target), [c('ratings', subset)], file);
      // ratings v2 subsets have no endpoints in this registry: the cluster exists, its CLA is empty.
      assert.deepEqual(get(result.endpoints, c('ratings', subset)).endpoints, []);
    }
  });

  it('destination-rule-reviews sets RANDOM on every reviews cluster', () => {
    const result = translate({ config: sample(`${NET}destination-rule-reviews.yaml`), registry: bookinfoRegistry() }, sidecar());
    for (const s of ['', 'v1', 'v2', 'v3']) assert.equal(get(result.clusters, c('reviews', s)).lb_policy, 'RANDOM');
    assert.equal(get(result.clusters, c('ratings')).lb_policy, 'LEAST_REQUEST');
  });

  it('request-timeouts task: 0.5 s timeout on reviews v2; 2 s delay on ratings', () => {
    const config = [...sample('tasks/request-timeouts/reviews-v2-timeout-0.5s.yaml', 'default', 0), ...sample('tasks/request-timeouts/ratings-delay-2s.yaml', 'default', 1),
      ...sample(`${NET}destination-rule-all.yaml`, 'default', 2)];
    const result = translate({ config, registry: bookinfoRegistry() }, sidecar());
    const [reviews] = routesOf(result, 'reviews.default.svc.cluster.local:9080');
    assert.deepEqual(reviews!.route.timeout, { seconds: 0, nanos: 500_000_000 });
    const [ratings] = routesOf(result, 'ratings.default.svc.cluster.local:9080');
    assert.deepEqual(ratings!.typed_per_filter_config['envoy.filters.http.fault'].delay.fixed_delay, { seconds: 2, nanos: 0 });
  });

  it('translates every networking sample with warnings only for what is genuinely unsupported or missing', () => {
    const files = fs.readdirSync(path.join(SAMPLES, 'bookinfo/networking')).filter((f) => f.endsWith('.yaml')).sort();
    for (const file of files) {
      const result = translate({ config: applySamples([`${NET}destination-rule-all.yaml`, NET + file]), registry: bookinfoRegistry() }, sidecar());
      const unexpected = warningLines(result).filter((w) =>
        !w.includes('tls.mode ISTIO_MUTUAL') && // destination-rule-all-mtls: mTLS lands with the zero-trust work
        !w.includes('cert-manager-resolver') && // certmanager-gateway routes to a service BookInfo does not have
        !w.includes('www.googleapis.com')); // egress sample: the ServiceEntry host is not in this registry
      assert.deepEqual(unexpected, [], file);
    }
  });
});

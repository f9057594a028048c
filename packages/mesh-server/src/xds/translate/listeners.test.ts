import assert from 'node:assert/strict';
import { translate } from './index';
import { defaultPort } from './listeners';
import { bookinfoRegistry, entryService, fakeRegistry, get, k8sService, sidecar, warningLines } from './test-support';

describe('translate/listeners (proxyless clients)', () => {
  it('serves one API listener per dial name, all sharing the service port route config', () => {
    const result = translate({ config: [], registry: bookinfoRegistry() }, sidecar());
    const names = [...result.listeners.keys()].filter((n) => n.startsWith('reviews'));
    assert.deepEqual(names, [
      'reviews', 'reviews.default', 'reviews.default.svc', 'reviews.default.svc.cluster.local', 'reviews.default.svc.cluster.local:9080',
      'reviews.default.svc:9080', 'reviews.default:9080', 'reviews:9080',
    ]);
    for (const name of names) {
      const hcm = get(result.listeners, name).api_listener.api_listener;
      assert.equal(hcm.rds.route_config_name, 'reviews.default.svc.cluster.local:9080', name);
    }
  });

  it('builds the HttpConnectionManager grpc-js-xds accepts: RDS over ADS, fault, optional CORS, router last', () => {
    const result = translate({ config: [], registry: bookinfoRegistry() }, sidecar());
    assert.deepEqual(get(result.listeners, 'reviews'), {
      name: 'reviews',
      api_listener: {
        api_listener: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
          stat_prefix: 'reviews.default.svc.cluster.local:9080',
          rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: 'reviews.default.svc.cluster.local:9080' },
          http_filters: [
            { name: 'envoy.filters.http.fault', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault' } },
            { name: 'envoy.filters.http.cors', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' }, is_optional: true },
            { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } },
          ],
        },
      },
    });
  });

  it('gives clients in another namespace only the namespaced forms', () => {
    const result = translate({ config: [], registry: bookinfoRegistry() }, sidecar({ namespace: 'shop' }));
    assert.deepEqual([...result.listeners.keys()].filter((n) => n.startsWith('reviews')), [
      'reviews.default', 'reviews.default.svc', 'reviews.default.svc.cluster.local', 'reviews.default.svc.cluster.local:9080',
      'reviews.default.svc:9080', 'reviews.default:9080',
    ]);
  });

  it('maps a port-less name to the only HTTP port, else 80, else the lowest port', () => {
    const one = k8sService('a', 'default', [{ port: 9080 }, { port: 5432, protocol: 'TCP' }]);
    const with80 = k8sService('b', 'default', [{ port: 9090 }, { port: 80 }]);
    const lowest = k8sService('c', 'default', [{ port: 9090 }, { port: 8080 }]);
    assert.equal(defaultPort(one), 9080);
    assert.equal(defaultPort(with80), 80);
    assert.equal(defaultPort(lowest), 8080);
    const result = translate({ config: [], registry: fakeRegistry([lowest]) }, sidecar());
    assert.equal(get(result.listeners, 'c').api_listener.api_listener.rds.route_config_name, 'c.default.svc.cluster.local:8080');
    assert.equal(get(result.listeners, 'c:9090').api_listener.api_listener.rds.route_config_name, 'c.default.svc.cluster.local:9090');
    assert.equal(result.listeners.has('a:5432'), false);
  });

  it('serves ServiceEntry hosts under their own name only, and keeps the first owner of a clashing name', () => {
    const clash = entryService('reviews', 'default', [{ name: 'http', port: 9080, protocol: 'HTTP' }], { resolution: 'STATIC', source: 'ServiceEntry/default/odd' });
    const registry = fakeRegistry([...bookinfoRegistry().services.values(), clash]);
    const result = translate({ config: [], registry }, sidecar());
    assert.equal(get(result.listeners, 'reviews').api_listener.api_listener.rds.route_config_name, 'reviews:9080');
    assert.ok(warningLines(result).some((w) => w.startsWith('Service/default/reviews: listener name reviews is already used by reviews:9080')));
  });

  it('gives a router (gateway) proxy no sidecar listeners', () => {
    const result = translate({ config: [], registry: bookinfoRegistry() }, sidecar({ role: 'router', labels: {} }));
    assert.equal(result.listeners.size, 0);
    assert.equal(result.clusters.size, 4);
  });
});

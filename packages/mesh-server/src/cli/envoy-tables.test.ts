import assert from 'node:assert/strict';
import { clustersTable, endpointsTable, listenersTable, parseClusterName, routesTable } from './envoy-tables';

const rows = (text: string) => text.trimEnd().split('\n').map((line) => line.split(/\s{3,}/));

describe('proxy-config tables', () => {
  it('splits Istio cluster names', () => {
    assert.deepEqual(parseClusterName('outbound|9080|v1|reviews.default.svc.cluster.local'), { direction: 'outbound', port: '9080', subset: 'v1', fqdn: 'reviews.default.svc.cluster.local' });
    assert.deepEqual(parseClusterName('odd'), { direction: '-', port: '-', subset: '-', fqdn: 'odd' });
  });

  it('clusters: SERVICE FQDN, PORT, SUBSET, DIRECTION, TYPE', () => {
    const text = clustersTable([
      { name: 'outbound|9080|v2|reviews.default.svc.cluster.local', type: 'EDS' },
      { name: 'outbound|9080||reviews.default.svc.cluster.local', type: 'EDS' },
    ]);
    assert.deepEqual(rows(text), [
      ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE'],
      ['reviews.default.svc.cluster.local', '9080', '-', 'outbound', 'EDS'],
      ['reviews.default.svc.cluster.local', '9080', 'v2', 'outbound', 'EDS'],
    ]);
  });

  it('listeners: api_listener with its RDS route config', () => {
    const text = listenersTable([
      { name: 'reviews:9080', api_listener: { api_listener: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', rds: { route_config_name: 'reviews:9080' } } } },
    ]);
    assert.deepEqual(rows(text)[1], ['reviews:9080', 'api_listener', 'reviews:9080']);
  });

  it('routes: one row per route with match and weighted action', () => {
    const text = routesTable([
      {
        name: 'reviews:9080',
        virtual_hosts: [
          {
            name: 'reviews.default.svc.cluster.local:9080',
            domains: ['reviews', 'reviews:9080'],
            routes: [
              { match: { prefix: '/', headers: [{ name: 'end-user' }] }, route: { cluster: 'outbound|9080|v2|reviews.default.svc.cluster.local' } },
              { match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: 'a', weight: { value: 80 } }, { name: 'b', weight: 20 }] } } },
              { match: { path: '/x' }, direct_response: { status: 503 } },
            ],
          },
        ],
      },
    ]);
    assert.deepEqual(rows(text).slice(1), [
      ['reviews:9080', 'reviews.default.svc.cluster.local:9080', 'reviews,reviews:9080', '/* (+1 header/query matchers)', 'outbound|9080|v2|reviews.default.svc.cluster.local'],
      ['reviews:9080', 'reviews.default.svc.cluster.local:9080', 'reviews,reviews:9080', '/*', 'a (80), b (20)'],
      ['reviews:9080', 'reviews.default.svc.cluster.local:9080', 'reviews,reviews:9080', '/x', 'direct response 503'],
    ]);
  });

  it('endpoints: address, health (UNKNOWN shows as HEALTHY), locality, weight, cluster', () => {
    const text = endpointsTable([
      {
        cluster_name: 'outbound|9080|v1|reviews.default.svc.cluster.local',
        endpoints: [
          {
            locality: { region: 'eu', zone: 'a', sub_zone: '' },
            lb_endpoints: [
              { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 9081 } } }, health_status: 'UNHEALTHY', load_balancing_weight: { value: 2 } },
              { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 9080 } } } },
            ],
          },
        ],
      },
    ]);
    assert.deepEqual(rows(text).slice(1), [
      ['127.0.0.1:9080', 'HEALTHY', 'eu/a/', '1', 'outbound|9080|v1|reviews.default.svc.cluster.local'],
      ['127.0.0.1:9081', 'UNHEALTHY', 'eu/a/', '2', 'outbound|9080|v1|reviews.default.svc.cluster.local'],
    ]);
  });
});

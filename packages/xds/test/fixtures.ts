// Realistic Envoy resources in the plain-object convention, shaped like what Inboard serves for
// `reviews` (Istio naming), used by the codec and ADS client tests.

import { EXTENSION_TYPE_URL } from '../src/type-urls';

/** A proxyless client Listener: api_listener → HCM over RDS with fault + router filters. */
export const LISTENER = {
  name: 'reviews.default.svc.cluster.local:9080',
  api_listener: {
    api_listener: {
      '@type': EXTENSION_TYPE_URL.HTTP_CONNECTION_MANAGER,
      stat_prefix: 'outbound_reviews',
      rds: { route_config_name: 'reviews.default.svc.cluster.local:9080', config_source: { ads: {}, resource_api_version: 'V3' } },
      http_filters: [
        { name: 'envoy.filters.http.fault', typed_config: { '@type': EXTENSION_TYPE_URL.FAULT } },
        { name: 'envoy.filters.http.router', typed_config: { '@type': EXTENSION_TYPE_URL.ROUTER } },
      ],
    },
  },
};

/** A RouteConfiguration with a weighted split, retries, timeout and a per-route fault. */
export const ROUTE = {
  name: 'reviews.default.svc.cluster.local:9080',
  virtual_hosts: [
    {
      name: 'reviews.default.svc.cluster.local:9080',
      domains: ['reviews', 'reviews:9080', 'reviews.default.svc.cluster.local', 'reviews.default.svc.cluster.local:9080'],
      routes: [
        {
          name: 'jason',
          match: { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] },
          route: { cluster: 'outbound|9080|v2|reviews.default.svc.cluster.local', timeout: { seconds: '0', nanos: 500000000 } },
          typed_per_filter_config: {
            'envoy.filters.http.fault': {
              '@type': EXTENSION_TYPE_URL.FAULT,
              abort: { http_status: 503, percentage: { numerator: 100, denominator: 'HUNDRED' } },
            },
          },
        },
        {
          name: 'default',
          match: { prefix: '/' },
          route: {
            weighted_clusters: {
              clusters: [
                { name: 'outbound|9080|v1|reviews.default.svc.cluster.local', weight: { value: 80 } },
                { name: 'outbound|9080|v3|reviews.default.svc.cluster.local', weight: { value: 20 } },
              ],
            },
            retry_policy: { retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', num_retries: { value: 2 } },
          },
        },
      ],
    },
  ],
};

/** An EDS Cluster with ring hash, circuit breakers, outlier detection and metadata. */
export const CLUSTER = {
  name: 'outbound|9080|v1|reviews.default.svc.cluster.local',
  type: 'EDS',
  eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: 'outbound|9080|v1|reviews.default.svc.cluster.local' },
  connect_timeout: { seconds: '10', nanos: 0 },
  lb_policy: 'RING_HASH',
  ring_hash_lb_config: { minimum_ring_size: { value: '1024' }, hash_function: 'XX_HASH' },
  circuit_breakers: { thresholds: [{ priority: 'DEFAULT', max_requests: { value: 100 }, max_pending_requests: { value: 10 } }] },
  outlier_detection: { consecutive_5xx: { value: 5 }, interval: { seconds: '10', nanos: 0 }, base_ejection_time: { seconds: '30', nanos: 0 }, max_ejection_percent: { value: 100 } },
  metadata: {
    filter_metadata: {
      istio: { fields: { subset: { string_value: 'v1' }, services: { list_value: { values: [{ struct_value: { fields: { host: { string_value: 'reviews.default.svc.cluster.local' } } } }] } } } },
    },
  },
};

/** A ClusterLoadAssignment with two localities. */
export const ENDPOINTS = {
  cluster_name: 'outbound|9080|v1|reviews.default.svc.cluster.local',
  endpoints: [
    {
      locality: { region: 'eu', zone: 'eu-1' },
      load_balancing_weight: { value: 1 },
      lb_endpoints: [
        { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 9081 } } }, health_status: 'HEALTHY', load_balancing_weight: { value: 1 } },
        { endpoint: { address: { socket_address: { address: '127.0.0.2', port_value: 9081 } } }, health_status: 'HEALTHY', load_balancing_weight: { value: 1 } },
      ],
    },
    {
      locality: {},
      priority: 1,
      load_balancing_weight: { value: 1 },
      lb_endpoints: [{ endpoint: { address: { socket_address: { address: '::1', port_value: 9081 } } }, health_status: 'HEALTHY' }],
    },
  ],
};

// Envoy resources in the plain-object convention, for tests and the routing benchmark: a
// BookInfo-shaped mesh as Istio would translate it (listeners per service:port with RDS, one route
// configuration per service, subset clusters, EDS assignments).

import type { XdsResources } from './compile';

type Json = Record<string, unknown>;

/** Type URLs used in typed_config fields. */
export const TYPE = {
  HCM: 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  ROUTER: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
  FAULT: 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
  RBAC: 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
  UPSTREAM_TLS: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  RAW_BUFFER: 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer',
  HTTP_PROTOCOL_OPTIONS: 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
} as const;

/** An api_listener whose HCM takes routes from RDS `routeConfigName`, with fault + router filters. */
export function apiListener(name: string, routeConfigName: string): Json {
  return {
    name,
    api_listener: {
      api_listener: {
        '@type': TYPE.HCM,
        stat_prefix: name,
        rds: { route_config_name: routeConfigName, config_source: { ads: {}, resource_api_version: 'V3' } },
        http_filters: [
          { name: 'envoy.filters.http.fault', typed_config: { '@type': TYPE.FAULT } },
          { name: 'envoy.filters.http.router', typed_config: { '@type': TYPE.ROUTER } },
        ],
      },
    },
  };
}

/** An EDS cluster named Istio's way, with LEAST_REQUEST (Istio's default). */
export function edsCluster(name: string, extra: Json = {}): Json {
  return {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: name },
    connect_timeout: { seconds: '10' },
    lb_policy: 'LEAST_REQUEST',
    ...extra,
  };
}

/** A ClusterLoadAssignment with one locality. */
export function assignment(name: string, endpoints: readonly { address: string; port?: number; weight?: number; health?: string; version?: string }[]): Json {
  return {
    cluster_name: name,
    endpoints: [{
      locality: { region: 'local', zone: 'z1' },
      lb_endpoints: endpoints.map((e) => ({
        endpoint: { address: { socket_address: { address: e.address, port_value: e.port ?? 9080 } } },
        health_status: e.health ?? 'HEALTHY',
        ...(e.weight ? { load_balancing_weight: { value: e.weight } } : {}),
        metadata: { filter_metadata: { istio: { workload: `${e.version ?? 'v1'}` } } },
      })),
    }],
  };
}

const SERVICES = ['productpage', 'details', 'reviews', 'ratings'] as const;
const fqdn = (svc: string) => `${svc}.default.svc.cluster.local`;
const cluster = (svc: string, subset = '') => `outbound|9080|${subset}|${fqdn(svc)}`;
const domains = (svc: string) => [fqdn(svc), `${fqdn(svc)}:9080`, svc, `${svc}:9080`, `${svc}.default`, `${svc}.default:9080`, `${svc}.default.svc`, `${svc}.default.svc:9080`];

function defaultRoute(svc: string): Json {
  return { name: 'default', match: { prefix: '/' }, route: { cluster: cluster(svc), timeout: {} } };
}

/**
 * BookInfo as the mesh sees it from productpage, with virtual-service-reviews-jason-v2-v3 and
 * reviews 50/50 rules: route configurations `SERVICE.default.svc.cluster.local:9080`, listeners of the
 * same name, clusters for the default set and subsets v1–v3, endpoints for every version.
 */
export function bookinfoResources(): XdsResources {
  const listeners = new Map<string, Json>();
  const routes = new Map<string, Json>();
  const clusters = new Map<string, Json>();
  const endpoints = new Map<string, Json>();
  let ip = 10;
  for (const svc of SERVICES) {
    const name = `${fqdn(svc)}:9080`;
    listeners.set(name, apiListener(name, name));
    const versions = svc === 'reviews' ? ['v1', 'v2', 'v3'] : ['v1'];
    const eps = versions.map((version) => ({ address: `10.0.0.${ip++}`, version }));
    for (const subset of ['', ...versions]) {
      const c = cluster(svc, subset);
      clusters.set(c, edsCluster(c));
      endpoints.set(c, assignment(c, subset === '' ? eps : eps.filter((e) => e.version === subset)));
    }
    const svcRoutes: Json[] = svc === 'reviews'
      ? [
        { name: 'jason', match: { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] }, route: { cluster: cluster(svc, 'v2'), timeout: {} }, metadata: { filter_metadata: { inboard: { virtual_service: 'default/reviews', route_index: 0 } } } },
        { name: 'split', match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: cluster(svc, 'v1'), weight: { value: 50 } }, { name: cluster(svc, 'v3'), weight: { value: 50 } }] }, timeout: {} }, metadata: { filter_metadata: { inboard: { virtual_service: 'default/reviews', route_index: 1 } } } },
      ]
      : [defaultRoute(svc)];
    routes.set(name, { name, virtual_hosts: [{ name, domains: domains(svc), routes: svcRoutes }], validate_clusters: false });
  }
  return { listeners, routes, clusters, endpoints };
}

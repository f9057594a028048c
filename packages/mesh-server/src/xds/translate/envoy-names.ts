// Envoy type URLs, well-known filter/extension names and the plain-object shapes translation emits.
// Every Envoy resource is a plain object in protobufjs `toObject` form (snake_case, '@type' for Any).

/** A plain Envoy object as translation builds it (protobufjs toObject shape, keepCase). */
export type EnvoyObject = Record<string, unknown>;

/** google.protobuf.Duration as a plain object. */
export interface EnvoyDuration {
  readonly seconds: number;
  readonly nanos: number;
}

/** envoy.type.v3.FractionalPercent as a plain object. */
export interface FractionalPercent {
  readonly numerator: number;
  readonly denominator: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION';
}

const T = 'type.googleapis.com/';

/** `@type` values of every Any translation writes. */
export const TYPE_URL = {
  listener: `${T}envoy.config.listener.v3.Listener`,
  routeConfiguration: `${T}envoy.config.route.v3.RouteConfiguration`,
  cluster: `${T}envoy.config.cluster.v3.Cluster`,
  clusterLoadAssignment: `${T}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  httpConnectionManager: `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  router: `${T}envoy.extensions.filters.http.router.v3.Router`,
  httpFault: `${T}envoy.extensions.filters.http.fault.v3.HTTPFault`,
  cors: `${T}envoy.extensions.filters.http.cors.v3.Cors`,
  corsPolicy: `${T}envoy.extensions.filters.http.cors.v3.CorsPolicy`,
  filterConfig: `${T}envoy.config.route.v3.FilterConfig`,
  previousHosts: `${T}envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate`,
  previousPriorities: `${T}envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig`,
  httpProtocolOptions: `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
  lbRoundRobin: `${T}envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin`,
  lbLeastRequest: `${T}envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest`,
  lbRandom: `${T}envoy.extensions.load_balancing_policies.random.v3.Random`,
  lbRingHash: `${T}envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash`,
  lbMaglev: `${T}envoy.extensions.load_balancing_policies.maglev.v3.Maglev`,
  lbWrrLocality: `${T}envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality`,
  upstreamTlsContext: `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
  downstreamTlsContext: `${T}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
} as const;

/** Envoy's well-known extension names used as map keys and filter names. */
export const WELL_KNOWN = {
  httpConnectionManager: 'envoy.filters.network.http_connection_manager',
  faultFilter: 'envoy.filters.http.fault',
  corsFilter: 'envoy.filters.http.cors',
  routerFilter: 'envoy.filters.http.router',
  previousHostsPredicate: 'envoy.retry_host_predicates.previous_hosts',
  previousPriorities: 'envoy.retry_priorities.previous_priorities',
  httpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  lbRoundRobin: 'envoy.load_balancing_policies.round_robin',
  lbLeastRequest: 'envoy.load_balancing_policies.least_request',
  lbRandom: 'envoy.load_balancing_policies.random',
  lbRingHash: 'envoy.load_balancing_policies.ring_hash',
  lbMaglev: 'envoy.load_balancing_policies.maglev',
  lbWrrLocality: 'envoy.load_balancing_policies.wrr_locality',
  tlsTransportSocket: 'envoy.transport_sockets.tls',
  rawBufferTransportSocket: 'envoy.transport_sockets.raw_buffer',
} as const;

/**
 * The `filter_metadata` key under which translation records where a resource came from
 * (source VirtualService and route index, DestinationRule, workload identity). mesh-client's
 * `explain` and secure naming read it.
 */
export const METADATA_KEY = 'inboard';

/** The ADS config source every RDS and EDS reference uses. */
export const ADS_CONFIG_SOURCE: EnvoyObject = Object.freeze({ ads: {}, resource_api_version: 'V3' });

/** UINT32 max, Istio's "unlimited" for circuit-breaker thresholds. */
export const MAX_UINT32 = 4294967295;

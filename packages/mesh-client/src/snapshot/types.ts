// The immutable MeshSnapshot: every accepted Listener, RouteConfiguration, Cluster and
// ClusterLoadAssignment compiled once. Each call reads one snapshot; a push swaps it whole.

import type { StringMatch } from '../routing/matchers';
import type { FaultPolicy, MetadataMap, RouteTable } from '../routing/types';

/** xDS resource families. */
export type ResourceFamily = 'listeners' | 'routes' | 'clusters' | 'endpoints';

/** Envoy health status of an endpoint (core.v3.HealthStatus). */
export type HealthStatus = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TIMEOUT' | 'DEGRADED';

/** core.v3.Locality. */
export interface Locality {
  readonly region: string;
  readonly zone: string;
  readonly subZone: string;
}

/** One upstream endpoint (LbEndpoint). */
export interface Endpoint {
  /** Identity of the endpoint for state stores and hashing: `address:port` (`[v6]:port`). */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  /** Endpoint.hostname (auto_host_rewrite, use_hostname_for_hashing). */
  readonly hostname?: string;
  /** load_balancing_weight (default 1). */
  readonly weight: number;
  readonly health: HealthStatus;
  readonly metadata: MetadataMap;
  /** Workload identity from `filter_metadata.inboard.identity` (spiffe://…), when the control plane sends it. */
  readonly identity?: string;
  /** `filter_metadata["envoy.transport_socket_match"].tlsMode` (Istio: "istio" = mTLS capable). */
  readonly tlsMode?: string;
  readonly locality: Locality;
  readonly priority: number;
}

/** Endpoints of one locality at one priority (LocalityLbEndpoints). */
export interface LocalityEndpoints {
  readonly locality: Locality;
  /** `region/zone/subZone`. */
  readonly localityKey: string;
  /** load_balancing_weight of the locality; undefined when unset (weight 0 under locality-weighted LB). */
  readonly weight?: number;
  readonly priority: number;
  readonly endpoints: readonly Endpoint[];
}

/** A compiled ClusterLoadAssignment (or a cluster's inline load_assignment). */
export interface ClusterEndpoints {
  /** ClusterLoadAssignment.cluster_name (the EDS service name). */
  readonly clusterName: string;
  readonly localities: readonly LocalityEndpoints[];
  /** All endpoints, in order. */
  readonly endpoints: readonly Endpoint[];
  /** policy.overprovisioning_factor in percent (default 140). */
  readonly overprovisioningFactor: number;
  /** policy.drop_overloads as parts per million per category (carried; not applied by pickers). */
  readonly dropOverloads: readonly { readonly category: string; readonly perMillion: number }[];
}

/** Load balancing algorithms a picker implements. */
export type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'RING_HASH' | 'MAGLEV' | 'PICK_FIRST' | 'CLUSTER_PROVIDED';

/** Circuit breaker thresholds of one routing priority, Envoy's defaults applied. */
export interface CircuitBreakerThresholds {
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  readonly maxRequests: number;
  readonly maxRetries: number;
  /** When set, max_retries is replaced by a budget: retries ≤ budgetPercent % of active requests (≥ minRetryConcurrency). */
  readonly retryBudget?: { readonly budgetPercent: number; readonly minRetryConcurrency: number };
  readonly maxConnectionPools?: number;
}

/** OutlierDetection with Envoy's defaults applied (times in ms, percentages 0–100). */
export interface OutlierDetectionConfig {
  readonly consecutive5xx: number;
  readonly intervalMs: number;
  readonly baseEjectionTimeMs: number;
  readonly maxEjectionTimeMs: number;
  readonly maxEjectionTimeJitterMs: number;
  readonly maxEjectionPercent: number;
  readonly enforcingConsecutive5xx: number;
  readonly consecutiveGatewayFailure: number;
  readonly enforcingConsecutiveGatewayFailure: number;
  readonly splitExternalLocalOriginErrors: boolean;
  readonly consecutiveLocalOriginFailure: number;
  readonly enforcingConsecutiveLocalOriginFailure: number;
  readonly enforcingSuccessRate: number;
  readonly successRateMinimumHosts: number;
  readonly successRateRequestVolume: number;
  readonly successRateStdevFactor: number;
  readonly enforcingLocalOriginSuccessRate: number;
  readonly failurePercentageThreshold: number;
  readonly enforcingFailurePercentage: number;
  readonly enforcingFailurePercentageLocalOrigin: number;
  readonly failurePercentageMinimumHosts: number;
  readonly failurePercentageRequestVolume: number;
  readonly alwaysEjectOneHost: boolean;
}

/** Upstream TLS (UpstreamTlsContext) as the transport needs it. */
export interface UpstreamTls {
  readonly sni?: string;
  readonly alpn: readonly string[];
  /** match_subject_alt_names / match_typed_subject_alt_names: the peer must present a SAN matching one. */
  readonly subjectAltNames: readonly { readonly sanType?: string; readonly matcher: StringMatch }[];
  /** Where the client certificate comes from. */
  readonly certificate?: { readonly kind: 'sds'; readonly name: string } | { readonly kind: 'provider'; readonly instance: string; readonly certificateName?: string } | { readonly kind: 'inline' };
  /** Where the trusted CA comes from. */
  readonly validation?: { readonly kind: 'sds'; readonly name: string } | { readonly kind: 'provider'; readonly instance: string; readonly certificateName?: string } | { readonly kind: 'inline' };
  /** The UpstreamTlsContext as received (frozen). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** One transport_socket_matches entry: endpoints whose transport-socket metadata contains `match` use `tls`. */
export interface TransportSocketMatch {
  readonly name: string;
  readonly match: Readonly<Record<string, unknown>>;
  /** undefined = plaintext (raw_buffer). */
  readonly tls?: UpstreamTls;
}

/** A compiled Cluster. */
export interface ClusterConfig {
  readonly name: string;
  readonly type: 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST' | 'AGGREGATE';
  /** EDS resource name (eds_cluster_config.service_name, else the cluster name). */
  readonly edsServiceName?: string;
  /** Clusters of an aggregate cluster, in priority order. */
  readonly aggregateClusters?: readonly string[];
  /** Inline endpoints of STATIC / DNS clusters. */
  readonly loadAssignment?: ClusterEndpoints;
  readonly connectTimeoutMs: number;
  readonly lbPolicy: LbPolicy;
  readonly ringHash: { readonly minRingSize: number; readonly maxRingSize: number; readonly useHostnameForHashing: boolean };
  readonly leastRequest: { readonly choiceCount: number; readonly activeRequestBias: number };
  readonly maglevTableSize: number;
  /** common_lb_config.locality_weighted_lb_config set: localities are weighted. */
  readonly localityWeighted: boolean;
  /** common_lb_config.healthy_panic_threshold (default 50). */
  readonly panicThresholdPercent: number;
  readonly failTrafficOnPanic: boolean;
  readonly circuitBreakers: { readonly default: CircuitBreakerThresholds; readonly high: CircuitBreakerThresholds; readonly perHostMaxConnections?: number };
  readonly outlierDetection?: OutlierDetectionConfig;
  /** Upstream protocol: explicit http1/http2, 'auto' (ALPN) or 'downstream' (same as the caller). */
  readonly protocol: 'http1' | 'http2' | 'auto' | 'downstream';
  readonly maxRequestsPerConnection?: number;
  readonly idleTimeoutMs?: number;
  readonly maxConnectionDurationMs?: number;
  /** transport_socket: undefined = plaintext. */
  readonly tls?: UpstreamTls;
  readonly transportSocketMatches: readonly TransportSocketMatch[];
  readonly originalDst?: { readonly useHttpHeader: boolean; readonly httpHeaderName: string; readonly upstreamPortOverride?: number };
  readonly metadata: MetadataMap;
}

/** An HTTP filter of an HttpConnectionManager. */
export interface HttpFilterSpec {
  readonly name: string;
  readonly typeName?: string;
  readonly optional: boolean;
  readonly disabled: boolean;
  /** Compiled when the filter is the fault filter. */
  readonly fault?: FaultPolicy;
  /** The typed_config message as received (frozen), for layers that interpret it (RBAC). */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A compiled HttpConnectionManager. */
export interface HttpConnectionManagerSpec {
  /** RDS route configuration name, when routes come over RDS. */
  readonly routeConfigName?: string;
  /** Inline route_config. */
  readonly inlineRouteTable?: RouteTable;
  readonly httpFilters: readonly HttpFilterSpec[];
  /** strip_any_host_port / strip_matching_host_port. */
  readonly stripPort?: 'any' | 'matching';
  readonly streamIdleTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly maxStreamDurationMs?: number;
}

/** A compiled Listener. */
export interface ListenerSpec {
  readonly name: string;
  /** api_listener (client side) or a socket listener (server side, filter chains). */
  readonly kind: 'api' | 'socket';
  /** The HCM of the api_listener, or of the first filter chain that has one. */
  readonly http?: HttpConnectionManagerSpec;
  /** Route configuration name (RDS), when the HCM uses RDS. */
  readonly routeConfigName?: string;
  readonly address?: { readonly address: string; readonly port: number };
  readonly filterChains: readonly { readonly name: string; readonly match: Readonly<Record<string, unknown>>; readonly http?: HttpConnectionManagerSpec; readonly transportSocket?: Readonly<Record<string, unknown>> }[];
  /** Listener metadata (inbound listeners carry `inboard` settings: mTLS mode, path normalization). */
  readonly metadata: MetadataMap;
}

/** Config accepted but not (fully) honoured, for explain. */
export interface ConfigNote {
  readonly family: ResourceFamily;
  readonly name: string;
  /** Field path inside the resource. */
  readonly path: string;
  readonly message: string;
}

/** A resource that failed validation: NACK it; the previous version (if any) stays in force. */
export interface ResourceError {
  readonly family: ResourceFamily;
  readonly typeUrl: string;
  readonly name: string;
  /** Every problem, `field.path: what is wrong`, joined with '; '. */
  readonly message: string;
  readonly problems: readonly { readonly path: string; readonly message: string }[];
}

/** Everything the client knows, compiled and deeply frozen (maps are ReadonlyMap). */
export interface MeshSnapshot {
  /** Changes whenever any resource changes. */
  readonly version: string;
  readonly listeners: ReadonlyMap<string, ListenerSpec>;
  readonly routeTables: ReadonlyMap<string, RouteTable>;
  readonly clusters: ReadonlyMap<string, ClusterConfig>;
  /** Endpoints by cluster name (EDS resolved through edsServiceName; inline load_assignment for STATIC/DNS). */
  readonly endpoints: ReadonlyMap<string, ClusterEndpoints>;
  /** ClusterLoadAssignments by resource name, as received (also those no cluster references yet). */
  readonly assignments: ReadonlyMap<string, ClusterEndpoints>;
  /** Config accepted but not honoured, per resource. */
  readonly notes: readonly ConfigNote[];
}

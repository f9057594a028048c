// Compiled, immutable route tables: what a RouteConfiguration becomes inside a MeshSnapshot.
// Produced by snapshot/compile-route-config.ts; read by match.ts, split.ts and actions.ts.

import type { HeaderMatch, QueryParameterMatch } from './matchers';
import type { CompiledSubstitution } from './regex';
import type { RequestView } from './request-view';

/** Metadata as `filter namespace → plain JSON` (core.v3.Metadata.filter_metadata). */
export type MetadataMap = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** A compiled RouteMatch path specifier. */
export interface PathMatch {
  readonly kind: 'prefix' | 'path' | 'regex' | 'path_separated_prefix' | 'connect' | 'unsupported';
  readonly value: string;
  readonly caseSensitive: boolean;
  test(view: RequestView): boolean;
}

/** A compiled RouteMatch: every condition must hold (AND). */
export interface CompiledRouteMatch {
  readonly path: PathMatch;
  readonly headers: readonly HeaderMatch[];
  readonly queryParameters: readonly QueryParameterMatch[];
  /** runtime_fraction default_value in parts per million; undefined = always. */
  readonly runtimeFractionPerMillion?: number;
  /** Only gRPC requests (content-type application/grpc[+…]). */
  readonly grpc: boolean;
  readonly tlsContext?: { readonly presented?: boolean; readonly validated?: boolean };
  /** Set when a condition cannot be evaluated (dynamic_metadata, path_match_policy): the route never matches. */
  readonly neverMatches?: string;
}

/** One header to add (core.v3.HeaderValueOption). */
export interface HeaderAddition {
  readonly name: string;
  readonly value: string;
  readonly action: 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';
  readonly keepEmptyValue: boolean;
}

/** Header mutations of one level (weighted cluster, route, virtual host or route configuration). */
export interface HeaderMutation {
  readonly remove: readonly string[];
  readonly add: readonly HeaderAddition[];
}

/** A compiled HTTPFault (filter config or per-route override). Fractions in parts per million. */
export interface FaultPolicy {
  /** `headerScale`: parts per million of one unit of a header percentage (the configured denominator's). */
  readonly delay?: { readonly fixedDelayMs?: number; readonly fromHeader: boolean; readonly perMillion: number; readonly headerScale?: number };
  readonly abort?: { readonly httpStatus?: number; readonly grpcStatus?: number; readonly fromHeader: boolean; readonly perMillion: number; readonly headerScale?: number };
  readonly responseRateLimit?: { readonly fixedKbps?: number; readonly fromHeader: boolean; readonly perMillion: number };
  /** The fault applies only when all these match. */
  readonly headers: readonly HeaderMatch[];
  /** The fault applies only to requests bound to this cluster. */
  readonly upstreamCluster?: string;
  readonly downstreamNodes: readonly string[];
  readonly maxActiveFaults?: number;
}

/** A per-route (virtual host, route config, weighted cluster) filter override (typed_per_filter_config). */
export interface FilterOverride {
  /** Filter config name (the map key). */
  readonly name: string;
  /** Message name of the config, e.g. envoy.extensions.filters.http.fault.v3.HTTPFault. */
  readonly typeName?: string;
  /** FilterConfig.disabled: the filter is off for this scope. */
  readonly disabled: boolean;
  readonly optional: boolean;
  /** The config message as received (frozen), for layers that interpret it (e.g. RBACPerRoute). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Set when the config is an HTTPFault. */
  readonly fault?: FaultPolicy;
}

/** Filter overrides by filter name. */
export type FilterOverrides = ReadonlyMap<string, FilterOverride>;

/** A compiled RetryPolicy. Times in ms. */
export interface RetryPolicy {
  /** retry_on tokens (x-envoy-retry-on / x-envoy-retry-grpc-on names). */
  readonly retryOn: readonly string[];
  readonly numRetries: number;
  readonly perTryTimeoutMs?: number;
  readonly perTryIdleTimeoutMs?: number;
  readonly retriableStatusCodes: readonly number[];
  readonly backoff: { readonly baseIntervalMs: number; readonly maxIntervalMs: number };
  readonly rateLimitedBackoff?: { readonly resetHeaders: readonly { readonly name: string; readonly format: 'SECONDS' | 'UNIX_TIMESTAMP' }[]; readonly maxIntervalMs: number };
  /** retry_host_predicate names, e.g. envoy.retry_host_predicates.previous_hosts. */
  readonly hostPredicates: readonly string[];
  /** True when the previous_hosts predicate is configured: retries avoid hosts already tried. */
  readonly avoidPreviousHosts: boolean;
  readonly hostSelectionRetryMaxAttempts: number;
  readonly retriableHeaders: readonly HeaderMatch[];
  readonly retriableRequestHeaders: readonly HeaderMatch[];
}

/** One hash policy of a RouteAction. */
export type HashPolicy =
  | { readonly kind: 'header'; readonly name: string; readonly regexRewrite?: CompiledSubstitution; readonly terminal: boolean }
  | { readonly kind: 'cookie'; readonly name: string; readonly ttlMs?: number; readonly path?: string; readonly attributes: readonly { readonly name: string; readonly value: string }[]; readonly terminal: boolean }
  | { readonly kind: 'source_ip'; readonly terminal: boolean }
  | { readonly kind: 'query_parameter'; readonly name: string; readonly terminal: boolean }
  | { readonly kind: 'filter_state'; readonly key: string; readonly terminal: boolean };

/** A compiled RequestMirrorPolicy. */
export interface MirrorPolicy {
  readonly cluster?: string;
  readonly clusterHeader?: string;
  /** Share of requests mirrored, parts per million (unset runtime_fraction = all). */
  readonly perMillion: number;
  readonly traceSampled: boolean;
  /** Append `-shadow` to the mirrored authority (default true). */
  readonly appendShadowSuffix: boolean;
}

/** One entry of weighted_clusters. */
export interface WeightedClusterEntry {
  readonly name?: string;
  readonly clusterHeader?: string;
  readonly weight: number;
  readonly requestHeaders: HeaderMutation;
  readonly responseHeaders: HeaderMutation;
  readonly hostRewriteLiteral?: string;
  readonly filterOverrides: FilterOverrides;
  readonly metadataMatch?: MetadataMap;
}

/** Where a forwarded request goes. */
export type ClusterTarget =
  | { readonly kind: 'cluster'; readonly cluster: string }
  | { readonly kind: 'cluster_header'; readonly header: string }
  | { readonly kind: 'weighted'; readonly clusters: readonly WeightedClusterEntry[]; readonly totalWeight: number; readonly randomValueHeader?: string };

/** How the Host/:authority is rewritten on forwarding. */
export type HostRewrite =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'auto' }
  | { readonly kind: 'header'; readonly header: string }
  | { readonly kind: 'path_regex'; readonly substitution: CompiledSubstitution };

/** RouteAction: forward upstream. */
export interface ForwardAction {
  readonly kind: 'forward';
  readonly target: ClusterTarget;
  /** HTTP status when the cluster does not exist (cluster_not_found_response_code; default 503). */
  readonly clusterNotFoundStatus: 503 | 404 | 500;
  readonly prefixRewrite?: string;
  readonly regexRewrite?: CompiledSubstitution;
  readonly hostRewrite?: HostRewrite;
  readonly appendXForwardedHost: boolean;
  /** Route timeout in ms covering all retries; 0 = disabled. Envoy's default is 15 s when unset. */
  readonly timeoutMs: number;
  /** True when `timeout` was unset and Envoy's 15 s default applies. */
  readonly timeoutDefaulted: boolean;
  readonly idleTimeoutMs?: number;
  /** The effective retry policy: the route's, else the virtual host's (never merged). */
  readonly retryPolicy?: RetryPolicy;
  readonly hashPolicies: readonly HashPolicy[];
  /** The effective mirror policies: route's, else virtual host's, else route configuration's. */
  readonly mirrorPolicies: readonly MirrorPolicy[];
  readonly maxStreamDuration?: { readonly maxStreamDurationMs?: number; readonly grpcTimeoutHeaderMaxMs?: number; readonly grpcTimeoutHeaderOffsetMs?: number };
  readonly priority: 'DEFAULT' | 'HIGH';
  readonly upgradeConfigs: readonly { readonly upgradeType: string; readonly enabled: boolean }[];
  readonly metadataMatch?: MetadataMap;
}

/** RedirectAction: answer with a redirect. */
export interface RedirectAction {
  readonly kind: 'redirect';
  readonly scheme?: string;
  readonly host?: string;
  readonly port?: number;
  readonly pathRedirect?: string;
  readonly prefixRewrite?: string;
  readonly regexRewrite?: CompiledSubstitution;
  readonly status: 301 | 302 | 303 | 307 | 308;
  readonly stripQuery: boolean;
}

/** DirectResponseAction: answer locally. */
export interface DirectResponseAction {
  readonly kind: 'direct';
  readonly status: number;
  readonly body?: string | Uint8Array;
}

/** NonForwardingAction: the request is served by this process (xDS server-side routes). */
export interface NonForwardingAction {
  readonly kind: 'non_forwarding';
}

/** A route's action. */
export type RouteAction = ForwardAction | RedirectAction | DirectResponseAction | NonForwardingAction;

/** Where a route came from, for explain (route metadata `inboard`, or Istio's `istio.config`). */
export interface RouteSource {
  /** `namespace/name` of the VirtualService. */
  readonly virtualService?: string;
  /** Index of the rule in the VirtualService's `http` list. */
  readonly routeIndex?: number;
  /** Istio's config path, e.g. /apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews. */
  readonly config?: string;
}

/** A compiled Route. */
export interface CompiledRoute {
  /** Position in the virtual host's route list. */
  readonly index: number;
  readonly name?: string;
  readonly match: CompiledRouteMatch;
  readonly action: RouteAction;
  readonly requestHeaders: HeaderMutation;
  readonly responseHeaders: HeaderMutation;
  readonly filterOverrides: FilterOverrides;
  readonly metadata: MetadataMap;
  readonly source?: RouteSource;
  readonly decoratorOperation?: string;
}

/** A compiled VirtualHost. */
export interface VirtualHost {
  readonly name: string;
  /** Lower-cased, as Envoy matches them. */
  readonly domains: readonly string[];
  readonly routes: readonly CompiledRoute[];
  readonly requestHeaders: HeaderMutation;
  readonly responseHeaders: HeaderMutation;
  readonly retryPolicy?: RetryPolicy;
  readonly mirrorPolicies: readonly MirrorPolicy[];
  readonly filterOverrides: FilterOverrides;
  readonly requireTls: 'NONE' | 'EXTERNAL_ONLY' | 'ALL';
  readonly includeRequestAttemptCount: boolean;
  readonly includeAttemptCountInResponse: boolean;
  readonly metadata: MetadataMap;
}

/** Envoy's virtual host lookup structure (exact, suffix and prefix wildcards by length, `*`). */
export interface DomainIndex {
  readonly exact: ReadonlyMap<string, VirtualHost>;
  /** `*.foo.com` / `*-bar.foo.com`: suffix → host, grouped by suffix length, longest first. */
  readonly suffixes: readonly { readonly length: number; readonly hosts: ReadonlyMap<string, VirtualHost> }[];
  /** `foo.*` / `foo-*`: prefix → host, grouped by prefix length, longest first. */
  readonly prefixes: readonly { readonly length: number; readonly hosts: ReadonlyMap<string, VirtualHost> }[];
  readonly any?: VirtualHost;
}

/** A compiled RouteConfiguration. */
export interface RouteTable {
  readonly name: string;
  readonly virtualHosts: readonly VirtualHost[];
  readonly domains: DomainIndex;
  readonly ignorePortInHostMatching: boolean;
  readonly ignorePathParametersInPathMatching: boolean;
  readonly requestHeaders: HeaderMutation;
  readonly responseHeaders: HeaderMutation;
  /** False (default): mutations apply most specific first, so route-config-level values win. */
  readonly mostSpecificHeaderMutationsWins: boolean;
  readonly mirrorPolicies: readonly MirrorPolicy[];
  readonly filterOverrides: FilterOverrides;
  readonly metadata: MetadataMap;
}

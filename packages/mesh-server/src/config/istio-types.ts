// TypeScript shapes of the Istio and Kubernetes specs the control plane accepts, field for field
// as Istio's API reference names them. Validation (validate/*.ts) guarantees a stored spec matches.
// Durations stay strings ("1.5s", "100ms") as users write them; parseDuration() converts them.

export type Duration = string;

// ---- networking.istio.io VirtualService --------------------------------------------------------

export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: HTTPRoute[];
  tls?: TLSRoute[];
  tcp?: TCPRoute[];
  exportTo?: string[];
}

export interface StringMatch { exact?: string; prefix?: string; regex?: string }

export interface HTTPMatchRequest {
  name?: string;
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  headers?: Record<string, StringMatch>;
  port?: number;
  sourceLabels?: Record<string, string>;
  gateways?: string[];
  queryParams?: Record<string, StringMatch>;
  ignoreUriCase?: boolean;
  withoutHeaders?: Record<string, StringMatch>;
  sourceNamespace?: string;
  statPrefix?: string;
}

export interface PortSelector { number?: number }

export interface Destination { host: string; subset?: string; port?: PortSelector }

export interface HTTPRouteDestination { destination: Destination; weight?: number; headers?: Headers }

export interface HeaderOperations { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] }
export interface Headers { request?: HeaderOperations; response?: HeaderOperations }

export interface HTTPRedirect {
  uri?: string;
  authority?: string;
  port?: number;
  derivePort?: 'FROM_PROTOCOL_DEFAULT' | 'FROM_REQUEST_PORT';
  scheme?: string;
  redirectCode?: number;
  /** Replaces the matched URI prefix (all of the route's URI matches must be prefix matches). */
  prefixRewrite?: string;
}

export interface HTTPDirectResponse { status: number; body?: { string?: string; bytes?: string } }

export interface RegexRewrite { match: string; rewrite: string }
export interface HTTPRewrite { uri?: string; uriRegexRewrite?: RegexRewrite; authority?: string }

export interface HTTPRetry {
  attempts?: number;
  perTryTimeout?: Duration;
  retryOn?: string;
  retryRemoteLocalities?: boolean;
  backoff?: Duration;
  /** Retry on a different host than the ones already tried (Istio's default: true). */
  retryIgnorePreviousHosts?: boolean;
}

export interface Percent { value: number }

export interface HTTPFaultInjection {
  delay?: { fixedDelay?: Duration; percentage?: Percent; percent?: number };
  abort?: { httpStatus?: number; grpcStatus?: string; percentage?: Percent };
}

export interface CorsPolicy {
  allowOrigins?: StringMatch[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: Duration;
  allowCredentials?: boolean;
  unmatchedPreflights?: 'UNSPECIFIED' | 'FORWARD' | 'IGNORE';
  /** Deprecated: exact origins ("*" = all); use allowOrigins. */
  allowOrigin?: string[];
}

export interface HTTPRoute {
  name?: string;
  match?: HTTPMatchRequest[];
  route?: HTTPRouteDestination[];
  redirect?: HTTPRedirect;
  directResponse?: HTTPDirectResponse;
  delegate?: { name?: string; namespace?: string };
  rewrite?: HTTPRewrite;
  timeout?: Duration;
  retries?: HTTPRetry;
  fault?: HTTPFaultInjection;
  mirror?: Destination;
  mirrors?: { destination: Destination; percentage?: Percent }[];
  mirrorPercentage?: Percent;
  /** Deprecated integer form of mirrorPercentage (0–100). */
  mirrorPercent?: number;
  corsPolicy?: CorsPolicy;
  headers?: Headers;
}

export interface L4MatchAttributes {
  destinationSubnets?: string[];
  port?: number;
  sourceLabels?: Record<string, string>;
  gateways?: string[];
  sourceNamespace?: string;
  /** TCP matches only: source IP or CIDR. */
  sourceSubnet?: string;
}
export interface TLSMatchAttributes extends L4MatchAttributes { sniHosts: string[] }
export interface RouteDestination { destination: Destination; weight?: number }
export interface TLSRoute { match: TLSMatchAttributes[]; route?: RouteDestination[] }
export interface TCPRoute { match?: L4MatchAttributes[]; route?: RouteDestination[] }

// ---- networking.istio.io DestinationRule -------------------------------------------------------

export interface DestinationRuleSpec {
  host: string;
  trafficPolicy?: TrafficPolicy;
  subsets?: Subset[];
  exportTo?: string[];
  workloadSelector?: WorkloadSelector;
}

export interface Subset { name: string; labels?: Record<string, string>; trafficPolicy?: TrafficPolicy }

export interface TrafficPolicy {
  loadBalancer?: LoadBalancerSettings;
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
  tls?: ClientTLSSettings;
  portLevelSettings?: (Omit<TrafficPolicy, 'portLevelSettings'> & { port?: PortSelector })[];
  tunnel?: unknown;
  proxyProtocol?: unknown;
  retryBudget?: { percent?: number; minRetryConcurrency?: number; budgetInterval?: Duration };
}

export type SimpleLB = 'UNSPECIFIED' | 'LEAST_CONN' | 'RANDOM' | 'PASSTHROUGH' | 'ROUND_ROBIN' | 'LEAST_REQUEST';

export interface ConsistentHashLB {
  httpHeaderName?: string;
  httpCookie?: { name: string; path?: string; ttl?: Duration; attributes?: { name: string; value?: string }[] };
  useSourceIp?: boolean;
  httpQueryParameterName?: string;
  ringHash?: { minimumRingSize?: number };
  maglev?: { tableSize?: number };
  minimumRingSize?: number;
}

export interface LocalityLoadBalancerSetting {
  distribute?: { from?: string; to?: Record<string, number> }[];
  failover?: { from?: string; to?: string }[];
  failoverPriority?: string[];
  enabled?: boolean;
}

export interface LoadBalancerSettings {
  simple?: SimpleLB;
  consistentHash?: ConsistentHashLB;
  localityLbSetting?: LocalityLoadBalancerSetting;
  warmupDurationSecs?: Duration;
  warmup?: { duration: Duration; minimumPercent?: number; aggression?: number };
  zoneAwareLbSetting?: {
    enabled?: boolean;
    failover?: { from?: string; to?: string }[];
    failoverPriority?: string[];
    minClusterSize?: number;
  };
  backendUtilization?: {
    errorUtilizationPenaltyPercent?: number;
    metricNamesForComputingUtilization?: string[];
    weightExpirationPeriod?: Duration;
    weightStabilizationPeriod?: Duration;
    weightUpdatePeriod?: Duration;
  };
}

export interface ConnectionPoolSettings {
  tcp?: {
    maxConnections?: number;
    connectTimeout?: Duration;
    tcpKeepalive?: { probes?: number; time?: Duration; interval?: Duration };
    maxConnectionDuration?: Duration;
    idleTimeout?: Duration;
  };
  http?: {
    http1MaxPendingRequests?: number;
    http2MaxRequests?: number;
    maxRequestsPerConnection?: number;
    maxRetries?: number;
    idleTimeout?: Duration;
    h2UpgradePolicy?: 'DEFAULT' | 'DO_NOT_UPGRADE' | 'UPGRADE';
    useClientProtocol?: boolean;
    maxConcurrentStreams?: number;
    http2KeepAlive?: { interval: Duration; timeout: Duration };
  };
}

export interface OutlierDetection {
  splitExternalLocalOriginErrors?: boolean;
  consecutiveLocalOriginFailures?: number;
  consecutiveGatewayErrors?: number;
  consecutive5xxErrors?: number;
  /** Deprecated alias of consecutive5xxErrors that Istio still accepts. */
  consecutiveErrors?: number;
  interval?: Duration;
  baseEjectionTime?: Duration;
  maxEjectionPercent?: number;
  minHealthPercent?: number;
  /** Status codes (100–599) that count as errors for outlier detection. */
  outlierDetectionHttpErrorCodes?: number[];
}

export interface ClientTLSSettings {
  mode?: 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';
  clientCertificate?: string;
  privateKey?: string;
  caCertificates?: string;
  credentialName?: string;
  subjectAltNames?: string[];
  sni?: string;
  insecureSkipVerify?: boolean;
  caCrl?: string;
}

// ---- networking.istio.io Gateway ---------------------------------------------------------------

export interface GatewaySpec { servers: Server[]; selector?: Record<string, string> }

export interface Server {
  port: { number: number; protocol: string; name?: string; targetPort?: number };
  bind?: string;
  hosts: string[];
  tls?: ServerTLSSettings;
  name?: string;
  defaultEndpoint?: string;
}

export interface ServerTLSSettings {
  httpsRedirect?: boolean;
  mode?: 'PASSTHROUGH' | 'SIMPLE' | 'MUTUAL' | 'AUTO_PASSTHROUGH' | 'ISTIO_MUTUAL' | 'OPTIONAL_MUTUAL';
  serverCertificate?: string;
  privateKey?: string;
  caCertificates?: string;
  credentialName?: string;
  subjectAltNames?: string[];
  minProtocolVersion?: string;
  maxProtocolVersion?: string;
  cipherSuites?: string[];
  caCrl?: string;
  credentialNames?: string[];
  tlsCertificates?: { serverCertificate?: string; privateKey?: string; caCertificates?: string }[];
  ecdhCurves?: string[];
  verifyCertificateSpki?: string[];
  verifyCertificateHash?: string[];
  caCertCredentialName?: string;
  insecureSkipVerify?: boolean;
}

// ---- networking.istio.io ServiceEntry / WorkloadEntry ------------------------------------------

export interface ServicePort { number: number; protocol?: string; name: string; targetPort?: number }

export interface WorkloadEntrySpec {
  address?: string;
  ports?: Record<string, number>;
  labels?: Record<string, string>;
  network?: string;
  locality?: string;
  weight?: number;
  serviceAccount?: string;
}

export interface ServiceEntrySpec {
  hosts: string[];
  addresses?: string[];
  ports?: ServicePort[];
  location?: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
  resolution?: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN';
  endpoints?: WorkloadEntrySpec[];
  workloadSelector?: WorkloadSelector;
  exportTo?: string[];
  subjectAltNames?: string[];
}

export interface WorkloadSelector { matchLabels?: Record<string, string> }

// ---- security.istio.io -------------------------------------------------------------------------

export interface PeerAuthenticationSpec {
  selector?: WorkloadSelector;
  mtls?: { mode?: MTLSMode };
  portLevelMtls?: Record<string, { mode?: MTLSMode }>;
}
export type MTLSMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface AuthorizationPolicySpec {
  selector?: WorkloadSelector;
  targetRef?: PolicyTargetReference;
  targetRefs?: PolicyTargetReference[];
  rules?: Rule[];
  action?: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
  provider?: { name?: string };
}
export interface PolicyTargetReference { group?: string; kind: string; name: string; namespace?: string }

export interface Rule { from?: { source?: Source }[]; to?: { operation?: Operation }[]; when?: Condition[] }
export interface Source {
  principals?: string[]; notPrincipals?: string[];
  requestPrincipals?: string[]; notRequestPrincipals?: string[];
  namespaces?: string[]; notNamespaces?: string[];
  ipBlocks?: string[]; notIpBlocks?: string[];
  remoteIpBlocks?: string[]; notRemoteIpBlocks?: string[];
  serviceAccounts?: string[]; notServiceAccounts?: string[];
  trustDomains?: string[]; notTrustDomains?: string[];
}
export interface Operation {
  hosts?: string[]; notHosts?: string[];
  ports?: string[]; notPorts?: string[];
  methods?: string[]; notMethods?: string[];
  paths?: string[]; notPaths?: string[];
}
export interface Condition { key: string; values?: string[]; notValues?: string[] }

export interface RequestAuthenticationSpec {
  selector?: WorkloadSelector;
  targetRef?: PolicyTargetReference;
  targetRefs?: PolicyTargetReference[];
  jwtRules?: JWTRule[];
}
export interface JWTRule {
  issuer: string;
  audiences?: string[];
  jwksUri?: string;
  jwks?: string;
  fromHeaders?: { name: string; prefix?: string }[];
  fromParams?: string[];
  fromCookies?: string[];
  outputPayloadToHeader?: string;
  forwardOriginalToken?: boolean;
  outputClaimToHeaders?: { header: string; claim: string }[];
  timeout?: Duration;
  /** Only OPTIONAL (the default) is accepted by Inboard. */
  presence?: 'OPTIONAL';
}

// ---- core v1 Service ---------------------------------------------------------------------------

export interface ServiceSpec {
  ports?: { name?: string; port: number; targetPort?: number | string; protocol?: 'TCP' | 'UDP' | 'SCTP'; appProtocol?: string; nodePort?: number }[];
  selector?: Record<string, string>;
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIP?: string;
  externalName?: string;
  // Kubernetes fields a `kubectl get -o yaml` round trip carries; stored, no effect in Inboard.
  clusterIPs?: string[];
  ipFamilies?: ('IPv4' | 'IPv6')[];
  ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  internalTrafficPolicy?: 'Cluster' | 'Local';
  sessionAffinity?: 'None' | 'ClientIP';
}

/** The spec type for each kind, so code can write `SpecOf<'VirtualService'>`. */
export interface SpecByKind {
  VirtualService: VirtualServiceSpec;
  DestinationRule: DestinationRuleSpec;
  Gateway: GatewaySpec;
  ServiceEntry: ServiceEntrySpec;
  WorkloadEntry: WorkloadEntrySpec;
  PeerAuthentication: PeerAuthenticationSpec;
  AuthorizationPolicy: AuthorizationPolicySpec;
  RequestAuthentication: RequestAuthenticationSpec;
  Service: ServiceSpec;
}
export type SpecOf<K extends keyof SpecByKind> = SpecByKind[K];

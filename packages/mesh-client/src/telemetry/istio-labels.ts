// Istio's standard metric labels (istio.io "Istio Standard Metrics"), built from the mesh's own
// identity and a request's route outcome: outbound calls report as `source`, served requests as
// `destination`. Pure functions; MeshMetrics records what these return.

/** Every label of Istio's HTTP/gRPC metrics, in Istio's documentation order. */
export const ISTIO_LABEL_NAMES = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_canonical_service',
  'source_canonical_revision',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_cluster',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;

/** One of Istio's standard label names. */
export type IstioLabelName = (typeof ISTIO_LABEL_NAMES)[number];

/** The full Istio label set of one request. Values are never empty except `grpc_response_status` of HTTP. */
export type IstioRequestLabels = Readonly<Record<IstioLabelName, string>>;

/** Istio's value for what is not known. */
export const UNKNOWN = 'unknown';

/** Who one side of a request is, as Istio labels it. */
export interface WorkloadPeer {
  /** The workload (deployment-like, stable across instances), e.g. `reviews-v1`. */
  readonly workload: string;
  readonly namespace: string;
  /** SPIFFE identity, e.g. `spiffe://cluster.local/ns/default/sa/bookinfo-reviews`. */
  readonly principal: string;
  readonly app: string;
  readonly version: string;
  readonly canonicalService: string;
  readonly canonicalRevision: string;
  /** Istio's cluster id (`global.multiCluster.clusterName`). */
  readonly cluster: string;
}

/** A peer about which nothing is known. */
export const UNKNOWN_PEER: WorkloadPeer = Object.freeze({
  workload: UNKNOWN, namespace: UNKNOWN, principal: UNKNOWN, app: UNKNOWN, version: UNKNOWN,
  canonicalService: UNKNOWN, canonicalRevision: UNKNOWN, cluster: UNKNOWN,
});

/** What a workload is known by: its namespace, labels and service account (mesh-client's NodeIdentity fits). */
export interface WorkloadDescription {
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, unknown>>;
  readonly serviceAccount?: string;
  /** Explicit workload name; default `<app>-<version>` (BookInfo's deployment names), else `<app>`. */
  readonly workloadName?: string;
  /** Default `cluster.local`. */
  readonly trustDomain?: string;
  /** Cluster id; default `unknown`. */
  readonly cluster?: string;
}

/**
 * The Istio peer of a workload. Canonical service/revision follow Istio's label precedence
 * (`service.istio.io/canonical-name`, `app.kubernetes.io/name`, `app`; `…/canonical-revision`,
 * `app.kubernetes.io/version`, `version`, else `latest`).
 */
export function workloadPeer(description: WorkloadDescription): WorkloadPeer {
  const labels = description.labels ?? {};
  const label = (name: string): string | undefined => {
    const v = labels[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const app = label('app') ?? label('app.kubernetes.io/name');
  const version = label('version') ?? label('app.kubernetes.io/version');
  const workload = nonEmpty(description.workloadName) ?? (app && version ? `${app}-${version}` : app) ?? UNKNOWN;
  const namespace = nonEmpty(description.namespace) ?? UNKNOWN;
  const sa = nonEmpty(description.serviceAccount);
  return Object.freeze({
    workload,
    namespace,
    principal: sa && namespace !== UNKNOWN ? spiffePrincipal(namespace, sa, description.trustDomain) : UNKNOWN,
    app: app ?? UNKNOWN,
    version: version ?? UNKNOWN,
    canonicalService: label('service.istio.io/canonical-name') ?? label('app.kubernetes.io/name') ?? label('app') ?? workload,
    canonicalRevision: label('service.istio.io/canonical-revision') ?? label('app.kubernetes.io/version') ?? label('version') ?? 'latest',
    cluster: nonEmpty(description.cluster) ?? UNKNOWN,
  });
}

/** `spiffe://<trust domain>/ns/<ns>/sa/<sa>`. */
export function spiffePrincipal(namespace: string, serviceAccount: string, trustDomain = 'cluster.local'): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/**
 * The peer of an upstream endpoint from its EDS metadata (`filter_metadata.inboard`: labels,
 * namespace, service_account, identity, as mesh-server sends them). Without a `version` label
 * the cluster's subset name stands in for destination_version.
 */
export function endpointPeer(metadata: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined, subset?: string): WorkloadPeer {
  const inboard = metadata?.['inboard'] ?? {};
  const labels = { ...(isRecord(inboard['labels']) ? inboard['labels'] : {}) };
  if (labels['version'] === undefined && subset) labels['version'] = subset;
  const peer = workloadPeer({
    namespace: asString(inboard['namespace']),
    labels,
    serviceAccount: asString(inboard['service_account']),
  });
  const identity = asString(inboard['identity']);
  return identity?.startsWith('spiffe://') ? Object.freeze({ ...peer, principal: identity }) : peer;
}

/** A destination service as Istio labels it. */
export interface DestinationService {
  /** FQDN, e.g. `reviews.default.svc.cluster.local`. */
  readonly host: string;
  readonly name: string;
  readonly namespace: string;
}

/** The parts of an Istio cluster name `direction|port|subset|host`. */
export interface ClusterNameParts {
  readonly direction: 'outbound' | 'inbound';
  readonly port: number;
  /** '' when the cluster has no subset. */
  readonly subset: string;
  readonly host: string;
}

/** Parses `outbound|9080|v1|reviews.default.svc.cluster.local`; undefined for any other name. */
export function parseClusterName(name: string): ClusterNameParts | undefined {
  const known = PARSED_CLUSTER_NAMES.get(name);
  if (known !== undefined || PARSED_CLUSTER_NAMES.has(name)) return known;
  const parsed = parseClusterNameUncached(name);
  // A mesh has few cluster names and every request asks again: remember them (bounded).
  if (PARSED_CLUSTER_NAMES.size >= 4096) PARSED_CLUSTER_NAMES.clear();
  PARSED_CLUSTER_NAMES.set(name, parsed);
  return parsed;
}

const PARSED_CLUSTER_NAMES = new Map<string, ClusterNameParts | undefined>();

function parseClusterNameUncached(name: string): ClusterNameParts | undefined {
  const parts = name.split('|');
  if (parts.length !== 4) return undefined;
  const [direction, port, subset, host] = parts as [string, string, string, string];
  if ((direction !== 'outbound' && direction !== 'inbound') || !/^\d{1,5}$/.test(port)) return undefined;
  return Object.freeze({ direction, port: Number(port), subset, host });
}

/**
 * The destination service of a cluster name or host. `<svc>.<ns>.svc.<domain>` gives name and
 * namespace; other hosts (ServiceEntry) use the host as the name and `fallbackNamespace` (else unknown).
 */
export function destinationService(clusterOrHost: string, fallbackNamespace?: string): DestinationService {
  const host = (parseClusterName(clusterOrHost)?.host ?? clusterOrHost) || UNKNOWN;
  const labels = host.split('.');
  if (labels.length >= 4 && labels[2] === 'svc' && labels[0] && labels[1]) {
    return { host, name: labels[0], namespace: labels[1] };
  }
  return { host, name: host, namespace: nonEmpty(fallbackNamespace) ?? UNKNOWN };
}

/** How one logical request ended, for labels. */
export interface RequestOutcomeLabels {
  readonly protocol: 'http' | 'grpc';
  /** HTTP status sent back; 0 when no response was produced (Envoy's convention). */
  readonly responseCode: number;
  /** gRPC status of a gRPC response. */
  readonly grpcStatus?: number;
  /** Envoy response flags (`UH`, `UO,URX`); '' or undefined for none (reported as `-`). */
  readonly responseFlags?: string;
  /** True when the request travelled over the mesh's mutual TLS. */
  readonly mtls: boolean;
}

/**
 * Labels of an outbound call reported by the caller (reporter=source). Principals are reported only
 * under mTLS, and connection_security_policy is `unknown`, both as Istio does on the client side.
 */
export function outboundLabels(self: WorkloadPeer, destination: WorkloadPeer, service: DestinationService, outcome: RequestOutcomeLabels): IstioRequestLabels {
  return buildLabels('source', self, destination, service, outcome, UNKNOWN);
}

/**
 * Labels of a served request reported by the server (reporter=destination). `source` is what is
 * known about the caller (its certificate's principal, its peer metadata) — UNKNOWN_PEER otherwise.
 */
export function inboundLabels(self: WorkloadPeer, source: WorkloadPeer, service: DestinationService, outcome: RequestOutcomeLabels): IstioRequestLabels {
  return buildLabels('destination', source, self, service, outcome, outcome.mtls ? 'mutual_tls' : 'none');
}

function buildLabels(
  reporter: 'source' | 'destination', source: WorkloadPeer, destination: WorkloadPeer, service: DestinationService,
  outcome: RequestOutcomeLabels, securityPolicy: string,
): IstioRequestLabels {
  return {
    reporter,
    source_workload: source.workload,
    source_workload_namespace: source.namespace,
    source_principal: outcome.mtls ? source.principal : UNKNOWN,
    source_app: source.app,
    source_version: source.version,
    source_canonical_service: source.canonicalService,
    source_canonical_revision: source.canonicalRevision,
    source_cluster: source.cluster,
    destination_workload: destination.workload,
    destination_workload_namespace: destination.namespace,
    destination_principal: outcome.mtls ? destination.principal : UNKNOWN,
    destination_app: destination.app,
    destination_version: destination.version,
    destination_service: service.host,
    destination_service_name: service.name,
    destination_service_namespace: service.namespace,
    destination_canonical_service: destination.canonicalService,
    destination_canonical_revision: destination.canonicalRevision,
    destination_cluster: destination.cluster,
    request_protocol: outcome.protocol,
    response_code: String(outcome.responseCode),
    grpc_response_status: outcome.protocol === 'grpc' && outcome.grpcStatus !== undefined ? String(outcome.grpcStatus) : '',
    response_flags: outcome.responseFlags ? outcome.responseFlags : '-',
    connection_security_policy: securityPolicy,
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

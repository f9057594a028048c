// ClusterLoadAssignments from the registry: a service port's endpoints (subset-filtered) by locality
// (`locality` and `load_balancing_weight` always set, as grpc-js-xds requires), with health, weight,
// identity and labels in `filter_metadata.inboard` and Istio's auto-mTLS marker `envoy.transport_socket_match`.

import { isIP } from 'node:net';
import { toStruct } from '@inboard/xds';
import type { ServiceInfo, ServicePortInfo, WorkloadEndpoint } from '../../registry/types';
import type { TranslationContext } from './context';
import type { EnvoyObject } from './envoy-names';
import { inboardMetadata } from './struct';
import { labelsMatch } from './visibility';

/** Trust domain of workload identities. */
export const TRUST_DOMAIN = 'cluster.local';

/** `spiffe://cluster.local/ns/<ns>/sa/<sa>` of an endpoint ("default" service account when unset). */
export function spiffeIdentity(endpoint: WorkloadEndpoint): string {
  return `spiffe://${TRUST_DOMAIN}/ns/${endpoint.namespace}/sa/${endpoint.serviceAccount || 'default'}`;
}

/** The endpoint-metadata key transport_socket_matches select on (Envoy's `envoy.transport_socket_match`). */
export const TRANSPORT_SOCKET_MATCH_KEY = 'envoy.transport_socket_match';

/** Istio's workload label `security.istio.io/tlsMode` ("istio" = serves mesh mTLS, "disabled" = does not). */
export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

/**
 * The tlsMode of an endpoint for auto mTLS: "istio" for mesh workloads — auto-registered mesh
 * clients unless their label says otherwise, WorkloadEntries only when labelled
 * `security.istio.io/tlsMode: istio` (as Istio's injector labels pods) — undefined for the rest.
 */
export function endpointTlsMode(endpoint: WorkloadEndpoint): 'istio' | undefined {
  const label = endpoint.labels[TLS_MODE_LABEL];
  if (label !== undefined) return label === 'istio' ? 'istio' : undefined;
  return endpoint.origin === 'AutoRegistered' ? 'istio' : undefined;
}

/** Istio locality "region/zone/subzone" → envoy Locality (empty parts omitted; `{}` when none). */
export function parseLocality(locality: string): EnvoyObject {
  const [region = '', zone = '', subZone = ''] = locality.split('/');
  return { ...(region ? { region } : {}), ...(zone ? { zone } : {}), ...(subZone ? { sub_zone: subZone } : {}) };
}

interface Placed {
  readonly endpoint: WorkloadEndpoint;
  readonly address: string;
  readonly port: number;
}

function lbEndpoint(p: Placed, synthetic: boolean): EnvoyObject {
  const e = p.endpoint;
  const base = {
    endpoint: { address: { socket_address: { address: p.address, port_value: p.port } } },
    health_status: e.health,
    load_balancing_weight: { value: weightOf(e) },
  };
  if (synthetic) return base;
  const tlsMode = endpointTlsMode(e);
  const metadata = inboardMetadata({
    id: e.id,
    identity: spiffeIdentity(e),
    namespace: e.namespace,
    service_account: e.serviceAccount || 'default',
    labels: { ...e.labels },
    source: e.source,
    ...(e.expiresAt !== undefined ? { expires_at: e.expiresAt } : {}),
  });
  if (tlsMode) (metadata.filter_metadata as Record<string, unknown>)[TRANSPORT_SOCKET_MATCH_KEY] = toStruct({ tlsMode });
  return { ...base, metadata };
}

function weightOf(endpoint: WorkloadEndpoint): number {
  return Math.max(1, Math.trunc(endpoint.weight || 1));
}

/** Groups endpoints by locality (sorted), each group with its summed weight. */
function localityGroups(placed: readonly Placed[], synthetic = false): EnvoyObject[] {
  const groups = new Map<string, Placed[]>();
  for (const p of placed) {
    const list = groups.get(p.endpoint.locality) ?? [];
    list.push(p);
    groups.set(p.endpoint.locality, list);
  }
  return [...groups.keys()].sort().map((locality) => {
    const members = groups.get(locality)!;
    return {
      locality: parseLocality(locality),
      lb_endpoints: members.map((p) => lbEndpoint(p, synthetic)),
      load_balancing_weight: { value: members.reduce((sum, p) => sum + weightOf(p.endpoint), 0) },
    };
  });
}

function byPlacement(a: Placed, b: Placed): number {
  const ka = `${a.endpoint.locality}\u0000${a.address}\u0000${String(a.port).padStart(5, '0')}\u0000${a.endpoint.id}`;
  const kb = `${b.endpoint.locality}\u0000${b.address}\u0000${String(b.port).padStart(5, '0')}\u0000${b.endpoint.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * The EDS ClusterLoadAssignment of `cluster`: endpoints of service port `port` whose labels satisfy
 * `subsetLabels`. Non-IP addresses (EDS needs IP literals) and duplicate address:port pairs are
 * skipped with a warning on the endpoint's source.
 */
export function edsLoadAssignment(
  ctx: TranslationContext,
  cluster: string,
  service: ServiceInfo,
  port: ServicePortInfo,
  subsetLabels: Readonly<Record<string, string>> | undefined,
): EnvoyObject {
  const placed = ctx.registry
    .endpointsFor(service.hostname, port.port)
    .filter(({ endpoint }) => labelsMatch(subsetLabels, endpoint.labels))
    .map(({ endpoint, port: workloadPort }) => ({ endpoint, address: endpoint.address, port: workloadPort }))
    .sort(byPlacement);
  const seen = new Set<string>();
  const usable: Placed[] = [];
  for (const p of placed) {
    if (isIP(p.address) === 0) {
      ctx.warnings.add(p.endpoint.source, `endpoint address "${p.address}" is not an IP literal; left out of ${cluster} (use a ServiceEntry with resolution DNS for host names)`);
      continue;
    }
    const key = `${p.address}:${p.port}`;
    if (seen.has(key)) {
      ctx.warnings.add(p.endpoint.source, `endpoint ${key} duplicates another endpoint of ${cluster}; left out`);
      continue;
    }
    seen.add(key);
    usable.push(p);
  }
  return { cluster_name: cluster, endpoints: localityGroups(usable) };
}

/**
 * The inline load assignment of a DNS cluster: the ServiceEntry's endpoints (addresses are host
 * names to resolve), or the service host itself on the port's target port when it lists none.
 * `single` keeps only the first endpoint (LOGICAL_DNS accepts exactly one).
 */
export function dnsLoadAssignment(
  ctx: TranslationContext,
  cluster: string,
  service: ServiceInfo,
  port: ServicePortInfo,
  single: boolean,
): EnvoyObject {
  let placed: Placed[] = ctx.registry
    .endpointsFor(service.hostname, port.port)
    .map(({ endpoint, port: workloadPort }) => ({ endpoint, address: endpoint.address, port: workloadPort }))
    .sort(byPlacement);
  const synthetic = placed.length === 0;
  if (synthetic) {
    const self: WorkloadEndpoint = {
      id: service.hostname, address: service.hostname, namespace: service.namespace, labels: {}, serviceAccount: '',
      locality: '', weight: 1, health: 'HEALTHY', ports: {}, origin: 'ServiceEntry', source: service.source,
    };
    placed = [{ endpoint: self, address: service.hostname, port: port.targetPort ?? port.port }];
  }
  if (single && placed.length > 1) {
    ctx.warnings.add(service.source, `${cluster}: a LOGICAL_DNS cluster resolves one host; only ${placed[0]!.address} is used of ${placed.length} endpoints`);
    placed = placed.slice(0, 1);
  }
  return { cluster_name: cluster, endpoints: localityGroups(placed, synthetic) };
}

// Clusters and their endpoints: for every visible service port `outbound|PORT||HOST`, and one
// `outbound|PORT|SUBSET|HOST` per DestinationRule subset — EDS over ADS for registry endpoints, STRICT_DNS/
// LOGICAL_DNS for ServiceEntry DNS resolution — with the effective traffic policy and upstream TLS applied.

import type { ServiceEntrySpec, TrafficPolicy } from '../../config/istio-types';
import type { ServiceInfo, ServicePortInfo } from '../../registry/types';
import type { TranslationContext } from './context';
import { effectivePolicy, type SourcedSubset } from './destination-rules';
import { dnsLoadAssignment, edsLoadAssignment } from './endpoints';
import { ADS_CONFIG_SOURCE, type EnvoyObject } from './envoy-names';
import { clusterName, isHttp2Protocol } from './names';
import { inboardMetadata, type StructJson } from './struct';
import { circuitBreakerFields, connectionFields, flagUnsupportedPolicy, loadBalancerFields, outlierFields } from './traffic-policy';
import { upstreamTlsFields } from './upstream-tls';

/** Clusters (CDS) and ClusterLoadAssignments (EDS) for one proxy view, by resource name. */
export interface ClusterResources {
  readonly clusters: Map<string, EnvoyObject>;
  readonly endpoints: Map<string, EnvoyObject>;
}

function discoveryFields(ctx: TranslationContext, name: string, service: ServiceInfo, port: ServicePortInfo, subset: SourcedSubset | undefined): { fields: EnvoyObject; eds: boolean } {
  const dns = service.resolution === 'DNS' || service.resolution === 'DNS_ROUND_ROBIN';
  if (dns) {
    if (subset) ctx.warnings.add(subset.source, `subset "${subset.name}" of DNS-resolved host ${service.hostname} cannot select endpoints by label; it resolves every endpoint`);
    // grpc-js-xds accepts LOGICAL_DNS only; Istio uses STRICT_DNS for DNS and LOGICAL_DNS for DNS_ROUND_ROBIN.
    const logical = service.resolution === 'DNS_ROUND_ROBIN' || ctx.grpcClient;
    if (logical && service.resolution === 'DNS') {
      ctx.warnings.add(service.source, `resolution DNS is served as LOGICAL_DNS to proxyless gRPC clients (they do not accept STRICT_DNS)`);
    }
    return {
      eds: false,
      fields: {
        type: logical ? 'LOGICAL_DNS' : 'STRICT_DNS',
        dns_lookup_family: 'V4_PREFERRED',
        load_assignment: dnsLoadAssignment(ctx, name, service, port, logical),
      },
    };
  }
  if (service.resolution === 'NONE') {
    ctx.warnings.add(service.source, 'resolution NONE (original destination) is not supported by proxyless clients; served as EDS with the listed endpoints');
  }
  return { eds: true, fields: { type: 'EDS', eds_cluster_config: { eds_config: ADS_CONFIG_SOURCE, service_name: name } } };
}

function clusterMetadata(ctx: TranslationContext, service: ServiceInfo, port: ServicePortInfo, subset: SourcedSubset | undefined, sources: readonly string[], policy: TrafficPolicy | undefined): EnvoyObject {
  const origin = ctx.resource(service.source);
  const sans = origin?.kind === 'ServiceEntry' ? (origin.spec as ServiceEntrySpec).subjectAltNames : undefined;
  const meta: Record<string, StructJson | undefined> = {
    service: service.hostname,
    namespace: service.namespace,
    port: port.port,
    protocol: port.protocol,
    location: service.location,
    ...(subset ? { subset: subset.name, subset_labels: { ...(subset.labels ?? {}) } } : {}),
    ...(sources.length > 0 ? { destination_rule: sources.join(',') } : {}),
    ...(policy?.tls?.mode ? { tls_mode: policy.tls.mode } : {}),
    ...(policy?.tls?.subjectAltNames?.length ? { tls_subject_alt_names: [...policy.tls.subjectAltNames] } : {}),
    ...(sans?.length ? { subject_alt_names: [...sans] } : {}),
  };
  return inboardMetadata(meta);
}

/** Builds the cluster (and, for EDS, its load assignment) of one service port and optional subset. */
function buildCluster(ctx: TranslationContext, service: ServiceInfo, port: ServicePortInfo, subset: SourcedSubset | undefined, out: ClusterResources): void {
  const rule = ctx.destinationRule(service.hostname);
  const name = clusterName(port.port, subset?.name, service.hostname);
  const policy = effectivePolicy(rule, subset?.name, port.port);
  const policySource = subset?.trafficPolicy ? subset.source : rule?.sources[0] ?? service.source;
  const warn = (message: string) => ctx.warnings.add(policySource, message);
  flagUnsupportedPolicy(policy, warn);
  const { fields, eds } = discoveryFields(ctx, name, service, port, subset);
  const outlier = outlierFields(policy?.outlierDetection, warn);
  const cluster: EnvoyObject = {
    name,
    ...fields,
    ...connectionFields(policy?.connectionPool, port.protocol, isHttp2Protocol(port.protocol), ctx.options, warn),
    ...loadBalancerFields(policy?.loadBalancer, warn),
    ...circuitBreakerFields(policy?.connectionPool),
    ...outlier,
    ...upstreamTlsFields(ctx, { service, port, subset: subset?.name, eds }, policy?.tls, warn),
    metadata: clusterMetadata(ctx, service, port, subset, rule?.sources ?? [], policy),
  };
  out.clusters.set(name, cluster);
  if (eds) out.endpoints.set(name, edsLoadAssignment(ctx, name, service, port, subset?.labels));
}

/** Every cluster and EDS load assignment for the services visible to the proxy. */
export function buildClusters(ctx: TranslationContext): ClusterResources {
  const out: ClusterResources = { clusters: new Map(), endpoints: new Map() };
  for (const service of ctx.services) {
    const rule = ctx.destinationRule(service.hostname);
    for (const port of service.ports) {
      buildCluster(ctx, service, port, undefined, out);
      for (const subset of rule?.subsets ?? []) buildCluster(ctx, service, port, subset, out);
    }
  }
  return out;
}

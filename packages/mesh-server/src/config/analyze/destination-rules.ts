// DestinationRule analyzers (after istioctl analyze): a host no service provides (IST0174) and,
// with a registry snapshot, subsets whose labels select no workload of the service (IST0173).

import type { AnalysisMessage } from '../analyze';
import type { Resource } from '../resource';
import type { RegistrySnapshot, WorkloadEndpoint } from '../../registry/types';
import { list, rec, str } from '../validate/schema';
import type { MeshIndex } from './mesh-index';

/** Checks one DestinationRule against the known services and, if given, the registry. */
export function analyzeDestinationRule(dr: Resource, index: MeshIndex, registry?: RegistrySnapshot): AnalysisMessage[] {
  const spec = rec(dr.spec);
  const written = str(spec?.host);
  if (written === undefined) return [];
  const resource = `${dr.kind} ${dr.metadata.namespace}/${dr.metadata.name}`;
  const host = index.resolve(written, dr.metadata.namespace);
  if (!index.knows(host) && !host.startsWith('*')) {
    return [{ level: 'Warning', code: 'IST0174', resource, path: 'spec.host', message: `The host ${written} defined in the DestinationRule does not match any services in the mesh (looked for ${host}).` }];
  }
  const service = registry?.services.get(host);
  if (!registry || !service) return [];
  const endpoints = endpointsOf(registry, host, service.ports.map((p) => p.port));
  const out: AnalysisMessage[] = [];
  list(spec?.subsets).forEach((subset, i) => {
    const s = rec(subset);
    const name = str(s?.name);
    if (name === undefined) return;
    const labels = Object.entries(rec(s?.labels) ?? {});
    if (!endpoints.some((e) => labels.every(([k, v]) => e.labels[k] === v))) {
      out.push({
        level: 'Warning',
        code: 'IST0173',
        resource,
        path: `spec.subsets[${i}]`,
        message: `The subset ${name} defined in the DestinationRule does not select any workload of ${host} (${endpoints.length} registered); requests routed to it fail with 503 (no healthy upstream).`,
      });
    }
  });
  return out;
}

/** The workloads behind a service: per port from the registry, or by explicit membership. */
function endpointsOf(registry: RegistrySnapshot, host: string, ports: readonly number[]): WorkloadEndpoint[] {
  const byId = new Map<string, WorkloadEndpoint>();
  for (const port of ports) for (const { endpoint } of registry.endpointsFor(host, port)) byId.set(endpoint.id, endpoint);
  for (const endpoint of registry.endpoints) if (endpoint.services?.includes(host)) byId.set(endpoint.id, endpoint);
  return [...byId.values()];
}

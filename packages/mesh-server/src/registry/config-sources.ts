// Services and endpoints declared by config (pure): Kubernetes Service → an in-cluster service;
// ServiceEntry → one service per host, with its inline endpoints (or, for DNS resolution without
// endpoints, the host itself); WorkloadEntry → a static endpoint. Other kinds are ignored.

import type { Resource } from '../config/resource';
import type { ServiceEntrySpec, ServiceSpec, WorkloadEntrySpec } from '../config/istio-types';
import { serviceHostname } from './hostnames';
import { inferPortProtocol, parseProtocol } from './protocols';
import type { ServiceInfo, ServicePortInfo, WorkloadEndpoint } from './types';

/** What config declares, before auto-registered workloads are added. */
export interface DeclaredRegistry {
  readonly services: readonly ServiceInfo[];
  readonly endpoints: readonly WorkloadEndpoint[];
}

/** Reads Service, ServiceEntry and WorkloadEntry resources; other kinds are skipped. */
export function declaredRegistry(resources: readonly Resource[], domain: string): DeclaredRegistry {
  const services: ServiceInfo[] = [];
  const endpoints: WorkloadEndpoint[] = [];
  for (const resource of resources) {
    const source = `${resource.kind}/${resource.metadata.namespace}/${resource.metadata.name}`;
    switch (resource.kind) {
      case 'Service':
        services.push(fromKubernetesService(resource as Resource<ServiceSpec>, source, domain));
        break;
      case 'ServiceEntry': {
        const declared = fromServiceEntry(resource as Resource<ServiceEntrySpec>, source);
        services.push(...declared.services);
        endpoints.push(...declared.endpoints);
        break;
      }
      case 'WorkloadEntry': {
        const endpoint = fromWorkloadEntry(resource as Resource<WorkloadEntrySpec>, source);
        if (endpoint) endpoints.push(endpoint);
        break;
      }
      default:
        break;
    }
  }
  return { services, endpoints };
}

function fromKubernetesService(resource: Resource<ServiceSpec>, source: string, domain: string): ServiceInfo {
  const { name, namespace } = resource.metadata;
  const spec = resource.spec ?? {};
  const ports = (spec.ports ?? []).map((p): ServicePortInfo => {
    const port: { -readonly [K in keyof ServicePortInfo]: ServicePortInfo[K] } = {
      name: p.name ?? '',
      port: p.port,
      protocol: inferPortProtocol({ name: p.name, appProtocol: p.appProtocol, transport: p.protocol }),
    };
    if (typeof p.targetPort === 'number') port.targetPort = p.targetPort;
    else if (typeof p.targetPort === 'string' && /^[0-9]+$/.test(p.targetPort)) port.targetPort = Number(p.targetPort);
    else if (typeof p.targetPort === 'string' && p.targetPort !== '') port.targetPortName = p.targetPort;
    return port;
  });
  return {
    hostname: serviceHostname(name, namespace, domain),
    namespace,
    name,
    ports: sortPorts(ports),
    ...selectorField(spec.selector),
    origin: 'Service',
    location: 'MESH_INTERNAL',
    resolution: 'STATIC',
    source,
  };
}

function fromServiceEntry(resource: Resource<ServiceEntrySpec>, source: string): DeclaredRegistry {
  const { namespace } = resource.metadata;
  const spec = resource.spec;
  const hosts = (spec.hosts ?? []).map((h) => h.toLowerCase());
  const ports = sortPorts((spec.ports ?? []).map((p): ServicePortInfo => ({
    name: p.name,
    port: p.number,
    ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
    protocol: (p.protocol !== undefined ? parseProtocol(p.protocol) : undefined) ?? inferPortProtocol({ name: p.name }),
  })));
  const resolution = spec.resolution ?? 'NONE';
  const services = hosts.map((hostname): ServiceInfo => ({
    hostname,
    namespace,
    ports,
    ...selectorField(spec.workloadSelector?.matchLabels),
    origin: 'ServiceEntry',
    location: spec.location ?? 'MESH_EXTERNAL',
    resolution,
    source,
  }));

  const endpoints: WorkloadEndpoint[] = [];
  (spec.endpoints ?? []).forEach((ep, index) => {
    if (!ep.address) return; // validation requires an address; nothing to route to without one
    endpoints.push(endpoint({
      id: `${source}#${index}`, address: ep.address, namespace, labels: ep.labels, serviceAccount: ep.serviceAccount ?? '',
      locality: ep.locality, weight: ep.weight, ports: ep.ports, services: hosts, origin: 'ServiceEntry', source,
    }));
  });
  // Istio: DNS resolution with neither endpoints nor a selector resolves the host itself.
  if (!spec.endpoints?.length && !spec.workloadSelector && (resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN')) {
    const hostPorts = Object.fromEntries(ports.map((p) => [p.name, p.targetPort ?? p.port]));
    for (const host of hosts.filter((h) => !h.includes('*'))) {
      endpoints.push(endpoint({ id: `${source}#${host}`, address: host, namespace, serviceAccount: '', ports: hostPorts, services: [host], origin: 'ServiceEntry', source }));
    }
  }
  return { services, endpoints };
}

function fromWorkloadEntry(resource: Resource<WorkloadEntrySpec>, source: string): WorkloadEndpoint | undefined {
  const spec = resource.spec ?? {};
  if (!spec.address) return undefined; // an entry reachable only through a network gateway: not routable here
  return endpoint({
    id: source,
    workloadName: resource.metadata.name,
    address: spec.address,
    namespace: resource.metadata.namespace,
    // Istio merges metadata labels over spec labels for selection.
    labels: { ...spec.labels, ...resource.metadata.labels },
    serviceAccount: spec.serviceAccount || 'default',
    locality: spec.locality,
    weight: spec.weight,
    ports: spec.ports,
    origin: 'WorkloadEntry',
    source,
  });
}

interface EndpointFields {
  id: string; workloadName?: string; address: string; namespace: string; labels?: Record<string, string>;
  serviceAccount: string; locality?: string; weight?: number; ports?: Record<string, number>;
  services?: readonly string[]; origin: WorkloadEndpoint['origin']; source: string;
}

/** A WorkloadEndpoint with defaults filled in and records in sorted key order. */
export function endpoint(fields: EndpointFields): WorkloadEndpoint {
  return {
    id: fields.id,
    ...(fields.workloadName !== undefined ? { workloadName: fields.workloadName } : {}),
    address: fields.address,
    namespace: fields.namespace,
    labels: sortedRecord(fields.labels ?? {}),
    serviceAccount: fields.serviceAccount,
    locality: fields.locality ?? '',
    weight: fields.weight ?? 1,
    health: 'HEALTHY',
    ports: sortedRecord(fields.ports ?? {}),
    ...(fields.services !== undefined ? { services: [...fields.services] } : {}),
    origin: fields.origin,
    source: fields.source,
  };
}

function selectorField(selector: Record<string, string> | undefined): { selector?: Record<string, string> } {
  return selector && Object.keys(selector).length > 0 ? { selector: sortedRecord(selector) } : {};
}

/** Ports sorted by number (then name), so equal config gives equal services. */
export function sortPorts(ports: ServicePortInfo[]): ServicePortInfo[] {
  return ports.sort((a, b) => a.port - b.port || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A copy of `record` with its keys in sorted order. */
export function sortedRecord<V>(record: Readonly<Record<string, V>>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// Workloads that register themselves through their xDS connection (Istio's WorkloadEntry
// auto-registration), as pure functions: validate a registration, turn it into endpoints, and
// declare an implicit service for a registered service name that no Service or ServiceEntry declares.

import { MeshServerError } from '../errors';
import { endpoint, sortPorts } from './config-sources';
import { splitServiceHostname, toServiceFqdn } from './hostnames';
import { inferPortProtocol } from './protocols';
import type { ServiceInfo, ServicePortInfo, WorkloadEndpoint } from './types';

/** What a serving client tells the control plane about itself (from its xDS node metadata). */
export interface WorkloadRegistration {
  /** Service it serves: short name, `svc.ns`, or FQDN. Absent: selected by labels only. */
  readonly service?: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Empty = "default". */
  readonly serviceAccount: string;
  /** Addresses it serves on; one endpoint per address. */
  readonly addresses: readonly string[];
  /** Port name → port it serves, e.g. { http: 9080 }. */
  readonly ports: Readonly<Record<string, number>>;
  /** "region/zone/subzone". */
  readonly locality: string;
  readonly workloadName?: string;
}

/** Throws MeshServerError 'BAD_REQUEST' naming the node and field when a registration is unusable. */
export function validateRegistration(nodeId: string, registration: WorkloadRegistration): void {
  const fail = (field: string, problem: string): never => {
    throw new MeshServerError('BAD_REQUEST', `registration of node ${JSON.stringify(nodeId)}: ${field} ${problem}`, { nodeId, field });
  };
  if (typeof nodeId !== 'string' || nodeId === '') fail('node id', 'must be a non-empty string');
  if (typeof registration?.namespace !== 'string' || registration.namespace === '') fail('namespace', 'must be a non-empty string');
  if (!Array.isArray(registration.addresses) || registration.addresses.length === 0) fail('addresses', 'must list at least one address');
  registration.addresses.forEach((address, i) => {
    if (typeof address !== 'string' || address.trim() === '') fail(`addresses[${i}]`, 'must be a non-empty string');
  });
  for (const [name, port] of Object.entries(registration.ports ?? {})) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`ports.${name}`, `must be a port number 1-65535, got ${JSON.stringify(port)}`);
  }
  for (const [key, value] of Object.entries(registration.labels ?? {})) {
    if (typeof value !== 'string') fail(`labels.${key}`, 'must be a string');
  }
  if (registration.service !== undefined) {
    try {
      toServiceFqdn(registration.service, registration.namespace);
    } catch {
      fail('service', `${JSON.stringify(registration.service)} is not a service name`);
    }
  }
}

/**
 * The endpoints of a (valid) registration: one per address; ids are the node id (plus the address
 * when several). With `expiresAt` (the stream dropped, grace period running) they are DRAINING, so
 * clients send them no new requests (Envoy's EDS health_status DRAINING).
 */
export function registrationEndpoints(nodeId: string, registration: WorkloadRegistration, domain: string, expiresAt?: number): WorkloadEndpoint[] {
  const services = registration.service !== undefined ? [toServiceFqdn(registration.service, registration.namespace, domain)] : [];
  const addresses = [...new Set(registration.addresses.map((a) => a.trim()))];
  return addresses.map((address) => {
    const base = endpoint({
      id: addresses.length === 1 ? nodeId : `${nodeId}@${address}`,
      ...(registration.workloadName ? { workloadName: registration.workloadName } : {}),
      address,
      namespace: registration.namespace,
      labels: { ...registration.labels },
      serviceAccount: registration.serviceAccount || 'default',
      locality: registration.locality,
      ports: { ...registration.ports },
      services,
      origin: 'AutoRegistered',
      source: `xds:${nodeId}`,
    });
    return expiresAt === undefined ? base : { ...base, health: 'DRAINING' as const, expiresAt };
  });
}

/**
 * Services named by registered workloads that config does not declare (`declared` = hostnames of
 * Services and ServiceEntries). Ports are the union by name over the workloads, the first workload
 * (by id) winning a name; the service is origin 'Workload' and selects its members explicitly.
 */
export function implicitServices(endpoints: readonly WorkloadEndpoint[], declared: ReadonlySet<string>, domain: string): ServiceInfo[] {
  const byHost = new Map<string, WorkloadEndpoint[]>();
  for (const ep of endpoints) {
    if (ep.origin !== 'AutoRegistered') continue;
    for (const host of ep.services ?? []) {
      if (declared.has(host)) continue;
      byHost.set(host, [...(byHost.get(host) ?? []), ep]);
    }
  }
  return [...byHost].map(([hostname, members]) => {
    members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const ports = new Map<string, ServicePortInfo>();
    for (const member of members) {
      for (const [name, port] of Object.entries(member.ports)) {
        if (!ports.has(name)) ports.set(name, { name, port, protocol: inferPortProtocol({ name }) });
      }
    }
    const inCluster = splitServiceHostname(hostname, domain);
    return {
      hostname,
      namespace: inCluster?.namespace ?? members[0]!.namespace,
      ...(inCluster ? { name: inCluster.name } : {}),
      ports: sortPorts([...ports.values()]),
      origin: 'Workload',
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      source: members[0]!.source,
    };
  });
}

// Builds the immutable RegistrySnapshot (pure): picks one service per hostname, orders everything
// deterministically, and answers endpointsFor() — membership by explicit service or label selector,
// and the workload port resolved from the service port.

import { deepFreeze } from '../store/store-helpers';
import type { RegistrySnapshot, ServiceInfo, ServicePortInfo, WorkloadEndpoint } from './types';

const ORIGIN_RANK: Readonly<Record<ServiceInfo['origin'], number>> = { Service: 0, ServiceEntry: 1, Workload: 2 };

/**
 * One service per hostname: a Kubernetes Service wins over a ServiceEntry, which wins over an
 * implicit workload service; among equals the first source in name order. Sorted by hostname.
 */
export function pickServices(candidates: readonly ServiceInfo[]): ServiceInfo[] {
  const chosen = new Map<string, ServiceInfo>();
  for (const service of candidates) {
    const current = chosen.get(service.hostname);
    if (!current || rank(service) < rank(current) || (rank(service) === rank(current) && service.source < current.source)) {
      chosen.set(service.hostname, service);
    }
  }
  return [...chosen.values()].sort((a, b) => compare(a.hostname, b.hostname));
}

/** Endpoints in snapshot order: by address, then id. */
export function sortEndpoints(endpoints: readonly WorkloadEndpoint[]): WorkloadEndpoint[] {
  return [...endpoints].sort((a, b) => compare(a.address, b.address) || compare(a.id, b.id));
}

/** True if `endpoint` belongs to `service`: listed explicitly, or selected by labels in its namespace. */
export function isMember(service: ServiceInfo, endpoint: WorkloadEndpoint): boolean {
  if (endpoint.services?.includes(service.hostname)) return true;
  // Selectors pick workloads (WorkloadEntry, registered clients), never another ServiceEntry's inline endpoints.
  if (!service.selector || endpoint.origin === 'ServiceEntry' || endpoint.namespace !== service.namespace) return false;
  return Object.entries(service.selector).every(([key, value]) => endpoint.labels[key] === value);
}

/**
 * The port `endpoint` serves `servicePort` on: its port named like the service port, else the
 * service's targetPort (by name: the endpoint's port of that name, or none), else the service port.
 * An implicit service (origin 'Workload') has only the ports its workloads declared, so there the
 * named port is required.
 */
export function workloadPort(service: ServiceInfo, servicePort: ServicePortInfo, endpoint: WorkloadEndpoint): number | undefined {
  const named = servicePort.name ? endpoint.ports[servicePort.name] : undefined;
  if (named !== undefined || service.origin === 'Workload') return named;
  if (servicePort.targetPortName !== undefined) return endpoint.ports[servicePort.targetPortName];
  return servicePort.targetPort ?? servicePort.port;
}

/** Freezes services and endpoints (already sorted) into a snapshot; endpointsFor results are memoised. */
export function buildRegistrySnapshot(version: number, services: readonly ServiceInfo[], endpoints: readonly WorkloadEndpoint[]): RegistrySnapshot {
  const serviceMap: ReadonlyMap<string, ServiceInfo> = new Map(services.map((s) => [s.hostname, deepFreeze(s)]));
  const frozenEndpoints = Object.freeze(endpoints.map((e) => deepFreeze(e)));
  const memo = new Map<string, readonly { endpoint: WorkloadEndpoint; port: number }[]>();
  const endpointsFor = (hostname: string, port: number) => {
    const memoKey = `${hostname}|${port}`;
    let found = memo.get(memoKey);
    if (!found) {
      found = resolveEndpoints(serviceMap.get(hostname), port, frozenEndpoints);
      memo.set(memoKey, found);
    }
    return found;
  };
  return Object.freeze({ version, services: freezeMap(serviceMap), endpoints: frozenEndpoints, endpointsFor });
}

function resolveEndpoints(service: ServiceInfo | undefined, port: number, endpoints: readonly WorkloadEndpoint[]) {
  const servicePort = service?.ports.find((p) => p.port === port);
  if (!service || !servicePort) return Object.freeze([]);
  const resolved: { endpoint: WorkloadEndpoint; port: number }[] = [];
  for (const endpoint of endpoints) {
    if (!isMember(service, endpoint)) continue;
    const target = workloadPort(service, servicePort, endpoint);
    if (target !== undefined) resolved.push(Object.freeze({ endpoint, port: target }));
  }
  resolved.sort((a, b) => compare(a.endpoint.address, b.endpoint.address) || a.port - b.port || compare(a.endpoint.id, b.endpoint.id));
  return Object.freeze(resolved);
}

function rank(service: ServiceInfo): number {
  return ORIGIN_RANK[service.origin];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A ReadonlyMap whose mutators throw, so a snapshot's service map cannot be changed through a cast. */
function freezeMap<K, V>(map: ReadonlyMap<K, V>): ReadonlyMap<K, V> {
  const frozen = new Map(map);
  const refuse = () => { throw new TypeError('a registry snapshot is immutable'); };
  Object.defineProperties(frozen, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(frozen);
}

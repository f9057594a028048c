// The service registry's data model: services (from Service, ServiceEntry and registered
// workloads) and their endpoints (from WorkloadEntry, ServiceEntry endpoints and connected clients).
// The registry hands out immutable RegistrySnapshot values; xDS translation reads only those.

/** A port a service exposes. `protocol` is Istio's (HTTP, HTTP2, GRPC, TCP, TLS, HTTPS, …). */
export interface ServicePortInfo {
  readonly name: string;
  readonly port: number;
  /** Port on the workload, when it differs from `port` (Service targetPort / ServiceEntry targetPort). */
  readonly targetPort?: number;
  /** A Service targetPort given by name: the workload port is the endpoint's port of that name. */
  readonly targetPortName?: string;
  readonly protocol: string;
}

/** A service the mesh routes to. `hostname` is the FQDN, e.g. reviews.default.svc.cluster.local. */
export interface ServiceInfo {
  readonly hostname: string;
  readonly namespace: string;
  /** Short name for in-cluster services ("reviews"); absent for ServiceEntry hosts. */
  readonly name?: string;
  readonly ports: readonly ServicePortInfo[];
  /** Label selector picking its workloads (Service.spec.selector / ServiceEntry.workloadSelector). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly origin: 'Service' | 'ServiceEntry' | 'Workload';
  /** ServiceEntry location; in-cluster services are MESH_INTERNAL. */
  readonly location: 'MESH_INTERNAL' | 'MESH_EXTERNAL';
  readonly resolution: 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN' | 'NONE';
  /** The resource it came from, "Kind/namespace/name". */
  readonly source: string;
}

export type EndpointHealth = 'HEALTHY' | 'UNHEALTHY' | 'DRAINING';

/** One workload instance. Ports map port name (or the number as a string) → workload port. */
export interface WorkloadEndpoint {
  /** Stable identity of the instance (WorkloadEntry key, or the client's node id). */
  readonly id: string;
  /** Display name of the instance (the registration's workloadName, or the WorkloadEntry's name). */
  readonly workloadName?: string;
  readonly address: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  /** Istio locality "region/zone/subzone" (any part may be empty). */
  readonly locality: string;
  readonly weight: number;
  readonly health: EndpointHealth;
  /** Port name → workload port. */
  readonly ports: Readonly<Record<string, number>>;
  /** Services this endpoint serves when it registered itself (auto-registration), FQDNs. */
  readonly services?: readonly string[];
  readonly origin: 'WorkloadEntry' | 'ServiceEntry' | 'AutoRegistered';
  /** "Kind/namespace/name" of a static source, or "xds:<node id>" for auto-registration. */
  readonly source: string;
  /** Set on an auto-registered endpoint whose stream has ended: it leaves the registry at this time (ms since epoch). */
  readonly expiresAt?: number;
}

/** An immutable view of the registry at one moment. */
export interface RegistrySnapshot {
  readonly version: number;
  readonly services: ReadonlyMap<string, ServiceInfo>; // by hostname
  readonly endpoints: readonly WorkloadEndpoint[];
  /**
   * Endpoints of a service on one of its ports (selector or explicit membership), resolved to workload
   * ports: the endpoint's port named like the service port, else the targetPort, else the service port.
   * Sorted by address, port, id; empty for an unknown hostname or port.
   */
  endpointsFor(hostname: string, port: number): readonly { endpoint: WorkloadEndpoint; port: number }[];
}

// Test helper: Istio AuthorizationPolicy YAML objects → mesh-server's real translation → the
// workload's inbound listener → protobuf bytes and back (@inboard/xds) → compiled RBAC filters.
// The workload is reviews-v1 (10.0.0.4:9080, namespace default), as in BookInfo.

import { decodeResource, encodeResource, loadXdsProtos, TYPE_URL, type XdsProtos } from '@inboard/xds';
import { translate, type RegistrySnapshot, type Resource, type ServiceInfo, type WorkloadEndpoint } from '@inboard/mesh-server';
import { compileRbac, type CompiledRbac } from '../src/authz';

/** The served workload's address and port, and its inbound listener name. */
export const WORKLOAD = { address: '10.0.0.4', port: 9080, listener: 'xds.istio.io/grpc/lds/inbound/10.0.0.4:9080' } as const;

const SERVICE: ServiceInfo = {
  hostname: 'reviews.default.svc.cluster.local', namespace: 'default', name: 'reviews', ports: [{ name: 'http', port: 9080, protocol: 'HTTP' }],
  selector: { app: 'reviews' }, origin: 'Service', location: 'MESH_INTERNAL', resolution: 'STATIC', source: 'Service/default/reviews',
};
const ENDPOINT: WorkloadEndpoint = {
  id: 'reviews-v1', address: WORKLOAD.address, namespace: 'default', labels: { app: 'reviews', version: 'v1' }, serviceAccount: 'bookinfo-reviews',
  locality: '', weight: 1, health: 'HEALTHY', ports: { http: WORKLOAD.port }, origin: 'AutoRegistered', source: 'xds:reviews-v1',
};
const REGISTRY: RegistrySnapshot = {
  version: 1,
  services: new Map([[SERVICE.hostname, SERVICE]]),
  endpoints: [ENDPOINT],
  endpointsFor: (host, port) => (host === SERVICE.hostname && port === WORKLOAD.port ? [{ endpoint: ENDPOINT, port: WORKLOAD.port }] : []),
};

/** A policy as written in YAML: kind, name, namespace (default "default"), annotations, spec. */
export interface PolicyDoc {
  readonly kind?: string;
  readonly name: string;
  readonly namespace?: string;
  readonly annotations?: Record<string, string>;
  readonly spec: object;
}

/** The docs as stored config resources, creation order = list order. */
export function resourcesOf(docs: readonly PolicyDoc[]): Resource[] {
  return docs.map((d, i) => ({
    apiVersion: 'security.istio.io/v1',
    kind: (d.kind ?? 'AuthorizationPolicy') as Resource['kind'],
    metadata: {
      name: d.name, namespace: d.namespace ?? 'default', creationTimestamp: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`,
      ...(d.annotations ? { annotations: d.annotations } : {}),
    },
    spec: d.spec,
  }));
}

let protos: XdsProtos | undefined;

/** The decoded inbound listener of the workload for `docs` (through the real encoder and decoder). */
export function inboundListener(docs: readonly PolicyDoc[], userAgent = 'inboard-mesh-client'): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = translate({ config: resourcesOf(docs), registry: REGISTRY }, {
    id: 'reviews-v1', role: 'sidecar', namespace: 'default', labels: { app: 'reviews', version: 'v1' }, locality: '', userAgent,
  });
  const listener = result.listeners.get(WORKLOAD.listener);
  if (!listener) throw new Error(`no inbound listener ${WORKLOAD.listener}; have ${[...result.listeners.keys()].join(', ')}`);
  protos ??= loadXdsProtos();
  return decodeResource(encodeResource(TYPE_URL.LISTENER, listener, protos), protos);
}

/** The RBAC filters of an (decoded) inbound listener, compiled in chain order. */
export function rbacFiltersOf(listener: Record<string, any>): CompiledRbac[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const hcm = listener.filter_chains[0].filters[0].typed_config;
  return (hcm.http_filters as { name: string; typed_config: Record<string, unknown> }[])
    .filter((f) => String(f.typed_config['@type']).endsWith('.rbac.v3.RBAC'))
    .map((f) => compileRbac(f.typed_config, f.name));
}

/** Policies → compiled RBAC filters of the workload's inbound listener. */
export function compiledPolicies(docs: readonly PolicyDoc[]): CompiledRbac[] {
  return rbacFiltersOf(inboundListener(docs));
}

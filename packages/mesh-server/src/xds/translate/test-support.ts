// Test helpers for the translation tables: Istio YAML → Resource objects, a tiny fake RegistrySnapshot
// (the real registry is built elsewhere), proxies, BookInfo's services and endpoints, and readers
// that pick routes/clusters out of a translation result. Used only by the *.test.ts files here.

import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KindName, Resource } from '../../config/resource';
import type { RegistrySnapshot, ServiceInfo, ServicePortInfo, WorkloadEndpoint } from '../../registry/types';
import type { ProxyInfo, XdsResourceSet } from '../contracts';
import { REPO_ROOT } from '../../../../../testing/spawn';

/** Where Istio's sample YAML lives (beside the repository, never copied into it). */
export const SAMPLES = path.resolve(REPO_ROOT, '../shared/istio-samples');

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Parses (multi-document) YAML into Resources; namespace defaults to `namespace`, timestamps keep document order. */
export function parseConfig(text: string, namespace = 'default', startIndex = 0): Resource[] {
  const out: Resource[] = [];
  for (const doc of parseAllDocuments(text)) {
    const value = doc.toJS() as Loose | null;
    if (!value || typeof value !== 'object') continue;
    const n = startIndex + out.length;
    out.push({
      apiVersion: value.apiVersion,
      kind: value.kind as KindName,
      metadata: {
        ...value.metadata,
        namespace: value.metadata?.namespace ?? namespace,
        creationTimestamp: value.metadata?.creationTimestamp ?? `2026-01-01T00:00:${String(n).padStart(2, '0')}Z`,
      },
      spec: value.spec ?? {},
    });
  }
  return out;
}

/** Reads a sample file from ../shared/istio-samples (e.g. "bookinfo/networking/destination-rule-all.yaml"). */
export function sample(relative: string, namespace = 'default', startIndex = 0): Resource[] {
  return parseConfig(fs.readFileSync(path.join(SAMPLES, relative), 'utf8'), namespace, startIndex);
}

/** Applies sample files in order, a later object replacing an earlier one with the same key (kubectl apply). */
export function applySamples(files: readonly string[], namespace = 'default'): Resource[] {
  const byKey = new Map<string, Resource>();
  let n = 0;
  for (const file of files) {
    for (const r of sample(file, namespace, n)) {
      byKey.set(`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`, r);
      n += 1;
    }
  }
  return [...byKey.values()];
}

/** A Kubernetes-style service `<name>.<ns>.svc.cluster.local`. */
export function k8sService(name: string, namespace: string, ports: (Partial<ServicePortInfo> & { port: number })[], selector: Record<string, string> = { app: name }): ServiceInfo {
  return {
    hostname: `${name}.${namespace}.svc.cluster.local`,
    namespace,
    name,
    ports: ports.map((p) => ({ name: p.name ?? `http-${p.port}`, protocol: p.protocol ?? 'HTTP', ...p })),
    selector,
    origin: 'Service',
    location: 'MESH_INTERNAL',
    resolution: 'STATIC',
    source: `Service/${namespace}/${name}`,
  };
}

/** A ServiceEntry-style service (no short name). */
export function entryService(hostname: string, namespace: string, ports: ServicePortInfo[], extra: Partial<ServiceInfo> = {}): ServiceInfo {
  return {
    hostname, namespace, ports, origin: 'ServiceEntry', location: 'MESH_EXTERNAL', resolution: 'DNS',
    source: `ServiceEntry/${namespace}/${hostname}`, ...extra,
  };
}

/** A workload endpoint with sensible defaults (healthy, weight 1, no locality, port http → 9080). */
export function endpoint(id: string, address: string, labels: Record<string, string>, extra: Partial<WorkloadEndpoint> = {}): WorkloadEndpoint {
  return {
    id, address, labels, namespace: 'default', serviceAccount: `bookinfo-${labels.app ?? 'app'}`, locality: '', weight: 1,
    health: 'HEALTHY', ports: {}, origin: 'WorkloadEntry', source: `WorkloadEntry/default/${id}`, ...extra,
  };
}

/**
 * A RegistrySnapshot over fixed services and endpoints. Membership: same namespace and selector
 * labels (or the endpoint lists the service); port: endpoint.ports[port name] ?? targetPort ?? port.
 */
export function fakeRegistry(services: readonly ServiceInfo[], endpoints: readonly WorkloadEndpoint[] = [], version = 1): RegistrySnapshot {
  const byHost = new Map(services.map((s) => [s.hostname, s] as const));
  return {
    version,
    services: byHost,
    endpoints,
    endpointsFor(hostname, port) {
      const service = byHost.get(hostname);
      const p = service?.ports.find((x) => x.port === port);
      if (!service || !p) return [];
      return endpoints
        .filter((e) => e.services?.includes(hostname) || (service.selector !== undefined && e.namespace === service.namespace &&
          Object.entries(service.selector).every(([k, v]) => e.labels[k] === v)))
        .map((e) => ({ endpoint: e, port: e.ports[p.name] ?? p.targetPort ?? p.port }));
    },
  };
}

/** A sidecar proxy (proxyless client) with defaults: namespace default, Inboard's user agent. */
export function sidecar(extra: Partial<ProxyInfo> = {}): ProxyInfo {
  return { id: 'client-1', role: 'sidecar', namespace: 'default', labels: { app: 'productpage', version: 'v1' }, locality: '', userAgent: 'inboard-mesh-client', ...extra };
}

/** A grpc-js-xds client. */
export function grpcClient(extra: Partial<ProxyInfo> = {}): ProxyInfo {
  return sidecar({ id: 'grpc-1', userAgent: 'gRPC Node Pure JS', ...extra });
}

/** The ingress gateway proxy (role router, labels istio=ingressgateway). */
export function ingressGateway(extra: Partial<ProxyInfo> = {}): ProxyInfo {
  return { id: 'gateway-1', role: 'router', namespace: 'istio-system', labels: { istio: 'ingressgateway' }, locality: '', ...extra };
}

/** BookInfo's four services on port 9080 (as bookinfo.yaml declares them). */
export function bookinfoServices(namespace = 'default'): ServiceInfo[] {
  return ['details', 'productpage', 'ratings', 'reviews'].map((name) => k8sService(name, namespace, [{ name: 'http', port: 9080 }]));
}

/** One endpoint per BookInfo deployment: details v1, productpage v1, ratings v1, reviews v1/v2/v3. */
export function bookinfoEndpoints(namespace = 'default'): WorkloadEndpoint[] {
  const e = (app: string, version: string, ip: string) =>
    endpoint(`${app}-${version}`, ip, { app, version }, { namespace, ports: { http: 9080 }, source: `WorkloadEntry/${namespace}/${app}-${version}` });
  return [
    e('details', 'v1', '10.0.0.1'), e('productpage', 'v1', '10.0.0.2'), e('ratings', 'v1', '10.0.0.3'),
    e('reviews', 'v1', '10.0.0.4'), e('reviews', 'v2', '10.0.0.5'), e('reviews', 'v3', '10.0.0.6'),
  ];
}

/** BookInfo's registry. */
export function bookinfoRegistry(): RegistrySnapshot {
  return fakeRegistry(bookinfoServices(), bookinfoEndpoints());
}

/** A resource of a translation result, failing the test if it is missing. */
export function get(map: ReadonlyMap<string, object>, name: string): Loose {
  const value = map.get(name);
  if (!value) throw new Error(`no resource "${name}"; have: ${[...map.keys()].join(', ')}`);
  return value as Loose;
}

/** The routes of the single virtual host of a sidecar RouteConfiguration. */
export function routesOf(result: XdsResourceSet, routeConfig: string): Loose[] {
  const rc = get(result.routes, routeConfig);
  return rc.virtual_hosts[0].routes as Loose[];
}

/** All warnings as "source: message" lines (for includes-assertions). */
export function warningLines(result: XdsResourceSet): string[] {
  return [...result.warnings.entries()].flatMap(([source, list]) => list.map((m) => `${source}: ${m}`));
}

// Test support: Istio and Kubernetes config objects as the admin API takes them (namespace default).

/** A VirtualService `name` with `spec`. */
export function virtualService(name: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'default' }, spec };
}

/** A DestinationRule `name` with `spec`. */
export function destinationRule(name: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: 'default' }, spec };
}

/** A DestinationRule for `host` with subsets v1 and v2 (label version) and an optional traffic policy. */
export function versionSubsets(host: string, trafficPolicy?: Record<string, unknown>): object {
  return destinationRule(host, {
    host,
    ...(trafficPolicy ? { trafficPolicy } : {}),
    subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
  });
}

/** A Kubernetes Service `name` with one HTTP port and selector app=name. */
export function kubernetesService(name: string, port = 9080): object {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ name: 'http', port }] } };
}

/** A WorkloadEntry for a loopback server (labels app=service plus `labels`). */
export function workloadEntry(name: string, service: string, port: number, labels: Record<string, string> = {}): object {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name, namespace: 'default' },
    spec: { address: '127.0.0.1', ports: { http: port }, labels: { app: service, ...labels } },
  };
}

/** Route rule sending requests with header end-user: jason to v2, the rest to v1. */
export function jasonToV2(host: string, extra: Record<string, unknown> = {}): object {
  return virtualService(host, {
    hosts: [host],
    http: [
      { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host, subset: 'v2' } }], ...extra },
      { route: [{ destination: { host, subset: 'v1' } }] },
    ],
  });
}

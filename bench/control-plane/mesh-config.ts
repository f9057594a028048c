// The mesh configurations the control-plane and memory groups load (pure): a BookInfo-sized mesh
// (productpage, details, reviews v1–v3, ratings) with its VirtualServices and DestinationRules, a
// generated mesh of N services × M endpoints, and the one-route change the fan-out bench applies.

const NAMESPACE = 'default';
const PORT = 9080;

/** A Kubernetes-style document as the admin API's apply takes it. */
export type MeshDocument = Readonly<Record<string, unknown>>;

/** Shape of one generated service. */
export interface ServiceShape {
  readonly name: string;
  readonly versions: readonly string[];
  readonly endpointsPerVersion: number;
}

/** BookInfo's four services, as Istio's sample deploys them (reviews has three versions). */
export const BOOKINFO_SERVICES: readonly ServiceShape[] = [
  { name: 'productpage', versions: ['v1'], endpointsPerVersion: 1 },
  { name: 'details', versions: ['v1'], endpointsPerVersion: 1 },
  { name: 'reviews', versions: ['v1', 'v2', 'v3'], endpointsPerVersion: 1 },
  { name: 'ratings', versions: ['v1'], endpointsPerVersion: 1 },
];

/** `count` services `svc-0…` with one version and `endpoints` endpoints each (G5b: 1,000 × 10). */
export function generatedServices(count: number, endpoints: number): ServiceShape[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`generatedServices: count must be a positive integer (got ${count})`);
  if (!Number.isInteger(endpoints) || endpoints < 1) throw new RangeError(`generatedServices: endpoints must be a positive integer (got ${endpoints})`);
  return Array.from({ length: count }, (_, index) => ({ name: `svc-${index}`, versions: ['v1'], endpointsPerVersion: endpoints }));
}

/** Loopback address number `n` (0-based) in 127.1.0.1 … (never 127.0.0.1, which the bench servers use). */
export function loopbackAddress(n: number): string {
  const host = n + 1;
  return `127.${1 + Math.floor(host / 65_025)}.${Math.floor((host % 65_025) / 255)}.${(host % 255) + 1}`;
}

/** Service + WorkloadEntries + DestinationRule (a subset per version) + VirtualService for each shape. */
export function meshDocuments(shapes: readonly ServiceShape[]): MeshDocument[] {
  const documents: MeshDocument[] = [];
  let address = 0;
  for (const shape of shapes) {
    documents.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: shape.name, namespace: NAMESPACE },
      spec: { selector: { app: shape.name }, ports: [{ name: 'http', port: PORT }] },
    });
    for (const version of shape.versions) {
      for (let index = 0; index < shape.endpointsPerVersion; index++) {
        documents.push({
          apiVersion: 'networking.istio.io/v1',
          kind: 'WorkloadEntry',
          metadata: { name: `${shape.name}-${version}-${index}`, namespace: NAMESPACE },
          spec: { address: loopbackAddress(address++), labels: { app: shape.name, version }, ports: { http: PORT }, serviceAccount: `bookinfo-${shape.name}` },
        });
      }
    }
    documents.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: shape.name, namespace: NAMESPACE },
      spec: { host: shape.name, subsets: shape.versions.map((version) => ({ name: version, labels: { version } })) },
    });
    documents.push(virtualService(shape.name, [{ subset: shape.versions[0]!, weight: 100 }]));
  }
  return documents;
}

/** A VirtualService sending all of `host`'s traffic to weighted subsets. */
export function virtualService(host: string, split: readonly { subset: string; weight: number }[]): MeshDocument {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: host, namespace: NAMESPACE },
    spec: {
      hosts: [host],
      http: [{ route: split.map(({ subset, weight }) => ({ destination: { host, subset }, weight })) }],
    },
  };
}

/**
 * The one-route change of apply number `step` (1, 2, …): reviews' weighted split moves by one point
 * each time (v1 99 → 98 …, v2 takes the rest), so every apply changes exactly one route.
 */
export function reviewsChange(step: number): MeshDocument {
  if (!Number.isInteger(step) || step < 1 || step > 98) throw new RangeError(`reviewsChange: step must be 1…98 (got ${step})`);
  return virtualService('reviews', [
    { subset: 'v1', weight: 100 - step },
    { subset: 'v2', weight: step },
  ]);
}

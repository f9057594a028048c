// Which service instances `npm start` runs, with their mesh identity and ports: one process each
// for productpage, details, ratings, reviews v1, TWO reviews v2 (so load balancing shows) and v3,
// plus httpbin v1/v2 for the circuit-breaking, mirroring and ingress tasks. Pure.
import type { ServiceName } from '../services/catalog';

/** One process of the example. */
export interface InstanceSpec {
  /** Workload name, unique: `reviews-v2-2`. */
  readonly name: string;
  readonly service: ServiceName;
  readonly version: string;
  /** Service account (identity spiffe://cluster.local/ns/default/sa/<sa>), as in Istio's BookInfo. */
  readonly serviceAccount: string;
  /** Port it listens on (0 = any free port). */
  readonly port: number;
}

/** Service, version and how many instances, in start order. */
const LAYOUT: readonly (readonly [ServiceName, string, number])[] = [
  ['productpage', 'v1', 1],
  ['details', 'v1', 1],
  ['ratings', 'v1', 1],
  ['reviews', 'v1', 1],
  ['reviews', 'v2', 2],
  ['reviews', 'v3', 1],
  ['httpbin', 'v1', 1],
  ['httpbin', 'v2', 1],
];

/** Istio's service accounts: bookinfo-<service>; httpbin runs as "httpbin". */
export function serviceAccountOf(service: ServiceName): string {
  return service === 'httpbin' ? 'httpbin' : `bookinfo-${service}`;
}

/** The instances, ports assigned from `basePort` upwards (all 0 when basePort is 0). */
export function planInstances(basePort: number): InstanceSpec[] {
  const out: InstanceSpec[] = [];
  for (const [service, version, count] of LAYOUT) {
    for (let i = 1; i <= count; i++) {
      out.push({
        name: `${service}-${version}-${i}`,
        service,
        version,
        serviceAccount: serviceAccountOf(service),
        port: basePort === 0 ? 0 : basePort + out.length,
      });
    }
  }
  return out;
}

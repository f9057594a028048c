// Fake endpoints and clusters for balancer tests (no network, no xDS): plain compiled objects.

import { DEFAULT_THRESHOLDS } from '../snapshot/compile-cluster-limits';
import type { ClusterConfig, ClusterEndpoints, Endpoint, LocalityEndpoints } from '../snapshot/types';

/** Endpoint 10.0.0.<i>:9080 in locality r/z<zone>/, priority 0, weight 1, HEALTHY unless overridden. */
export function fakeEndpoint(i: number, overrides: Partial<Endpoint> = {}): Endpoint {
  const address = `10.0.0.${i}`;
  return {
    key: `${address}:9080`,
    address,
    port: 9080,
    weight: 1,
    health: 'HEALTHY',
    metadata: {},
    locality: { region: 'r', zone: 'z', subZone: '' },
    priority: 0,
    ...overrides,
    ...(overrides.address || overrides.port ? { key: `${overrides.address ?? address}:${overrides.port ?? 9080}` } : {}),
  };
}

/** A cluster with Envoy's defaults and the given LB policy / overrides. */
export function fakeCluster(overrides: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    name: 'outbound|9080||reviews.default.svc.cluster.local',
    type: 'EDS',
    connectTimeoutMs: 5000,
    lbPolicy: 'ROUND_ROBIN',
    ringHash: { minRingSize: 1024, maxRingSize: 8_388_608, useHostnameForHashing: false },
    leastRequest: { choiceCount: 2, activeRequestBias: 1 },
    maglevTableSize: 65537,
    localityWeighted: false,
    panicThresholdPercent: 50,
    failTrafficOnPanic: false,
    circuitBreakers: { default: DEFAULT_THRESHOLDS, high: DEFAULT_THRESHOLDS },
    protocol: 'http1',
    transportSocketMatches: [],
    metadata: {},
    ...overrides,
  };
}

/** Groups endpoints into localities (by locality and priority); `weights` maps `region/zone/subZone` to a locality weight. */
export function fakeEndpoints(endpoints: readonly Endpoint[], weights: Record<string, number> = {}): ClusterEndpoints {
  const localities = new Map<string, LocalityEndpoints & { endpoints: Endpoint[] }>();
  for (const e of endpoints) {
    const localityKey = `${e.locality.region}/${e.locality.zone}/${e.locality.subZone}`;
    const key = `${localityKey}#${e.priority}`;
    let loc = localities.get(key);
    if (!loc) {
      loc = { locality: e.locality, localityKey, priority: e.priority, endpoints: [], ...(weights[localityKey] !== undefined ? { weight: weights[localityKey] } : {}) };
      localities.set(key, loc);
    }
    loc.endpoints.push(e);
  }
  return { clusterName: 'reviews', localities: [...localities.values()], endpoints, overprovisioningFactor: 140, dropOverloads: [] };
}

/** Counts picks per endpoint key. */
export function tally(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

// Which RDS and EDS resources a compiled snapshot references: the route configurations its
// listeners name and the ClusterLoadAssignments its EDS clusters name. Pure; drives the
// subscriptions of the config stream (LDS/CDS are wildcard, RDS/EDS follow the references).

import type { MeshSnapshot } from '../snapshot/types';

/** Route configuration names referenced by the listeners (api listeners and socket filter chains). */
export function referencedRouteNames(snapshot: MeshSnapshot): Set<string> {
  const names = new Set<string>();
  for (const listener of snapshot.listeners.values()) {
    if (listener.http?.routeConfigName !== undefined) names.add(listener.http.routeConfigName);
    for (const chain of listener.filterChains) if (chain.http?.routeConfigName !== undefined) names.add(chain.http.routeConfigName);
  }
  return names;
}

/** EDS resource names of the EDS clusters (eds_cluster_config.service_name, else the cluster name). */
export function referencedEndpointNames(snapshot: MeshSnapshot): Set<string> {
  const names = new Set<string>();
  for (const cluster of snapshot.clusters.values()) {
    if (cluster.type === 'EDS') names.add(cluster.edsServiceName ?? cluster.name);
  }
  return names;
}

/** `wanted` against `current`: what to subscribe and what to drop. */
export function subscriptionDelta(current: ReadonlySet<string>, wanted: ReadonlySet<string>): { added: string[]; removed: string[] } {
  const added = [...wanted].filter((n) => !current.has(n)).sort();
  const removed = [...current].filter((n) => !wanted.has(n)).sort();
  return { added, removed };
}

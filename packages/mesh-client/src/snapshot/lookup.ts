// Small read helpers over a MeshSnapshot for the request pipeline and explain: which route table a
// listener uses, a cluster's endpoints, and the notes recorded for one resource.

import type { RouteTable } from '../routing/types';
import type { ClusterEndpoints, ConfigNote, MeshSnapshot, ResourceFamily } from './types';

/** The route table of a listener: its RDS route configuration, else its inline route_config. */
export function routeTableForListener(snapshot: MeshSnapshot, listenerName: string): RouteTable | undefined {
  const listener = snapshot.listeners.get(listenerName);
  if (!listener?.http) return undefined;
  if (listener.http.routeConfigName !== undefined) return snapshot.routeTables.get(listener.http.routeConfigName);
  return listener.http.inlineRouteTable;
}

/** The endpoints of a cluster (EDS resolved through its service name, or inline). */
export function endpointsOfCluster(snapshot: MeshSnapshot, clusterName: string): ClusterEndpoints | undefined {
  return snapshot.endpoints.get(clusterName);
}

/** Notes (config accepted but not honoured) recorded for one resource. */
export function notesFor(snapshot: MeshSnapshot, family: ResourceFamily, name: string): readonly ConfigNote[] {
  return snapshot.notes.filter((n) => n.family === family && n.name === name);
}

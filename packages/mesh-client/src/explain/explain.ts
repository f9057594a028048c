// mesh.explain: why a request would go where it goes — listener, virtual host, the route and the
// VirtualService it came from, the weighted pick, cluster and subset, candidate endpoints with their
// health, ejection and load, timeouts, retries, faults, mirrors and every note on the path. Pure.

import type { RandomSource } from '../balancing/random';
import { LOCAL_REPLY } from '../errors';
import type { OutboundTrafficPolicy } from '../options';
import { computeDeadline, routeTimeoutsOf } from '../policy/deadline';
import { computeRouteOutcome } from '../routing/actions';
import { findRoute } from '../routing/match';
import { RequestView } from '../routing/request-view';
import { routeTableForListener } from '../snapshot/lookup';
import type { ConfigNote, MeshSnapshot } from '../snapshot/types';
import type { MeshRuntime } from '../runtime/mesh-runtime';
import { fail } from '../options';
import { toHeaderMap, type HeaderMap } from '../request';
import { effectiveFault } from '../pipeline/policy-layers';
import { findListener } from '../pipeline/route-layers';
import { isGrpcRequest } from '../pipeline/headers';
import { describeFault, describeMatch, describeRetry, firstFailedCondition, parseClusterName, plain } from './describe';

/** The request to explain. */
export interface ExplainRequest {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

/** What the mesh would do with a request: a plain JSON object (see docs/reference/mesh-client.md). */
export type Explanation = Record<string, unknown> & {
  /** forward | passthrough | blackhole | no-route | no-cluster | redirect | direct | not-ready */
  readonly decision: string;
};

/** What explain reads besides the snapshot. */
export interface ExplainContext {
  readonly runtime: MeshRuntime;
  readonly random: RandomSource;
  readonly outboundTrafficPolicy: OutboundTrafficPolicy;
}

/** Explains `input` against `snapshot` and the live endpoint state. Changes nothing. */
export function explainRequest(snapshot: MeshSnapshot | undefined, ctx: ExplainContext, input: ExplainRequest): Explanation {
  if (typeof input !== 'object' || input === null || typeof input.url !== 'string') fail('explain request', 'must be an object { url, method?, headers? }', input);
  let url: URL;
  try { url = new URL(input.url); } catch { fail('explain request.url', 'must be an absolute http(s) URL', input.url); }
  const headers: HeaderMap = toHeaderMap(input.headers ?? {});
  const request = { authority: url.host, scheme: url.protocol === 'https:' ? 'https' as const : 'http' as const, method: (input.method ?? 'GET').toUpperCase(), path: `${url.pathname}${url.search}`, headers };
  const base = { request: { url: url.href, authority: request.authority, method: request.method, path: request.path, headers } };
  if (!snapshot) return { ...base, decision: 'not-ready', reason: 'no config received from the control plane yet' };
  const notes: ConfigNote[] = [];
  const withVersion = { ...base, snapshotVersion: snapshot.version };

  const listener = findListener(snapshot, request.authority);
  if (!listener) {
    return ctx.outboundTrafficPolicy === 'REGISTRY_ONLY'
      ? { ...withVersion, decision: 'blackhole', status: LOCAL_REPLY.REGISTRY_ONLY.status, reason: `no listener for ${request.authority}; outbound policy REGISTRY_ONLY answers 502 (BlackHoleCluster)` }
      : { ...withVersion, decision: 'passthrough', reason: `no listener for ${request.authority}: not a mesh host; ALLOW_ANY sends it to its original destination (PassthroughCluster)` };
  }
  notes.push(...notesOf(snapshot, 'listeners', listener.name));
  const listenerInfo = { name: listener.name, lookup: listener.name === request.authority.toLowerCase() ? 'exact authority' : 'authority with default port 80', routeConfig: listener.http?.routeConfigName ?? '(inline)' };
  const table = routeTableForListener(snapshot, listener.name);
  if (!table) return { ...withVersion, decision: 'no-route', status: 404, responseFlag: 'NR', listener: listenerInfo, reason: 'the listener\'s route configuration has not been received', notes };
  notes.push(...notesOf(snapshot, 'routes', table.name));
  const found = findRoute(table, request, { random: ctx.random });
  if (!found.ok) {
    const vh = found.virtualHost;
    const view = new RequestView(request, table.ignorePathParametersInPathMatching);
    return {
      ...withVersion, decision: 'no-route', status: 404, responseFlag: 'NR', listener: listenerInfo,
      ...(vh ? { virtualHost: { name: vh.name, metadata: plain(vh.metadata) } } : {}),
      reason: found.reason === 'NO_VIRTUAL_HOST' ? `no virtual host of ${table.name} has domain ${request.authority}` : 'no route matched',
      ...(vh ? { routesTried: vh.routes.map((r) => ({ index: r.index, name: r.name ?? null, failed: firstFailedCondition(r, view) ?? 'runtime fraction not drawn' })) } : {}),
      notes,
    };
  }
  const { route, virtualHost, view } = found;
  const skipped = virtualHost.routes.slice(0, found.index).map((r) => ({ index: r.index, name: r.name ?? null, failed: firstFailedCondition(r, view) ?? 'runtime fraction not drawn' }));
  const routeInfo = {
    index: found.index, name: route.name ?? null,
    virtualService: route.source?.virtualService ?? null,
    ruleIndex: route.source?.routeIndex ?? null,
    metadata: plain(route.metadata['inboard'] ?? {}),
    match: describeMatch(route),
  };
  const common = {
    ...withVersion, listener: listenerInfo, virtualHost: { name: virtualHost.name, metadata: plain(virtualHost.metadata['inboard'] ?? {}) }, route: routeInfo,
    matchReason: `route ${found.index}${route.name ? ` (${route.name})` : ''} is the first whose conditions all hold: ${describeMatch(route).join(' and ')}`,
    ...(skipped.length > 0 ? { routesSkipped: skipped } : {}),
  };
  const outcome = computeRouteOutcome(table, virtualHost, route, view, { random: ctx.random });
  if (outcome.kind === 'redirect') return { ...common, decision: 'redirect', status: outcome.status, location: outcome.location, notes };
  if (outcome.kind === 'direct') return { ...common, decision: 'direct', status: outcome.status, notes };
  if (outcome.kind === 'non_forwarding') return { ...common, decision: 'no-route', status: 404, reason: 'non_forwarding route', notes };

  const action = outcome.action;
  const target = action.target;
  const weighted = target.kind === 'weighted'
    ? { totalWeight: target.totalWeight, clusters: target.clusters.map((c) => ({ cluster: c.name ?? `(header ${c.clusterHeader})`, weight: c.weight, percent: Math.round((c.weight / target.totalWeight) * 10_000) / 100 })), chosen: outcome.cluster }
    : null;
  const cluster = snapshot.clusters.get(outcome.cluster);
  for (const name of new Set([outcome.cluster, ...(target.kind === 'weighted' ? target.clusters.map((c) => c.name ?? '') : [])])) {
    notes.push(...notesOf(snapshot, 'clusters', name));
  }
  const timeouts = routeTimeoutsOf(action);
  const deadline = computeDeadline({ timeouts, headers, grpc: isGrpcRequest(headers), now: 0 });
  const policies = {
    timeout: {
      routeTimeoutMs: action.timeoutMs === 0 ? null : action.timeoutMs, defaulted: action.timeoutDefaulted,
      perTryTimeoutMs: deadline.perTryTimeoutMs || null, effectiveMs: deadline.expiresAt ?? null, bound: deadline.source ?? 'none',
    },
    retryPolicy: describeRetry(action.retryPolicy),
    fault: describeFault(effectiveFault({ request, grpc: false, flags: [], listener, route: outcome })),
    mirrors: action.mirrorPolicies.map((m) => ({ cluster: m.cluster ?? `(header ${m.clusterHeader})`, percent: m.perMillion / 10_000, shadowAuthority: m.appendShadowSuffix })),
    rewrites: { path: outcome.path, authority: outcome.authority },
  };
  if (!cluster) {
    return { ...common, decision: 'no-cluster', status: outcome.clusterNotFoundStatus, responseFlag: 'NC', weightedClusters: weighted, cluster: { name: outcome.cluster, ...parseClusterName(outcome.cluster) }, ...policies, notes };
  }
  const eds = snapshot.endpoints.get(cluster.name);
  if (cluster.type === 'EDS') notes.push(...notesOf(snapshot, 'endpoints', cluster.edsServiceName ?? cluster.name));
  const detector = ctx.runtime.outliers.get(cluster.name);
  const candidates = ctx.runtime.picker(snapshot, cluster).candidates().map((c) => ({
    address: c.endpoint.key, health: c.endpoint.health, weight: c.endpoint.weight, priority: c.endpoint.priority,
    locality: [c.endpoint.locality.region, c.endpoint.locality.zone, c.endpoint.locality.subZone].filter(Boolean).join('/'),
    ejected: c.ejected, available: c.available, activeRequests: c.activeRequests,
    ...(detector?.hostStatus(c.endpoint.key) ? { outlier: plain(detector.hostStatus(c.endpoint.key)) } : {}),
    ...(c.endpoint.identity ? { identity: c.endpoint.identity } : {}),
  }));
  const limits = ctx.runtime.limits.get(cluster.name, action.priority);
  return {
    ...common,
    decision: 'forward',
    weightedClusters: weighted,
    cluster: {
      name: cluster.name, ...parseClusterName(cluster.name), type: cluster.type, lbPolicy: cluster.lbPolicy,
      circuitBreakers: { ...limits.thresholds, inUse: limits.counts() },
      outlierDetection: cluster.outlierDetection ? plain(cluster.outlierDetection) : null,
      metadata: plain(cluster.metadata['inboard'] ?? {}),
    },
    endpoints: candidates,
    ...(eds ? {} : { endpointsNote: 'no endpoints received for this cluster: requests get 503 UH' }),
    ...policies,
    notes,
  };
}

function notesOf(snapshot: MeshSnapshot, family: ConfigNote['family'], name: string): ConfigNote[] {
  return snapshot.notes.filter((n) => n.family === family && n.name === name).map((n) => ({ ...n }));
}

// The routing layers of the request stack, top to bottom: read the snapshot once, find the listener
// the authority names (or pass the request through), match virtual host and route (404 NR), answer
// redirects and direct responses locally, check the target cluster (NC), apply response headers.

import { isMeshError, MeshError } from '../errors';
import type { HeaderMap, MeshResponse } from '../request';
import { computeRouteOutcome, type RouteOutcome } from '../routing/actions';
import { applyHeaderMutations } from '../routing/header-mutation';
import { findRoute } from '../routing/match';
import { stripPort } from '../routing/virtual-host';
import { routeTableForListener } from '../snapshot/lookup';
import type { ListenerSpec, MeshSnapshot } from '../snapshot/types';
import { errorReply, fixedReply, redirectReply } from './local-reply';
import { registryOnlyError } from './passthrough';
import type { Layer, OutboundCall, StackDeps } from './types';

/** The snapshot in force when the call starts; before the first config, waits for it (abortable). */
export function readSnapshotOnce(deps: StackDeps): Layer {
  return (next) => async (call) => {
    if (deps.isClosed()) throw new MeshError('CLOSED', 'the mesh is closed; create a new one with connect()');
    let snapshot = deps.currentSnapshot();
    if (!snapshot) {
      await untilReadyOrAborted(deps.ready, call.request.signal);
      snapshot = deps.currentSnapshot()!;
    }
    call.snapshot = snapshot;
    return next(call);
  };
}

/**
 * The listener the caller addressed: the exact authority, else `authority:80` when the caller gave
 * no port. None: ALLOW_ANY sends the request to its original destination (PassthroughCluster);
 * REGISTRY_ONLY answers 502 (BlackHoleCluster). A listener without its route table answers 404 NR.
 */
export function selectListener(deps: StackDeps): Layer {
  return (next) => async (call) => {
    const snapshot = call.snapshot!;
    const name = call.listenerName;
    const listener = name !== undefined ? snapshot.listeners.get(name) : findListener(snapshot, call.request.authority);
    if (!listener) {
      if (name !== undefined) return reply(call, new MeshError('NO_ROUTE', `no listener named ${name}`, { details: { listener: name } }));
      if (deps.outboundTrafficPolicy === 'REGISTRY_ONLY') return reply(call, registryOnlyError(call.request.authority));
      return deps.passthrough.send(call.request);
    }
    const table = routeTableForListener(snapshot, listener.name);
    if (!table) {
      return reply(call, new MeshError('NO_ROUTE', `listener ${listener.name} has no route configuration ${listener.http?.routeConfigName ?? ''}`.trim(), { details: { listener: listener.name } }));
    }
    call.listener = listener;
    call.table = table;
    return next(call);
  };
}

/** Listener lookup by authority: exact (lower-cased), then with the default port 80 when none was given. */
export function findListener(snapshot: MeshSnapshot, authority: string): ListenerSpec | undefined {
  const key = authority.toLowerCase();
  const exact = snapshot.listeners.get(key);
  if (exact || stripPort(key) !== key) return exact;
  return snapshot.listeners.get(`${key}:80`);
}

/**
 * Virtual host and route (first match wins; none: 404 NR), the route's decision (weighted pick,
 * rewrites, policies), local answers for redirect and direct-response routes, NC when the target
 * cluster is unknown; then the route's response header mutations on whatever comes back.
 */
export function matchRouteLayer(deps: StackDeps): Layer {
  return (next) => async (call) => {
    const table = call.table!;
    const found = findRoute(table, call.request, { random: deps.random });
    if (!found.ok) {
      const what = found.reason === 'NO_VIRTUAL_HOST' ? `no virtual host of ${table.name} matches ${call.request.authority}` : `no route of virtual host ${found.virtualHost!.name} matches ${call.request.method} ${call.request.path}`;
      return reply(call, new MeshError('NO_ROUTE', what, { details: { routeConfig: table.name, authority: call.request.authority, path: call.request.path } }));
    }
    call.view = found.view;
    const outcome = computeRouteOutcome(table, found.virtualHost, found.route, found.view, { random: deps.random });
    let response: MeshResponse;
    switch (outcome.kind) {
      case 'redirect': response = redirectReply(outcome.status, outcome.location); break;
      case 'direct': response = fixedReply(outcome.status, outcome.body); break;
      case 'non_forwarding':
        response = reply(call, new MeshError('NO_ROUTE', `route ${found.route.name ?? found.index} serves in-process (non_forwarding) and cannot be called`, { details: { routeConfig: table.name } }));
        break;
      case 'forward': {
        call.route = outcome;
        const cluster = call.snapshot!.clusters.get(outcome.cluster);
        if (!cluster) {
          response = reply(call, new MeshError('NO_CLUSTER', `cluster ${outcome.cluster || '(empty)'} of route ${found.route.name ?? found.index} is unknown`, {
            status: outcome.clusterNotFoundStatus, details: { cluster: outcome.cluster, routeConfig: table.name },
          }));
          break;
        }
        call.cluster = cluster;
        try {
          response = await next(call);
        } catch (error) {
          if (!isMeshError(error) || error.status === undefined || error.details['passthrough'] === true) throw error;
          response = reply(call, error);
        }
      }
    }
    return withResponseHeaders(response, outcome);
  };
}

/** The route's response header mutations and hash-policy cookies applied to a response. */
function withResponseHeaders(response: MeshResponse, outcome: RouteOutcome): MeshResponse {
  const cookies = outcome.kind === 'forward' ? outcome.setCookies : [];
  if (outcome.responseHeaders.length === 0 && cookies.length === 0) return response;
  const headers: HeaderMap = applyHeaderMutations(response.headers, outcome.responseHeaders);
  if (cookies.length > 0) {
    const existing = headers['set-cookie'];
    headers['set-cookie'] = [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), ...cookies.map((c) => c.header)];
  }
  return { ...response, headers };
}

/** The local reply for `error` in the call's protocol, with the flags gathered so far. */
export function reply(call: OutboundCall, error: MeshError, grpcStatus?: number): MeshResponse {
  return errorReply(error, { grpc: call.grpc, flags: call.flags, ...(grpcStatus !== undefined ? { grpcStatus } : {}) });
}

function untilReadyOrAborted(ready: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return ready;
  if (signal.aborted) return Promise.reject(new MeshError('ABORTED', 'request aborted before the mesh had its first config', { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new MeshError('ABORTED', 'request aborted before the mesh had its first config', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    ready.then(
      () => { signal.removeEventListener('abort', onAbort); resolve(); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

// The routing layers of the request stack, top to bottom: read the snapshot once, find the listener
// the authority names (or pass the request through), match virtual host and route (404 NR), answer
// redirects and direct responses locally, check the target cluster (NC), apply response headers.

import { isMeshError, MeshError } from '../errors';
import type { HeaderMap, MeshResponse } from '../request';
import { computeRouteOutcome, type RouteOutcome } from '../routing/actions';
import { applyHeaderMutations } from '../routing/header-mutation';
import { findRoute } from '../routing/match';
import { asciiLower } from '../routing/matchers';
import { stripPort } from '../routing/virtual-host';
import { routeTableForListener } from '../snapshot/lookup';
import type { ListenerSpec, MeshSnapshot } from '../snapshot/types';
import { errorReply, fixedReply, redirectReply } from './local-reply';
import { registryOnlyError } from './passthrough';
import { isDelivered } from './response-sink';
import type { Layer, OutboundCall, StackDeps } from './types';

/** The snapshot in force when the call starts; before the first config, waits for it (abortable). */
export function readSnapshotOnce(deps: StackDeps): Layer {
  return (next) => (call) => {
    if (deps.isClosed()) return Promise.reject(new MeshError('CLOSED', 'the mesh is closed; create a new one with connect()'));
    const snapshot = deps.currentSnapshot();
    if (snapshot) {
      // The common case stays synchronous: no promise of this layer's own.
      call.snapshot = snapshot;
      return next(call);
    }
    return untilReadyOrAborted(deps.ready, call.request.signal).then(() => {
      call.snapshot = deps.currentSnapshot()!;
      return next(call);
    });
  };
}

/**
 * The listener the caller addressed: the exact authority, else `authority:80` when the caller gave
 * no port. None: ALLOW_ANY sends the request to its original destination (PassthroughCluster);
 * REGISTRY_ONLY answers 502 (BlackHoleCluster). A listener without its route table answers 404 NR.
 */
export function selectListener(deps: StackDeps): Layer {
  return (next) => (call) => {
    const snapshot = call.snapshot!;
    const name = call.listenerName;
    const listener = name !== undefined ? snapshot.listeners.get(name) : findListener(snapshot, call.request.authority);
    if (!listener) {
      if (name !== undefined) return Promise.resolve(reply(call, new MeshError('NO_ROUTE', `no listener named ${name}`, { details: { listener: name } })));
      if (deps.outboundTrafficPolicy === 'REGISTRY_ONLY') return Promise.resolve(reply(call, registryOnlyError(call.request.authority)));
      return deps.passthrough.send(call.request);
    }
    const table = routeTableForListener(snapshot, listener.name);
    if (!table) {
      return Promise.resolve(reply(call, new MeshError('NO_ROUTE', `listener ${listener.name} has no route configuration ${listener.http?.routeConfigName ?? ''}`.trim(), { details: { listener: listener.name } })));
    }
    call.listener = listener;
    call.table = table;
    return next(call);
  };
}

/** Listener lookup by authority: exact (lower-cased), then with the default port 80 when none was given. */
export function findListener(snapshot: MeshSnapshot, authority: string): ListenerSpec | undefined {
  const key = asciiLower(authority);
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
  const options = { random: deps.random };
  return (next) => (call) => {
    const table = call.table!;
    const found = findRoute(table, call.request, options);
    if (!found.ok) {
      const what = found.reason === 'NO_VIRTUAL_HOST' ? `no virtual host of ${table.name} matches ${call.request.authority}` : `no route of virtual host ${found.virtualHost!.name} matches ${call.request.method} ${call.request.path}`;
      return Promise.resolve(reply(call, new MeshError('NO_ROUTE', what, { details: { routeConfig: table.name, authority: call.request.authority, path: call.request.path } })));
    }
    call.view = found.view;
    const outcome = computeRouteOutcome(table, found.virtualHost, found.route, found.view, options);
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
        // A route that changes no response header adds nothing to the answer: hand it on as it is
        // (a coded error thrown below becomes the same local reply in the pipeline's entry).
        if (!changesResponseHeaders(outcome)) return next(call);
        // No await of its own: the answer below is mapped once, whether it comes now or later.
        let pending: Promise<MeshResponse>;
        try {
          pending = next(call);
        } catch (error) {
          return Promise.resolve(withResponseHeaders(replyForThrown(call, error), outcome));
        }
        return pending.then((answer) => withResponseHeaders(answer, outcome), (error: unknown) => withResponseHeaders(replyForThrown(call, error), outcome));
      }
    }
    return Promise.resolve(withResponseHeaders(response, outcome));
  };
}

/** A coded error with an HTTP answer thrown below routing becomes its local reply; anything else is rethrown. */
function replyForThrown(call: OutboundCall, error: unknown): MeshResponse {
  if (!isMeshError(error) || error.status === undefined || error.details['passthrough'] === true) throw error;
  return reply(call, error);
}

/** The route's response header mutations and hash-policy cookies applied to a response. */
function withResponseHeaders(response: MeshResponse, outcome: RouteOutcome): MeshResponse {
  if (isDelivered(response)) return response;
  const headers = responseHeadersFor(response.headers, outcome);
  return headers ? { ...response, headers } : response;
}

/**
 * The response headers after the route's mutations and hash-policy cookies, or undefined when the
 * route changes nothing (the headers are then used as they are).
 */
export function responseHeadersFor(responseHeaders: HeaderMap, outcome: RouteOutcome): HeaderMap | undefined {
  if (!changesResponseHeaders(outcome)) return undefined;
  const cookies = outcome.kind === 'forward' ? outcome.setCookies : [];
  const headers: HeaderMap = applyHeaderMutations(responseHeaders, outcome.responseHeaders);
  if (cookies.length > 0) {
    const existing = headers['set-cookie'];
    headers['set-cookie'] = [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), ...cookies.map((c) => c.header)];
  }
  return headers;
}

/** True when the route mutates response headers or sets hash-policy cookies. */
export function changesResponseHeaders(outcome: RouteOutcome): boolean {
  return outcome.responseHeaders.length > 0 || (outcome.kind === 'forward' && outcome.setCookies.length > 0);
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

// Request mirroring: the mirrors H9's decideMirrors draws for the route's request_mirror_policies
// (one random value per request, as Envoy), each a copy to the mirror cluster with the `-shadow`
// authority — fired and forgotten, never awaited, its answer discarded, bounded by the route deadline.

import { MeshError } from '../errors';
import { remainingMs, timeoutSignal } from '../policy/deadline';
import { decideMirrors, type MirrorTarget } from '../policy/mirror';
import type { MeshRequest } from '../request';
import { upstreamMtlsFor } from '../transport/endpoint-pools';
import { transportFailureKind } from './passthrough';
import type { Layer, OutboundCall, StackDeps } from './types';

/**
 * Fires the route's mirrors before the primary request goes on. A request whose body is a stream
 * is not mirrored (its bytes can be read once; only buffered bodies are copied).
 */
export function mirrorRequests(deps: StackDeps): Layer {
  return (next) => (call) => {
    const route = call.route!;
    const policies = route.action.mirrorPolicies;
    if (policies.length > 0 && (call.request.body === undefined || Buffer.isBuffer(call.request.body))) {
      const mirrors = decideMirrors(policies, deps.random, { authority: route.authority, method: call.request.method, headers: call.request.headers });
      for (const target of mirrors) void sendShadow(deps, call, target).catch(() => undefined);
    }
    return next(call);
  };
}

/** One shadow request: pick an endpoint of the mirror cluster, take a request slot, send, discard. */
async function sendShadow(deps: StackDeps, call: OutboundCall, target: MirrorTarget): Promise<void> {
  const snapshot = call.snapshot!;
  const cluster = snapshot.clusters.get(target.cluster);
  if (!cluster) return;
  const picked = deps.runtime.picker(snapshot, cluster).pick({});
  if (!picked.ok) return;
  const endpoint = picked.endpoint;
  const permit = deps.runtime.limits.get(cluster.name).tryAcquireRequest();
  if (!permit.ok) return;
  const left = call.deadline ? remainingMs(call.deadline, deps.clock.now()) : Infinity;
  const bound = timeoutSignal(deps.clock, left, () => new MeshError('UPSTREAM_TIMEOUT', 'shadow request timeout', { details: { timeout: 'route' } }));
  const done = deps.runtime.endpointState.track(endpoint.key);
  const shadow: MeshRequest = {
    authority: target.authority,
    scheme: call.request.scheme,
    method: call.request.method,
    path: call.route!.path,
    headers: { ...call.upstreamHeaders, host: target.authority },
    ...(call.request.body !== undefined ? { body: call.request.body } : {}),
  };
  try {
    const response = await deps.runtime.pools.send(cluster.name, endpoint.key, deps.runtime.poolSettings(cluster), shadow, { signal: bound.signal, ...(deps.runtime.pools.mtlsEnabled ? { tls: upstreamMtlsFor(cluster, endpoint) } : {}) });
    deps.runtime.outliers.recordOutcome(cluster.name, endpoint.key, { kind: 'response', status: response.status, headers: response.headers });
    response.body.on('error', () => undefined);
    response.body.once('close', () => { done(); permit.release(); bound.dispose(); });
    response.body.resume();
  } catch (error) {
    const kind = bound.signal.aborted ? 'timeout' : transportFailureKind(error);
    deps.runtime.outliers.recordOutcome(cluster.name, endpoint.key, { kind });
    done();
    permit.release();
    bound.dispose();
  }
}

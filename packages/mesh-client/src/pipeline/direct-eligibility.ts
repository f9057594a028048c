// Which calls the dispatcher's pass-through (direct-dispatch.ts) may take: only what it honours
// exactly — no gRPC, plaintext to every endpoint, no mirror, no fault, a replayable body, no per-try
// timeout — and the route deadline it then arms.

import { computeDeadline, routeTimeoutsOf } from '../policy/deadline';
import { upstreamTlsFor } from '../snapshot/compile-upstream-tls';
import type { ClusterConfig, ClusterEndpoints } from '../snapshot/types';
import { effectiveFault } from './policy-layers';
import type { OutboundCall, StackDeps } from './types';

/**
 * Why the full stack must handle the call, or undefined when the pass-through may: it is only
 * taken for what it can honour exactly (every other call goes down the full stack unchanged).
 */
export function directIneligibility(deps: StackDeps, call: OutboundCall, plaintext: PlaintextClusters = new PlaintextClusters()): string | undefined {
  const route = call.route!;
  const cluster = call.cluster!;
  if (call.grpc) return 'grpc';
  if (!plaintext.test(cluster, call.snapshot!.endpoints.get(cluster.name))) return 'upstream TLS';
  if (route.action.mirrorPolicies.length > 0) return 'mirror';
  const fault = effectiveFault(call);
  if (fault && (fault.delay || fault.abort)) return 'fault';
  const body = call.request.body;
  if (body !== undefined && !Buffer.isBuffer(body)) return 'streamed body';
  const parent = deps.inboundRequest()?.deadline;
  const now = deps.clock.now();
  const timeouts = routeTimeoutsOf(route.action);
  const deadline = computeDeadline(parent === undefined ? { timeouts, headers: call.request.headers, grpc: false, now } : { timeouts, headers: call.request.headers, grpc: false, now, parentDeadline: parent });
  if (deadline.perTryTimeoutMs > 0) return 'per-try timeout';
  call.deadline = deadline;
  return undefined;
}

/**
 * Which clusters reach every endpoint in plaintext (no transport_socket, and no
 * transport_socket_matches entry with TLS that an endpoint's metadata selects), remembered per
 * compiled cluster and endpoint set — both are immutable parts of one snapshot.
 */
export class PlaintextClusters {
  private readonly known = new WeakMap<ClusterConfig, { readonly endpoints: ClusterEndpoints | undefined; readonly plaintext: boolean }>();

  test(cluster: ClusterConfig, endpoints: ClusterEndpoints | undefined): boolean {
    const seen = this.known.get(cluster);
    if (seen && seen.endpoints === endpoints) return seen.plaintext;
    const plaintext = (endpoints?.endpoints ?? []).every((endpoint) => upstreamTlsFor(cluster, endpoint) === undefined) && (endpoints !== undefined || cluster.tls === undefined);
    this.known.set(cluster, { endpoints, plaintext });
    return plaintext;
  }
}

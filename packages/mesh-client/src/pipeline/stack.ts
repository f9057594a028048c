// THE ORDER of mesh-client's request stack, written once. Every front end (fetch, undici
// dispatcher, global dispatcher, axios, the ingress gateway) calls the handler built here; each
// layer's position is explained next to it. The layers themselves live in the files imported below.

import { MeshError, isMeshError } from '../errors';
import type { MeshRequest, MeshResponse } from '../request';
import { admitByBreakers, armPerTryTimeout, pickEndpoint, sendUpstream } from './attempt-layers';
import { isGrpcRequest } from './headers';
import { directDispatch } from './direct-dispatch';
import { errorReply } from './local-reply';
import { mirrorRequests } from './mirror-layer';
import { applyDeadline, injectFaults, prepareHeaders } from './policy-layers';
import { retryLoop } from './retry-layer';
import { matchRouteLayer, readSnapshotOnce, selectListener } from './route-layers';
import { recordTelemetry } from './telemetry-layer';
import { deliveredAnswer } from './response-sink';
import { CallRecord, compose, type AttemptLayer, type Layer, type OutboundCall, type StackDeps } from './types';

/** Options of one call through the stack. */
export interface HandleOptions {
  /** Route through this listener (e.g. a gateway's `0.0.0.0_8080`) instead of the one the authority names. */
  readonly listener?: string;
}

/** The request pipeline as a function: a MeshRequest in, a MeshResponse (or a coded MeshError) out. */
export type MeshPipeline = (request: MeshRequest, options?: HandleOptions) => Promise<MeshResponse>;

/**
 * Builds the pipeline once per Mesh. Per call it allocates only the call record.
 * Failures travel as values (local-reply responses) inside; only what has no HTTP answer — the
 * caller's abort, a closed mesh, a passthrough that could not connect — is thrown, as MeshError.
 */
export function buildPipeline(deps: StackDeps): MeshPipeline {
  const attemptLayers: AttemptLayer[] = [
    // Load balancing first in each try: retries sit above it, so every try picks again (previous
    // hosts excluded by the retry policy, ejected hosts skipped by the picker). No host: 503 UH.
    pickEndpoint(deps),
    // Circuit breakers after the pick and before any I/O: an overflow is a local 503 UO that makes
    // no upstream attempt and is not recorded against the endpoint's health.
    admitByBreakers(deps),
    // Per-try timeout innermost of the policies: it bounds only the wire time of this try (not the
    // wait for a connection slot, which the route deadline bounds), and sets the timeout headers.
    armPerTryTimeout(deps),
  ];
  // Transport last: the endpoint's pool; its outcome feeds outlier detection and active counts.
  const attempt = compose(attemptLayers, sendUpstream(deps));

  const layers: Layer[] = [
    // 1. The snapshot is read ONCE per call, so a push mid-request never mixes two configs.
    readSnapshotOnce(deps),
    // 2. The listener the authority names; none means the host is not in the mesh: pass it
    //    through (ALLOW_ANY) or refuse it (REGISTRY_ONLY) before any mesh policy applies.
    selectListener(deps),
    // 3. Virtual host, route (404 NR), weighted pick, rewrites; redirect and direct-response routes
    //    answer here; NC for an unknown cluster. Response header mutations wrap everything below.
    matchRouteLayer(deps),
    //    The dispatcher front end's pass-through: a route no buffering policy touches is streamed
    //    straight into the caller's undici handler, with the decisions of the layers below.
    directDispatch(deps),
    //    Telemetry of the logical call (CLIENT span, Istio request metrics) from here: the route
    //    and cluster label it, and it sees every answer below, local replies included.
    recordTelemetry(deps),
    // 4. Upstream headers: mutations applied and the mesh's control headers stripped, once per
    //    request (the policies below still read the caller's original headers).
    prepareHeaders(),
    // 5. The fault filter, before the router as in Envoy: its delay does not count against the
    //    route timeout, and an abort is never retried, mirrored or sent upstream.
    injectFaults(deps),
    // 6. The route deadline wraps retries and back-offs (Envoy's timeout covers every attempt);
    //    an already expired deadline is answered 504 UT without forwarding.
    applyDeadline(deps),
    // 7. Mirrors fire once per request (not per retry), fire-and-forget, bounded by the deadline.
    mirrorRequests(deps),
  ];
  // 8. The retry loop is the terminal: each try runs the whole attempt stack above.
  const stack = compose(layers, retryLoop(deps, attempt));

  /** What escaped the stack, as the caller gets it: ABORTED for an aborted caller, a local reply for a coded error with an HTTP answer. */
  const recover = (request: MeshRequest, call: OutboundCall, error: unknown): MeshResponse => {
    if (request.signal?.aborted && !isMeshError(error, 'ABORTED')) {
      throw new MeshError('ABORTED', 'request aborted by the caller', { cause: request.signal.reason });
    }
    // A coded error with an HTTP answer that escaped a layer still becomes Envoy's local reply.
    if (isMeshError(error) && error.status !== undefined && error.details['passthrough'] !== true) return errorReply(error, { grpc: call.grpc, flags: call.flags });
    throw error;
  };

  return (request, options) => {
    const grpc = isGrpcRequest(request.headers);
    const call = new CallRecord(request, grpc, options?.listener);
    let answer: Promise<MeshResponse>;
    try {
      answer = stack(call);
    } catch (error) {
      answer = Promise.reject(error);
    }
    // The pass-through's shared, already settled answer needs no handler of its own.
    if (answer === deliveredAnswer()) return answer;
    return answer.then(undefined, (error: unknown) => recover(request, call, error));
  };
}

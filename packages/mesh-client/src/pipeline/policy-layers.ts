// The per-route policy layers between routing and the retry loop: upstream headers, the fault
// filter (delay DI / abort FI, before the router as in Envoy), and the route deadline (timeout
// covering every attempt, propagated deadlines, never forwarding an expired one: 504 UT).

import { derivedOnce } from '../snapshot/derived-once';
import { isMeshError, MeshError } from '../errors';
import { sleep } from '../policy/clock';
import { computeDeadline, deadlineExceeded, deadlineSignal, expiryGrpcStatus, remainingMs, routeTimeoutsOf, type Deadline } from '../policy/deadline';
import { decideFault } from '../policy/fault';
import type { MeshResponse } from '../request';
import { FILTER_TYPES } from '../snapshot/compile-filters';
import type { ForwardOutcome } from '../routing/actions';
import type { FaultPolicy } from '../routing/types';
import type { HttpFilterSpec, ListenerSpec } from '../snapshot/types';
import { errorReply, withFlags } from './local-reply';
import { upstreamHeaders } from './headers';
import { reply } from './route-layers';
import type { Layer, OutboundCall, StackDeps } from './types';

/** Computes the headers sent upstream (mutations, stripping, request id). */
export function prepareHeaders(): Layer {
  return (next) => (call) => {
    call.upstreamHeaders = upstreamHeaders(call.request.headers, call.route!);
    return next(call);
  };
}

/**
 * The fault in force for the call: the route's HTTPFault override (most specific first), else the
 * listener's fault filter config — and only when the listener's filter chain has an enabled fault
 * filter, as Envoy applies per-route config only to filters in the chain.
 */
export function effectiveFault(call: OutboundCall): FaultPolicy | undefined {
  return call.listener === undefined ? undefined : effectiveFaultOf(call.listener, call.route);
}

/** The fault policy for a request routed by `route` through `listener` (its fault filter enabled), if any. */
export function effectiveFaultOf(listener: ListenerSpec, route: ForwardOutcome | undefined): FaultPolicy | undefined {
  const filter = faultFilterOf(listener);
  if (!filter) return undefined;
  return route?.fault ?? filter.fault;
}

/** The listener's enabled fault filter, found once per compiled listener (immutable). */
const faultFilterOf = derivedOnce((listener: ListenerSpec): HttpFilterSpec | undefined =>
  listener.http?.httpFilters.find((f) => f.typeName === FILTER_TYPES.FAULT && !f.disabled));

/**
 * Envoy's fault filter: a delay (flag DI) and/or an abort (local reply, flag FI) drawn for this
 * request. It runs before the router, so the delay does not count against the route timeout and
 * an abort is never retried, mirrored or sent upstream.
 */
export function injectFaults(deps: StackDeps): Layer {
  return (next) => async (call) => {
    const fault = effectiveFault(call);
    if (!fault || (!fault.delay && !fault.abort)) return next(call);
    const decision = decideFault(fault, deps.random, call.request.headers, { ...(call.view ? { view: call.view } : {}), upstreamCluster: call.route!.cluster, activeFaults: deps.runtime.activeFaults });
    if (decision.delayMs === undefined && !decision.abort) return next(call);
    deps.runtime.activeFaults++;
    try {
      if (decision.delayMs !== undefined) {
        try {
          await sleep(deps.clock, decision.delayMs, call.request.signal);
        } catch (reason) {
          throw new MeshError('ABORTED', 'request aborted during an injected fault delay', { cause: reason });
        }
        call.flags.push('DI');
      }
      if (decision.abort) {
        const abort = decision.abort;
        const status = 'httpStatus' in abort ? abort.httpStatus : 200;
        const error = new MeshError('FAULT_ABORT', 'fault filter abort', { status, details: { cluster: call.route!.cluster } });
        return errorReply(error, { grpc: call.grpc, flags: call.flags, ...('grpcStatus' in abort ? { grpcStatus: abort.grpcStatus } : {}) });
      }
    } finally {
      deps.runtime.activeFaults--;
    }
    return withFlags(await next(call), call.flags);
  };
}

/**
 * The route deadline: the earliest of the route timeout (or its header/gRPC forms) and the
 * propagated bounds (caller's grpc-timeout or x-envoy-expected-rq-timeout-ms, the inbound
 * request's deadline). Less than 1 ms left: 504 UT without sending anything. The deadline stays
 * armed until the response body ends, as Envoy's route timeout covers the whole response.
 */
export function applyDeadline(deps: StackDeps): Layer {
  return (next) => async (call) => {
    const now = deps.clock.now();
    const parent = deps.inboundRequest()?.deadline;
    const deadline = computeDeadline({
      timeouts: routeTimeoutsOf(call.route!.action), headers: call.request.headers, grpc: call.grpc, now,
      ...(parent !== undefined ? { parentDeadline: parent } : {}),
    });
    call.deadline = deadline;
    const left = remainingMs(deadline, now);
    if (left < 1) return timeoutReply(call, deadline);
    // Nothing can end this call early (no deadline, no caller signal): no signal, no timer.
    if (left === Infinity && !call.request.signal) return next(call);
    const armed = deadlineSignal(deadline, deps.clock, call.request.signal);
    call.routeSignal = armed.signal;
    let response: MeshResponse;
    try {
      response = await next(call);
    } catch (error) {
      armed.dispose();
      if (isRouteTimeout(error)) return timeoutReply(call, deadline);
      throw error;
    }
    return onBodyEnd(response, armed.dispose);
  };
}

/** The 504 UT of an expired deadline (gRPC: DEADLINE_EXCEEDED when the caller's own deadline ran out). */
export function timeoutReply(call: OutboundCall, deadline: Deadline): MeshResponse {
  return reply(call, deadlineExceeded(deadline), call.grpc ? expiryGrpcStatus(deadline) : undefined);
}

/** True for the route deadline's abort reason. */
export function isRouteTimeout(error: unknown): boolean {
  return isMeshError(error, 'UPSTREAM_TIMEOUT') && error.details['timeout'] === 'route';
}

/** Runs `fn` once the response body has ended, failed or been destroyed. */
export function onBodyEnd(response: MeshResponse, fn: () => void): MeshResponse {
  const body = response.body;
  if (body.destroyed || body.readableEnded) fn();
  else body.once('close', fn);
  return response;
}

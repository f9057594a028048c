// The attempt stack, run once per try by the retry loop: pick an endpoint (UH when none), admit it
// through the cluster's circuit breakers (UO, no upstream attempt), arm the per-try timeout and the
// timeout headers, send over the endpoint's pool, and record the outcome for outlier detection.

import { MeshError } from '../errors';
import { attemptSignal, attemptTimeoutHeaders, deadlineExceeded, remainingMs } from '../policy/deadline';
import type { AttemptOutcome } from '../policy/outcome';
import type { MeshRequest, MeshResponse } from '../request';
import { onBodyEnd } from './policy-layers';
import { startAttemptTelemetry } from './telemetry-layer';
import { transportFailureKind } from './passthrough';
import { isUpstreamTlsFailure, upstreamMtlsFor } from '../transport/endpoint-pools';
import type { AttemptCall, AttemptHandler, AttemptLayer, AttemptResult, StackDeps } from './types';

/** Runs (and empties) the attempt's cleanups. */
function release(attempt: AttemptCall): void {
  for (const fn of attempt.cleanups.splice(0)) fn();
}

/** Ensures the cleanups run when an attempt ends without a response to hold them. */
function releaseUnlessResponse(attempt: AttemptCall, result: AttemptResult): AttemptResult {
  if (result.kind !== 'response') release(attempt);
  return result;
}

/** Picks the endpoint: the cluster's picker for this snapshot (ejected hosts skipped, tried hosts avoided). */
export function pickEndpoint(deps: StackDeps): AttemptLayer {
  return (next) => async (attempt) => {
    const { call } = attempt;
    const picker = deps.runtime.picker(call.snapshot!, call.cluster!);
    const picked = picker.pick({
      ...(call.route!.hash !== undefined ? { hash: call.route!.hash } : {}),
      ...(attempt.retry ? { exclude: attempt.retry.exclude() } : {}),
    });
    if (!picked.ok) return { kind: 'final', error: picked.error };
    attempt.endpoint = picked.endpoint;
    return next(attempt);
  };
}

/**
 * The cluster's circuit breakers: a request slot (max_requests), then a connection (max_connections)
 * or a place in the pending queue (max_pending_requests). Overflow is a local 503 UO with no
 * upstream attempt and nothing recorded against the endpoint. Slots are held until the response ends.
 */
export function admitByBreakers(deps: StackDeps): AttemptLayer {
  return (next) => async (attempt) => {
    const { call } = attempt;
    const limits = deps.runtime.limits.get(call.cluster!.name, call.route!.action.priority);
    const request = limits.tryAcquireRequest();
    if (!request.ok) return overflow(call.cluster!.name, request.limit);
    attempt.cleanups.push(() => request.release());
    const gate = deps.runtime.gates.acquire(limits, call.routeSignal);
    let connection;
    try {
      connection = gate instanceof Promise ? await gate : gate;
    } catch (reason) {
      release(attempt);
      if (call.request.signal?.aborted) throw new MeshError('ABORTED', 'request aborted while waiting for a connection', { cause: reason });
      if (reason instanceof MeshError && reason.code === 'CLOSED') throw reason;
      return { kind: 'final', error: reason instanceof MeshError ? reason : deadlineExceeded(call.deadline!) };
    }
    if (!connection.ok) {
      release(attempt);
      return overflow(call.cluster!.name, connection.limit);
    }
    attempt.cleanups.push(() => connection.release());
    try {
      return releaseUnlessResponse(attempt, await next(attempt));
    } catch (error) {
      release(attempt);
      throw error;
    }
  };
}

function overflow(cluster: string, limit: string): AttemptResult {
  return { kind: 'failure', outcome: { kind: 'overflow' }, error: new MeshError('OVERLOADED', `circuit breaker ${limit} of cluster ${cluster} overflowed`, { details: { cluster, limit } }) };
}

/**
 * The per-try timeout and what the endpoint is told: `x-envoy-expected-rq-timeout-ms` (and
 * `grpc-timeout` for gRPC) = what this try may take, so the callee never outlives its caller.
 * Less than 1 ms left on the deadline: 504 UT, nothing sent.
 */
export function armPerTryTimeout(deps: StackDeps): AttemptLayer {
  return (next) => async (attempt) => {
    const { call } = attempt;
    const deadline = call.deadline!;
    const now = deps.clock.now();
    if (remainingMs(deadline, now) < 1) return { kind: 'final', error: deadlineExceeded(deadline) };
    if (deadline.perTryTimeoutMs <= 0) {
      // No per-try timeout: the try ends with the route signal (if any); no timer, no signal of its own.
      if (call.routeSignal) attempt.signal = call.routeSignal;
      attempt.timeoutHeaders = attemptTimeoutHeaders(deadline, now, call.grpc);
      return next(attempt);
    }
    const armed = attemptSignal(deadline, deps.clock, call.routeSignal);
    attempt.signal = armed.signal;
    attempt.perTry = armed;
    attempt.cleanups.push(armed.dispose);
    attempt.timeoutHeaders = attemptTimeoutHeaders(deadline, now, call.grpc);
    return next(attempt);
  };
}

/** The transport: sends the attempt to its endpoint's pool and records how it ended. */
export function sendUpstream(deps: StackDeps): AttemptHandler {
  return async (attempt) => {
    const { call } = attempt;
    const endpoint = attempt.endpoint!;
    const cluster = call.cluster!;
    const route = call.route!;
    attempt.retry?.onHostAttempted(endpoint.key);
    attempt.cleanups.push(deps.runtime.endpointState.track(endpoint.key));
    const telemetry = startAttemptTelemetry(attempt, endpoint);
    const authority = route.autoHostRewrite && endpoint.hostname ? endpoint.hostname : route.authority;
    const request: MeshRequest = {
      authority,
      scheme: call.request.scheme,
      method: call.request.method,
      path: route.path,
      headers: telemetry.inject({
        ...call.upstreamHeaders,
        ...attempt.timeoutHeaders,
        ...(call.route!.virtualHost.includeRequestAttemptCount ? { 'x-envoy-attempt-count': String(attempt.number) } : {}),
        host: authority,
      }),
      ...(call.request.body !== undefined ? { body: call.request.body } : {}),
    };
    let response: MeshResponse;
    try {
      const tls = deps.runtime.pools.mtlsEnabled ? upstreamMtlsFor(cluster, endpoint) : undefined;
      call.lastMtls = tls !== undefined;
      response = await deps.runtime.pools.send(cluster.name, endpoint.key, deps.runtime.poolSettings(cluster), request, { signal: attempt.signal!, ...(tls ? { tls } : {}) });
    } catch (cause) {
      let result: AttemptResult;
      try {
        result = failed(deps, attempt, cause);
      } catch (aborted) {
        telemetry.end({ kind: 'reset' });
        throw aborted;
      }
      telemetry.end(result.kind === 'failure' ? result.outcome : { kind: 'timeout' });
      return result;
    }
    // Response headers are in: the per-try timeout ends (the route deadline still covers the body).
    attempt.perTry?.dispose();
    const outcome: AttemptOutcome = { kind: 'response', status: response.status, headers: response.headers };
    deps.runtime.outliers.recordOutcome(cluster.name, endpoint.key, outcome, { grpc: call.grpc });
    telemetry.end(outcome);
    const cleanups = attempt.cleanups.splice(0);
    return { kind: 'response', response: onBodyEnd({ ...response, endpoint: endpoint.key }, () => { for (const fn of cleanups) fn(); }), outcome };
  };
}

/** An attempt without a response: caller abort (rethrown), route deadline (final) or a retriable failure. */
function failed(deps: StackDeps, attempt: AttemptCall, cause: unknown): AttemptResult {
  const { call } = attempt;
  const endpoint = attempt.endpoint!;
  const signal = attempt.signal;
  const reason: unknown = signal?.aborted ? signal.reason : undefined;
  if (call.request.signal?.aborted) {
    throw new MeshError('ABORTED', `request to ${call.route!.cluster} aborted by the caller`, { cause: call.request.signal.reason });
  }
  const timedOut = reason instanceof MeshError && reason.code === 'UPSTREAM_TIMEOUT';
  const kind: AttemptOutcome['kind'] = timedOut ? 'timeout' : isUpstreamTlsFailure(cause) ? 'connect-failure' : transportFailureKind(cause);
  const outcome = { kind } as AttemptOutcome;
  deps.runtime.outliers.recordOutcome(call.cluster!.name, endpoint.key, outcome, { grpc: call.grpc });
  if (timedOut && reason.details['timeout'] === 'route') return { kind: 'final', error: reason };
  const details = { cluster: call.cluster!.name, endpoint: endpoint.key };
  const error = timedOut
    ? (reason as MeshError)
    : kind === 'connect-failure'
      ? new MeshError('CONNECT_FAILURE', `cannot connect to ${endpoint.key} of ${call.cluster!.name}: ${(cause as Error).message}`, { cause, details })
      : new MeshError('UPSTREAM_RESET', `${endpoint.key} of ${call.cluster!.name} reset the request: ${(cause as Error).message}`, { cause, details });
  return { kind: 'failure', outcome, error };
}

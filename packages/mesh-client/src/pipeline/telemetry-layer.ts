// Telemetry of outbound calls, on the telemetry helper's MeshTelemetry (docs/observability.md): the
// logical layer opens the CLIENT span and Istio's request metrics once the route is known and ends
// them when the response body ends; each try gets an attempt span and its trace headers.

import { isMeshError } from '../errors';
import type { MeshResponse } from '../request';
import type { Endpoint } from '../snapshot/types';
import { observeBody } from '../telemetry';
import type { AttemptOutcome } from '../policy/outcome';
import type { AttemptCall, Layer, StackDeps } from './types';

/**
 * Starts the logical call's telemetry (route, cluster, 1 + retries) and ends it with the response:
 * status, response flags, the endpoint of the last try, bytes, and the number of retries.
 */
export function recordTelemetry(deps: StackDeps): Layer {
  return (next) => async (call) => {
    const route = call.route!;
    const t = deps.telemetry.outbound(call.request, {
      ...(route.route.name !== undefined ? { route: route.route.name } : {}),
      cluster: call.cluster!.name,
      maxAttempts: 1 + (route.retryPolicy?.numRetries ?? 0),
      grpc: call.grpc,
      ...(deps.traceParent() !== undefined ? { fallbackParent: deps.traceParent()! } : {}),
    });
    call.telemetry = t;
    const requestBytes = Buffer.isBuffer(call.request.body) ? call.request.body.length : undefined;
    let response: MeshResponse;
    try {
      response = await next(call);
    } catch (error) {
      t.end({ ...target(call.cluster!.name, call.lastEndpoint), ...(isMeshError(error) ? { responseFlags: error.responseFlag ?? '', errorType: error.code } : {}), error });
      throw error;
    }
    // Nothing records the body's end (no metrics SDK, span not recording): end now, leave the body alone.
    if (!t.watchesBody) {
      t.end({ cluster: call.cluster!.name, status: response.status });
      return response;
    }
    const flags = response.flags ?? call.flags.join(',');
    const grpcStatus = Number(response.headers['grpc-status']);
    const body = observeBody(response.body, (bytes, error) => t.end({
      ...target(call.cluster!.name, call.lastEndpoint),
      status: response.status,
      ...(Number.isInteger(grpcStatus) && response.headers['grpc-status'] !== undefined ? { grpcStatus } : {}),
      ...(flags ? { responseFlags: flags } : {}),
      ...(requestBytes !== undefined ? { requestBytes } : {}),
      responseBytes: bytes,
      retryCount: Math.max(0, (call.attempts ?? 1) - 1),
      ...(error ? { error } : {}),
    }));
    return { ...response, body };
  };
}

/** The attempt's span: trace headers for the request, and a function that ends the span with the outcome. */
export function startAttemptTelemetry(attempt: AttemptCall, endpoint: Endpoint): { inject(headers: Record<string, string | string[]>): Record<string, string | string[]>; end(outcome: AttemptOutcome): void } {
  const call = attempt.call;
  call.attempts = attempt.number;
  call.lastEndpoint = endpoint;
  const span = call.telemetry?.attempt(attempt.number, target(call.cluster!.name, endpoint));
  if (!span) return { inject: (h) => h, end: () => undefined };
  return {
    inject: (headers) => span.injectHeaders(headers),
    end: (outcome) => span.end(outcome.kind === 'response'
      ? { status: outcome.status, endpoint: endpoint.key }
      : { responseFlags: outcome.kind === 'connect-failure' ? 'UF' : outcome.kind === 'timeout' ? 'UT' : outcome.kind === 'overflow' ? 'UO' : 'UR', errorType: outcome.kind, endpoint: endpoint.key }),
  };
}

function target(cluster: string, endpoint: Endpoint | undefined): { cluster: string; endpoint?: { key: string; metadata: Endpoint['metadata'] } } {
  return { cluster, ...(endpoint ? { endpoint: { key: endpoint.key, metadata: endpoint.metadata } } : {}) };
}

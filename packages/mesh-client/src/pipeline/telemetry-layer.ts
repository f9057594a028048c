// Telemetry of outbound calls, on the telemetry helper's MeshTelemetry (docs/observability.md): the
// logical layer opens the CLIENT span and Istio's request metrics once the route is known and ends
// them when the response body ends; each try gets an attempt span and its trace headers.

import { isMeshError } from '../errors';
import type { MeshResponse } from '../request';
import type { Endpoint } from '../snapshot/types';
import { observeBody } from '../telemetry';
import type { AttemptSpan, OutboundStart, OutboundTelemetry, RequestEnd } from '../telemetry';
import type { ResponseHeaders } from '../policy/outcome';
import type { AttemptOutcome } from '../policy/outcome';
import { derivedOnce } from '../snapshot/derived-once';
import type { AttemptCall, Layer, OutboundCall, StackDeps } from './types';

/**
 * Starts the logical call's telemetry (route, cluster, 1 + retries) and ends it with the response:
 * status, response flags, the endpoint of the last try, bytes, and the number of retries.
 */
export function recordTelemetry(deps: StackDeps): Layer {
  return (next) => async (call) => {
    const t = startCallTelemetry(deps, call);
    let response: MeshResponse;
    try {
      response = await next(call);
    } catch (error) {
      t.end(callFailure(call, error));
      throw error;
    }
    // Nothing records the body's end (no metrics SDK, span not recording): end now, leave the body alone.
    if (!t.watchesBody) {
      t.end(callEndAtHeaders(call, response.status));
      return response;
    }
    const flags = response.flags ?? call.flags.join(',');
    const body = observeBody(response.body, (bytes, error) => t.end(callEnd(call, response.status, response.headers, flags, bytes, error)));
    return { ...response, body };
  };
}

/** Opens the call's telemetry once its route and cluster are known (every front end, one place). */
export function startCallTelemetry(deps: StackDeps, call: OutboundCall): OutboundTelemetry {
  const route = call.route!;
  const parent = deps.inboundRequest()?.traceContext;
  if (deps.telemetry.isQuiet(call.request, parent)) {
    // Nothing records this call: the shared telemetry, no start to describe.
    const quiet = deps.telemetry.quietOutbound(call.cluster!.name);
    call.telemetry = quiet;
    return quiet;
  }
  // Built field by field (no spreads): once per call on the hot path.
  const start: { -readonly [K in keyof OutboundStart]: OutboundStart[K] } = {};
  if (route.route.name !== undefined) start.route = route.route.name;
  start.cluster = call.cluster!.name;
  start.maxAttempts = 1 + (route.retryPolicy?.numRetries ?? 0);
  start.grpc = call.grpc;
  if (parent !== undefined) start.fallbackParent = parent;
  const t = deps.telemetry.outbound(call.request, start);
  call.telemetry = t;
  return t;
}

/**
 * THE per-call outcome the telemetry records (route and cluster were given at the start): the
 * cluster and endpoint of the last try, status, gRPC status, response flags, bytes both ways, the
 * number of retries, and the error that cut the body short, if any.
 */
export function callEnd(call: OutboundCall, status: number, headers: ResponseHeaders, flags: string, responseBytes: number, error?: Error): RequestEnd {
  // Built field by field (no spreads): this runs once per call on the hot path.
  const end: { -readonly [K in keyof RequestEnd]: RequestEnd[K] } = { cluster: call.cluster!.name };
  const endpoint = call.lastEndpoint;
  if (endpoint) end.endpoint = { key: endpoint.key, metadata: endpoint.metadata };
  if (call.lastMtls !== undefined) end.mtls = call.lastMtls;
  end.status = status;
  const rawGrpc = headers['grpc-status'];
  if (rawGrpc !== undefined) {
    const grpcStatus = Number(rawGrpc);
    if (Number.isInteger(grpcStatus)) end.grpcStatus = grpcStatus;
  }
  if (flags) end.responseFlags = flags;
  const body = call.request.body;
  if (Buffer.isBuffer(body)) end.requestBytes = body.length;
  end.responseBytes = responseBytes;
  end.retryCount = Math.max(0, (call.attempts ?? 1) - 1);
  if (error) end.error = error;
  return end;
}

/** The outcome recorded when nothing watches the body: cluster and status, at the response headers. */
export function callEndAtHeaders(call: OutboundCall, status: number): RequestEnd {
  // A call nothing records ignores its outcome (OutboundTelemetry.records): none is built for it.
  if (call.telemetry?.records === false) return UNRECORDED_END;
  return call.lastMtls === undefined ? { cluster: call.cluster!.name, status } : { cluster: call.cluster!.name, status, mtls: call.lastMtls };
}

/** The outcome handed to the telemetry of a call nothing records. */
const UNRECORDED_END: RequestEnd = Object.freeze({});

/** The outcome of a call that ended with an exception (the caller's abort, a closed mesh). */
export function callFailure(call: OutboundCall, error: unknown): RequestEnd {
  return { ...target(call.cluster!.name, call.lastEndpoint), ...(isMeshError(error) ? { responseFlags: error.responseFlag ?? '', errorType: error.code } : {}), error };
}

/** The attempt's span: trace headers for the request, and its end with the outcome. */
export function startAttemptTelemetry(attempt: AttemptCall, endpoint: Endpoint): AttemptTelemetry {
  const call = attempt.call;
  call.attempts = attempt.number;
  call.lastEndpoint = endpoint;
  const telemetry = call.telemetry;
  if (telemetry !== undefined && !telemetry.records) {
    // A call nothing records: its telemetry's shared attempt span, in one shared object per span.
    return quietAttempt(telemetry.attempt(attempt.number));
  }
  return new AttemptTelemetry(telemetry?.attempt(attempt.number, target(call.cluster!.name, endpoint)), endpoint);
}

/** The attempt telemetry of a quiet call's shared span: it injects that span's headers and records nothing. */
const quietAttempt = derivedOnce((span: AttemptSpan) => new AttemptTelemetry(span, undefined));

/** One attempt's telemetry (a class: one object per attempt, no closures). */
export class AttemptTelemetry {
  /** `endpoint` undefined: the span records nothing (a quiet call's), so `end` has nothing to tell it. */
  constructor(private readonly span: AttemptSpan | undefined, private readonly endpoint: Endpoint | undefined) {}

  /** The request headers with the attempt's trace (and peer) headers: `headers` itself when it owns them. */
  inject(headers: Record<string, string | string[]>): Record<string, string | string[]> {
    return this.span ? this.span.injectHeaders(headers) : headers;
  }

  end(outcome: AttemptOutcome): void {
    const span = this.span;
    const endpoint = this.endpoint;
    if (!span || !endpoint) return;
    span.end(outcome.kind === 'response'
      ? { status: outcome.status, endpoint: endpoint.key }
      : { responseFlags: outcome.kind === 'connect-failure' ? 'UF' : outcome.kind === 'timeout' ? 'UT' : outcome.kind === 'overflow' ? 'UO' : 'UR', errorType: outcome.kind, endpoint: endpoint.key });
  }
}

function target(cluster: string, endpoint: Endpoint | undefined): { cluster: string; endpoint?: { key: string; metadata: Endpoint['metadata'] } } {
  return endpoint ? { cluster, endpoint: { key: endpoint.key, metadata: endpoint.metadata } } : { cluster };
}

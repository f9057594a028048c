// What one upstream attempt ended with, as the retry classifier and the outlier detector see it,
// plus the gRPC status helpers both need (Envoy's Grpc::Utility::grpcToHttpStatus).

/** Response headers: lower-case names, repeated headers as arrays (like `MeshResponse.headers`). */
export type ResponseHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The end of one upstream attempt:
 * - `response`: response headers arrived. `grpcStatus` is the `grpc-status` of a trailers-only
 *   response; when absent it is read from `headers['grpc-status']`. Envoy never looks at trailers
 *   that follow a headers frame (the response is committed by then), and neither do we.
 * - `connect-failure`: no connection (refused, connect timeout, TLS handshake failure). The request
 *   was never sent.
 * - `reset`: the connection or stream broke before response headers (disconnect, RST_STREAM).
 * - `refused-stream`: HTTP/2 REFUSED_STREAM (the server did not process the request).
 * - `timeout`: the per-try timeout fired before response headers.
 * - `overflow`: a circuit breaker refused the attempt locally (UO). Never retried, never counted
 *   against the endpoint.
 * `requestSent` tells whether any request byte went out (for `reset-before-request`); it defaults
 * to false for `connect-failure` and true otherwise.
 */
export type AttemptOutcome =
  | {
    readonly kind: 'response'; readonly status: number; readonly headers?: ResponseHeaders; readonly grpcStatus?: number;
    /** The first value of one (lower-case) header without decoding the others; preferred over `headers` when present. */
    readonly header?: (name: string) => string | undefined;
  }
  | { readonly kind: 'connect-failure' | 'reset' | 'refused-stream' | 'timeout'; readonly requestSent?: boolean }
  | { readonly kind: 'overflow' };

/** gRPC status codes by their retry_on / Istio names. */
export const GRPC_STATUS = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const);

/**
 * Envoy's gRPC → HTTP status mapping (Grpc::Utility::grpcToHttpStatus), used to feed gRPC
 * outcomes to the outlier detector exactly as Envoy's router does.
 */
export function grpcToHttpStatus(grpcStatus: number): number {
  switch (grpcStatus) {
    case 0: return 200;
    case 1: return 499;
    case 2: return 500;
    case 3: return 400;
    case 4: return 504;
    case 5: return 404;
    case 6: return 409;
    case 7: return 403;
    case 8: return 429;
    case 9: return 400;
    case 10: return 409;
    case 11: return 400;
    case 12: return 501;
    case 13: return 500;
    case 14: return 503;
    case 15: return 500;
    case 16: return 401;
    default: return 500;
  }
}

/** The first value of a response header of `outcome`, through its `header` reader when it has one. */
export function responseHeader(outcome: Extract<AttemptOutcome, { kind: 'response' }>, name: string): string | undefined {
  return outcome.header !== undefined ? outcome.header(name) : firstHeader(outcome.headers, name);
}

/** The first value of a header, or undefined (Envoy reads only the first value of trusted headers). */
export function firstHeader(headers: ResponseHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v[0];
}

/** Envoy's `InvalidCode`: a grpc-status that is present but not a known code (maps to HTTP 500). */
export const INVALID_GRPC_STATUS = -1;

/**
 * The gRPC status of a response as Envoy's Grpc::Common::getGrpcStatus reads it: the explicit
 * `grpcStatus`, else the `grpc-status` header; a value that is not an integer in 0–16 is
 * `INVALID_GRPC_STATUS`. Undefined when there is none.
 */
export function responseGrpcStatus(outcome: AttemptOutcome): number | undefined {
  if (outcome.kind !== 'response') return undefined;
  const raw = outcome.grpcStatus !== undefined ? String(outcome.grpcStatus) : responseHeader(outcome, 'grpc-status');
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw)) return INVALID_GRPC_STATUS;
  const code = Number(raw);
  return code > GRPC_STATUS.UNAUTHENTICATED ? INVALID_GRPC_STATUS : code;
}

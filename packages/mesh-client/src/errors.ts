// Coded errors of the in-process mesh and their translation into Envoy-style local replies.
// Inside the library failures travel as values (`PickResult`, route outcomes); adapters throw these.

/** Stable error codes. Callers and tests check `code`, never the message. */
export type MeshErrorCode =
  | 'NO_ROUTE' // no virtual host or no route matched (404, NR)
  | 'NO_CLUSTER' // the route's cluster is unknown (503 by default, NC)
  | 'NO_HEALTHY_UPSTREAM' // the cluster has no endpoint to pick (503, UH)
  | 'OVERLOADED' // a circuit breaker overflowed; no upstream attempt was made (503, UO)
  | 'UPSTREAM_TIMEOUT' // route timeout or per-try timeout expired (504, UT)
  | 'FAULT_ABORT' // the fault filter aborted the request (configured status, FI)
  | 'CONNECT_FAILURE' // connecting to the endpoint failed (503, UF)
  | 'UPSTREAM_RESET' // the upstream reset the stream before answering (503, UR)
  | 'REGISTRY_ONLY' // host unknown to the mesh and outbound policy REGISTRY_ONLY (502)
  | 'ACCESS_DENIED' // RBAC denied the request (403, RBAC)
  | 'ABORTED' // the caller aborted the request (DC)
  | 'CONFIG_REJECTED' // a pushed resource failed validation and was NACKed
  | 'CLOSED' // the mesh client was closed
  | 'INVALID_OPTIONS' // connect()/serve()/explain() was given a bad option (the message names it)
  | 'REGISTRATION_FAILED'; // serve(): the control plane refused or did not confirm the workload's registration

/** What Envoy does for each code: HTTP status, response flag, local-reply body. */
export interface LocalReplySpec {
  readonly status?: number;
  readonly responseFlag?: string;
  readonly body?: string;
}

const RESET_BEFORE_HEADERS = 'upstream connect error or disconnect/reset before headers. reset reason: ';

/**
 * Envoy's local replies, as the router and fault filters send them. Bodies are Envoy's texts:
 * NR and NC answer with an empty body; UH `no healthy upstream`; UT `upstream request timeout`;
 * UO/UF/UR `upstream connect error or disconnect/reset before headers. reset reason: …`; FI
 * `fault filter abort`; RBAC `RBAC: access denied`. Istio's REGISTRY_ONLY "block_all" route is a
 * direct_response 502 with no body and no flag.
 */
export const LOCAL_REPLY: Readonly<Record<MeshErrorCode, LocalReplySpec>> = {
  NO_ROUTE: { status: 404, responseFlag: 'NR', body: '' },
  NO_CLUSTER: { status: 503, responseFlag: 'NC', body: '' },
  NO_HEALTHY_UPSTREAM: { status: 503, responseFlag: 'UH', body: 'no healthy upstream' },
  OVERLOADED: { status: 503, responseFlag: 'UO', body: `${RESET_BEFORE_HEADERS}overflow` },
  UPSTREAM_TIMEOUT: { status: 504, responseFlag: 'UT', body: 'upstream request timeout' },
  FAULT_ABORT: { responseFlag: 'FI', body: 'fault filter abort' },
  CONNECT_FAILURE: { status: 503, responseFlag: 'UF', body: `${RESET_BEFORE_HEADERS}connection failure` },
  UPSTREAM_RESET: { status: 503, responseFlag: 'UR', body: `${RESET_BEFORE_HEADERS}remote reset` },
  REGISTRY_ONLY: { status: 502, body: '' },
  ACCESS_DENIED: { status: 403, responseFlag: 'RBAC', body: 'RBAC: access denied' },
  ABORTED: { responseFlag: 'DC' },
  CONFIG_REJECTED: {},
  CLOSED: {},
  INVALID_OPTIONS: {},
  REGISTRATION_FAILED: {},
};

/**
 * Name of the response header carrying the response flags on a local reply. Envoy itself puts
 * flags only in access logs (`%RESPONSE_FLAGS%`); Inboard adds this header so an HTTP caller can see
 * why the mesh answered, the same value `MeshResponse.flags` carries in code.
 */
export const RESPONSE_FLAGS_HEADER = 'x-inboard-response-flags';

const BRAND = Symbol.for('@inboard/mesh-client/MeshError');

/** Options of a MeshError: an overriding HTTP status, context details, the cause. */
export interface MeshErrorOptions {
  /** Overrides the code's default status (e.g. a route's cluster_not_found_response_code, a fault's abort status). */
  readonly status?: number;
  /** Context: route, cluster, endpoint, resource, field … */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** An error of the mesh data path or config handling, with a stable `code` and Envoy's status and flag. */
export class MeshError extends Error {
  /** Stable code. */
  readonly code: MeshErrorCode;
  /** Envoy response flag (NR, NC, UH, UO, UT, FI, UF, UR, RBAC, DC), when Envoy has one. */
  readonly responseFlag?: string;
  /** HTTP status of the local reply, when the error has one. */
  readonly status?: number;
  /** Context of the failure (route, cluster, endpoint, resource …). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: MeshErrorCode, message: string, options: MeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeshError';
    this.code = code;
    const spec = LOCAL_REPLY[code];
    if (spec.responseFlag !== undefined) this.responseFlag = spec.responseFlag;
    const status = options.status ?? spec.status;
    if (status !== undefined) this.status = status;
    this.details = Object.freeze({ ...(options.details ?? {}) });
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True if `e` is a MeshError (from any copy of this package), optionally with the given code. */
export function isMeshError(e: unknown, code?: MeshErrorCode): e is MeshError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true &&
    (code === undefined || (e as MeshError).code === code);
}

/** A local reply ready to be written by an adapter. */
export interface LocalReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Envoy's HTTP → gRPC status mapping for local replies to gRPC requests (Grpc::Utility::httpToGrpcStatus). */
export function httpToGrpcStatus(status: number): number {
  switch (status) {
    case 400: return 13; // INTERNAL
    case 401: return 16; // UNAUTHENTICATED
    case 403: return 7; // PERMISSION_DENIED
    case 404: return 12; // UNIMPLEMENTED
    case 429: case 502: case 503: case 504: return 14; // UNAVAILABLE
    default: return 2; // UNKNOWN
  }
}

/**
 * Turns an error into the response Envoy would send: status, `content-type: text/plain` body and
 * the response-flag header (plus `x-envoy-overloaded: true` for UO, as Envoy's router adds). For a
 * gRPC request (`grpc: true`) it is a trailers-only reply: HTTP 200, `grpc-status` mapped from the
 * HTTP status (or `grpcStatus` when the fault filter gave one), `grpc-message` = the body.
 * Errors without an HTTP status (CONFIG_REJECTED, CLOSED, ABORTED) answer 503 with their message.
 */
export function localReply(error: MeshError, options: { grpc?: boolean; grpcStatus?: number } = {}): LocalReply {
  const spec = LOCAL_REPLY[error.code];
  const status = error.status ?? 503;
  const body = spec.body ?? error.message;
  const headers: Record<string, string> = {};
  if (error.responseFlag !== undefined) headers[RESPONSE_FLAGS_HEADER] = error.responseFlag;
  if (error.code === 'OVERLOADED') headers['x-envoy-overloaded'] = 'true';
  if (options.grpc) {
    headers['content-type'] = 'application/grpc';
    headers['grpc-status'] = String(options.grpcStatus ?? httpToGrpcStatus(status));
    if (body !== '') headers['grpc-message'] = grpcPercentEncode(body);
    return { status: 200, headers, body: '' };
  }
  if (body !== '') {
    headers['content-type'] = 'text/plain';
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  return { status, headers, body };
}

/** gRPC's grpc-message encoding: percent-encode bytes outside 0x20–0x7E and '%' itself (UTF-8). */
function grpcPercentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte < 0x20 || byte > 0x7e || byte === 0x25 ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
  }
  return out;
}

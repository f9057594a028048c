// OpenTelemetry HTTP semantic-convention attributes of the mesh's spans (http.request.method,
// url.full, server.address, http.response.status_code, error.type …) and the error rules of client
// and server spans. Pure functions used by tracing.ts.

import type { Attributes } from '@opentelemetry/api';
import type { HeaderMap } from '../request';

/** How a span's operation ended. */
export interface SpanOutcome {
  /** HTTP status sent back to the caller; absent when no response was produced. */
  readonly status?: number;
  /** gRPC status of a gRPC response. */
  readonly grpcStatus?: number;
  /** Envoy response flags (`UH`, `UO`, `UT,URX` …). */
  readonly responseFlags?: string;
  /** Low-cardinality error class (e.g. a MeshError code); default derived from status, flags. */
  readonly errorType?: string;
  /** The failure, recorded as an exception event. */
  readonly error?: unknown;
  /** Where the (last) attempt went. */
  readonly endpoint?: string;
  readonly cluster?: string;
  readonly subset?: string;
  /** Retries made (logical client span); default: attempts started − 1. */
  readonly retryCount?: number;
}

const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);
/** Query parameters whose values semantic conventions require redacted in url.full / url.query. */
const SENSITIVE_QUERY = new Set(['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature']);
/** gRPC codes that are server errors (semantic conventions for RPC server spans). */
const GRPC_SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);

/** The method as semantic conventions record it, and the span name it gives. */
export interface NormalizedMethod {
  readonly method: string;
  readonly original?: string;
  readonly spanName: string;
}

/** Known methods keep their name; others are `_OTHER` (original kept) and name the span `HTTP`. */
export function httpMethod(method: string): NormalizedMethod {
  if (KNOWN_METHODS.has(method)) return { method, spanName: method };
  return { method: '_OTHER', original: method, spanName: 'HTTP' };
}

/** Host and port of an authority (`host`, `host:port`, `[v6]:port`), the port defaulting by scheme. */
export function splitAuthority(authority: string, scheme: 'http' | 'https'): { host: string; port: number } {
  const defaultPort = scheme === 'https' ? 443 : 80;
  const v6 = /^\[([^\]]*)\](?::(\d+))?$/.exec(authority);
  if (v6) return { host: v6[1]!, port: v6[2] !== undefined ? Number(v6[2]) : defaultPort };
  const colon = authority.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(authority.slice(colon + 1))) return { host: authority.slice(0, colon), port: Number(authority.slice(colon + 1)) };
  return { host: authority, port: defaultPort };
}

/** The query string with the values of sensitive parameters replaced by `REDACTED`. */
export function redactQuery(query: string): string {
  if (query === '') return query;
  return query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    return eq !== -1 && SENSITIVE_QUERY.has(name) ? `${name}=REDACTED` : pair;
  }).join('&');
}

/** Request attributes of a client span (url.full, server.*) or a server span (url.path/query/scheme, server.*). */
export function requestAttributes(
  request: { readonly scheme: 'http' | 'https'; readonly authority: string; readonly path: string; readonly headers: Readonly<HeaderMap> },
  method: NormalizedMethod, side: 'client' | 'server',
): Attributes {
  const { host, port } = splitAuthority(request.authority, request.scheme);
  const q = request.path.indexOf('?');
  const path = q === -1 ? request.path : request.path.slice(0, q);
  const query = q === -1 ? undefined : redactQuery(request.path.slice(q + 1));
  const out: Attributes = {
    'http.request.method': method.method,
    'server.address': host,
    'server.port': port,
  };
  if (method.original !== undefined) out['http.request.method_original'] = method.original;
  if (side === 'client') {
    out['url.full'] = `${request.scheme}://${request.authority}${path}${query !== undefined ? `?${query}` : ''}`;
  } else {
    out['url.scheme'] = request.scheme;
    out['url.path'] = path;
    if (query !== undefined) out['url.query'] = query;
    const agent = request.headers['user-agent'];
    if (agent !== undefined) out['user_agent.original'] = Array.isArray(agent) ? agent.join(', ') : agent;
  }
  return out;
}

/**
 * Outcome attributes and the span's error type. Client spans fail on status ≥ 400, server spans on
 * status ≥ 500; gRPC client spans on any non-OK code, server spans on the server-error codes; any
 * span without a response fails with `errorType`, else its response flags, else `_OTHER`.
 */
export function outcomeAttributes(outcome: SpanOutcome, side: 'client' | 'server'): { attributes: Attributes; errorType?: string } {
  const attributes: Attributes = {};
  if (outcome.status !== undefined) attributes['http.response.status_code'] = outcome.status;
  if (outcome.grpcStatus !== undefined) attributes['rpc.grpc.status_code'] = outcome.grpcStatus;
  if (outcome.responseFlags) attributes['inboard.response_flags'] = outcome.responseFlags;
  let errorType = outcome.errorType;
  if (errorType === undefined) {
    if (outcome.status === undefined) errorType = outcome.responseFlags || '_OTHER';
    else if (outcome.status >= (side === 'client' ? 400 : 500)) errorType = String(outcome.status);
    else if (outcome.grpcStatus !== undefined && (side === 'client' ? outcome.grpcStatus !== 0 : GRPC_SERVER_ERRORS.has(outcome.grpcStatus))) {
      errorType = String(outcome.grpcStatus);
    }
  }
  if (errorType !== undefined) attributes['error.type'] = errorType;
  return errorType !== undefined ? { attributes, errorType } : { attributes };
}

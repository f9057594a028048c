// Local replies as MeshResponses: a MeshError becomes Envoy's answer (status, body, response-flag
// header, trailers-only for gRPC) through errors.ts's localReply; redirects and direct responses
// become plain responses. One convention for every reply the mesh makes itself.

import { Readable } from 'node:stream';
import { localReply, MeshError, RESPONSE_FLAGS_HEADER } from '../errors';
import type { HeaderMap, MeshResponse } from '../request';

/** A response body from a string or bytes (empty stream when there is nothing). */
export function bodyOf(content: string | Uint8Array | undefined): Readable {
  if (content === undefined || content.length === 0) return Readable.from([]);
  return Readable.from([typeof content === 'string' ? Buffer.from(content) : Buffer.from(content)]);
}

/** A local reply before it becomes a stream: status, headers, body bytes and the flags it reports. */
export interface LocalReplyParts {
  readonly status: number;
  readonly headers: HeaderMap;
  readonly body: Buffer;
  /** Every response flag gathered on the way, comma-separated ('' when none). */
  readonly flags: string;
}

/**
 * The parts of the local reply for `error` (see {@link errorReply}); the dispatcher's pass-through
 * writes them straight into undici's handler.
 */
export function errorReplyParts(error: MeshError, options: { grpc?: boolean; grpcStatus?: number; flags?: readonly string[] } = {}): LocalReplyParts {
  const reply = localReply(error, {
    ...(options.grpc ? { grpc: true } : {}),
    ...(options.grpcStatus !== undefined ? { grpcStatus: options.grpcStatus } : {}),
  });
  const flags = [...(options.flags ?? []), ...(error.responseFlag ? [error.responseFlag] : [])];
  const headers: HeaderMap = { ...reply.headers };
  if (flags.length > 0) headers[RESPONSE_FLAGS_HEADER] = flags.join(',');
  return { status: reply.status, headers, body: Buffer.from(reply.body ?? ''), flags: flags.join(',') };
}

/**
 * The local reply for `error`: Envoy's status, body and `x-inboard-response-flags` (every flag
 * gathered on the way, e.g. `DI,UT`), `x-envoy-overloaded` for UO. gRPC requests get a
 * trailers-only reply (HTTP 200, grpc-status mapped from the HTTP status unless `grpcStatus`).
 */
export function errorReply(error: MeshError, options: { grpc?: boolean; grpcStatus?: number; flags?: readonly string[] } = {}): MeshResponse {
  const parts = errorReplyParts(error, options);
  return {
    status: parts.status,
    headers: parts.headers,
    body: bodyOf(parts.body),
    ...(parts.flags !== '' ? { flags: parts.flags } : {}),
  };
}

/** A fixed response (direct_response): `content-type: text/plain` when there is a body, as Envoy. */
export function fixedReply(status: number, body: string | Uint8Array | undefined, headers: HeaderMap = {}): MeshResponse {
  const out: HeaderMap = { ...headers };
  const length = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (length > 0) out['content-type'] ??= 'text/plain';
  out['content-length'] = String(length);
  return { status, headers: out, body: bodyOf(body) };
}

/** A redirect (route redirect action) to `location`. */
export function redirectReply(status: number, location: string): MeshResponse {
  return { status, headers: { location, 'content-length': '0' }, body: bodyOf(undefined) };
}

/** Adds response flags (e.g. DI) to a response without changing anything else. */
export function withFlags(response: MeshResponse, flags: readonly string[]): MeshResponse {
  if (flags.length === 0) return response;
  const merged = [...flags, ...(response.flags ? response.flags.split(',') : [])];
  return { ...response, flags: [...new Set(merged)].join(',') };
}

// Which request headers go upstream: the route's header mutations applied, hop-by-hop and the
// mesh's own control headers removed (Envoy consumes x-envoy-retry-*/timeouts and strips them),
// x-envoy-original-path on rewrites, x-forwarded-host on host rewrites, a generated x-request-id.

import { requestId } from './request-id';
import { TIMEOUT_HEADERS } from '../policy/deadline';
import { RETRY_REQUEST_HEADERS } from '../policy/retry-policy';
import type { HeaderMap } from '../request';
import type { ForwardOutcome } from '../routing/actions';
import { applyHeaderMutations } from '../routing/header-mutation';

/** Connection-scoped headers never forwarded (RFC 9110 §7.6.1; undici refuses most of them too). */
export const HOP_BY_HOP_HEADERS: readonly string[] = Object.freeze([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authenticate', 'proxy-authorization',
]);

/**
 * Request headers the mesh consumes and never forwards as received: Envoy's retry and timeout
 * control headers (H9's RETRY_REQUEST_HEADERS, the route-timeout override) and the expected
 * timeout, which the attempt layer rewrites with what is really left.
 */
export const MESH_REQUEST_HEADERS: readonly string[] = Object.freeze([
  ...RETRY_REQUEST_HEADERS,
  TIMEOUT_HEADERS.upstreamRequestTimeout,
  TIMEOUT_HEADERS.expectedTimeout,
  'x-envoy-original-path',
  'x-envoy-attempt-count',
]);

const DROP = new Set<string>(['host', ...HOP_BY_HOP_HEADERS, ...MESH_REQUEST_HEADERS]);

/** The headers to send upstream for a forwarded route (without the per-attempt ones). */
export function upstreamHeaders(requestHeaders: HeaderMap, route: ForwardOutcome): HeaderMap {
  const mutated = route.requestHeaders.length > 0 ? applyHeaderMutations(requestHeaders, route.requestHeaders) : requestHeaders;
  const out: HeaderMap = {};
  for (const name in mutated) {
    if (!DROP.has(name)) out[name] = mutated[name]!;
  }
  if (route.originalPath !== undefined) out['x-envoy-original-path'] = route.originalPath;
  if (route.xForwardedHost !== undefined) {
    const prior = out['x-forwarded-host'];
    out['x-forwarded-host'] = prior === undefined ? route.xForwardedHost : `${Array.isArray(prior) ? prior.join(',') : prior},${route.xForwardedHost}`;
  }
  if (out['x-request-id'] === undefined) out['x-request-id'] = requestId();
  return out;
}

/** True for `content-type: application/grpc` or `application/grpc+…` (Envoy's hasGrpcContentType). */
export function isGrpcRequest(headers: HeaderMap): boolean {
  const raw = headers['content-type'];
  const ct = Array.isArray(raw) ? raw[0] : raw;
  return ct !== undefined && ct.startsWith('application/grpc') && (ct.length === 16 || ct[16] === '+' || ct[16] === ';');
}
